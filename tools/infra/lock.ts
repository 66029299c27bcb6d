import * as fs from 'node:fs';
import * as path from 'node:path';

import { InfraError } from './infra-error';
import { isProcessAlive, sleep } from './processes';
import { isErrnoException } from './state';

let inProcessTail: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` while holding `.hookline/infra.lock`, so parallel test runs (nx run-many) that all
 * call `infraUp` start one broker and one database, not one each. Calls from the same process are
 * queued too. A lock whose owner has died is taken over.
 */
export function withInfraLock<T>(
  lockFile: string,
  timeoutMs: number,
  onWait: (ownerPid: number) => void,
  task: () => Promise<T>,
): Promise<T> {
  const run = inProcessTail.then(async () => {
    await acquire(lockFile, timeoutMs, onWait);
    try {
      return await task();
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
  });
  inProcessTail = run.catch(() => undefined);
  return run;
}

async function acquire(
  lockFile: string,
  timeoutMs: number,
  onWait: (ownerPid: number) => void,
): Promise<void> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
    }
    const owner = readOwner(lockFile);
    if (owner === undefined) {
      // Another process may have just created it and not yet written its pid.
      if (ageMs(lockFile) > 2000) fs.rmSync(lockFile, { force: true });
      else await sleep(50);
      continue;
    }
    if (owner === process.pid || !isProcessAlive(owner)) {
      // Left behind by a process that died (or by one that had this pid before): nobody holds it.
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new InfraError(
        'LOCK_TIMEOUT',
        `Another infra command (pid ${owner}) has held ${lockFile} for over ` +
          `${Math.round(timeoutMs / 1000)} s. Wait for it, or stop it if it hangs.`,
      );
    }
    if (!announced) {
      onWait(owner);
      announced = true;
    }
    await sleep(250);
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(lockFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
