import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { withInfraLock } from './lock';

describe('withInfraLock', () => {
  let dir: string;
  let lockFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-lock-'));
    lockFile = path.join(dir, 'infra.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs overlapping calls one after the other and releases the lock', async () => {
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      withInfraLock(lockFile, 1000, () => undefined, task('a')),
      withInfraLock(lockFile, 1000, () => undefined, task('b')),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('releases the lock when the task fails', async () => {
    await expect(
      withInfraLock(
        lockFile,
        1000,
        () => undefined,
        () => Promise.reject(new Error('boom')),
      ),
    ).rejects.toThrow('boom');
    expect(fs.existsSync(lockFile)).toBe(false);
    await expect(
      withInfraLock(
        lockFile,
        1000,
        () => undefined,
        async () => 'next',
      ),
    ).resolves.toBe('next');
  });

  it('takes over a lock left by a process that has died', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']);
    fs.writeFileSync(lockFile, `${dead.pid}\n`);
    const onWait = jest.fn();
    await expect(withInfraLock(lockFile, 1000, onWait, async () => 'ran')).resolves.toBe('ran');
    expect(onWait).not.toHaveBeenCalled();
  });

  it('waits for a live owner and gives up with its pid after the timeout', async () => {
    // The parent of this test process is alive for the whole test.
    fs.writeFileSync(lockFile, `${process.ppid}\n`);
    const onWait = jest.fn();
    await expect(withInfraLock(lockFile, 300, onWait, async () => 'ran')).rejects.toThrow(
      `pid ${process.ppid}`,
    );
    expect(onWait).toHaveBeenCalledWith(process.ppid);
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.ppid));
  });
});
