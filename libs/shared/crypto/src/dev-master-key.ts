import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CryptoError } from './crypto.error';
import { generateMasterKey, parseMasterKeys } from './master-keys';

/** The id of the key `loadOrCreateDevMasterKey` generates: sealed values show where they came from. */
export const DEV_MASTER_KEY_ID = 'dev';

/** Where a development setup keeps its key: `.hookline/` is git-ignored. */
export const DEFAULT_DEV_MASTER_KEY_FILE = '.hookline/dev-master-key';

/**
 * Development only: returns the `HOOKLINE_MASTER_KEY` value kept in `file`, creating the file
 * (mode 0600, its directory 0700) with a new random key the first time. Put `file` in a
 * git-ignored place. Whether to use it (e.g. only when `HOOKLINE_MASTER_KEY` is unset and not in
 * production) is the caller's decision.
 *
 * Two processes starting together get the same key: the file appears complete or not at all.
 *
 * @throws CryptoError `DEV_KEY_FILE` when the file cannot be created or read, or when group or
 *   others may read it; `INVALID_MASTER_KEY` when its content is not a valid key list.
 */
export function loadOrCreateDevMasterKey(file: string): string {
  if (typeof file !== 'string' || file === '') {
    throw new CryptoError('DEV_KEY_FILE', 'The development master key file needs a path');
  }
  createIfMissing(file);
  let mode: number;
  let content: string;
  try {
    mode = statSync(file).mode;
    content = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new CryptoError(
      'DEV_KEY_FILE',
      `Cannot read the development master key file ${file} (${errnoCode(error)})`,
    );
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CryptoError(
      'DEV_KEY_FILE',
      `The development master key file ${file} is readable by other users: chmod 600 it`,
    );
  }
  parseMasterKeys(content, `The development master key file ${file}`);
  return content;
}

function createIfMissing(file: string): void {
  const fail = (error: unknown) =>
    new CryptoError(
      'DEV_KEY_FILE',
      `Cannot create the development master key file ${file} (${errnoCode(error)})`,
    );
  try {
    statSync(file);
    return;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw fail(error);
  }
  const content = `${generateMasterKey(DEV_MASTER_KEY_ID)}\n`;
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, content, { flag: 'wx', mode: 0o600 });
    // link() publishes the complete file or fails with EEXIST when another process won the race.
    linkSync(temporary, file);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw fail(error);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // never written, or already gone: nothing to clean up
    }
  }
}

function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
