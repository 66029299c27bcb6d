import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoError } from './crypto.error';
import { DEV_MASTER_KEY_ID, loadOrCreateDevMasterKey } from './dev-master-key';
import { parseMasterKeys } from './master-keys';

const posix = process.platform !== 'win32';

describe('loadOrCreateDevMasterKey', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-crypto-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a key file readable by its owner only, in a new directory, the first time', () => {
    const file = join(dir, 'nested', 'dev-master-key');
    const value = loadOrCreateDevMasterKey(file);
    expect(parseMasterKeys(value).activeKeyId).toBe(DEV_MASTER_KEY_ID);
    expect(readFileSync(file, 'utf8')).toBe(`${value}\n`);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('returns the same key on every later call, so sealed values stay readable', () => {
    const file = join(dir, 'dev-master-key');
    const first = loadOrCreateDevMasterKey(file);
    expect(loadOrCreateDevMasterKey(file)).toBe(first);
    const sealed = parseMasterKeys(first).seal('secret');
    expect(parseMasterKeys(loadOrCreateDevMasterKey(file)).open(sealed)).toBe('secret');
  });

  it('reads a key list written by hand, rotation included', () => {
    const file = join(dir, 'dev-master-key');
    const value = `k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`;
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    expect(loadOrCreateDevMasterKey(file)).toBe(value);
  });

  it('refuses a corrupted file, naming it', () => {
    const file = join(dir, 'dev-master-key');
    writeFileSync(file, 'garbage', { mode: 0o600 });
    expect(() => loadOrCreateDevMasterKey(file)).toThrow(
      expect.objectContaining({
        code: 'INVALID_MASTER_KEY',
        message: expect.stringContaining(file),
      }),
    );
  });

  (posix ? it : it.skip)('refuses a key file that other users may read', () => {
    const file = join(dir, 'dev-master-key');
    loadOrCreateDevMasterKey(file);
    chmodSync(file, 0o644);
    expect(() => loadOrCreateDevMasterKey(file)).toThrow(CryptoError);
    expect(() => loadOrCreateDevMasterKey(file)).toThrow(/chmod 600/);
  });

  it('reports a path it cannot create with DEV_KEY_FILE', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    expect(() => loadOrCreateDevMasterKey(join(blocker, 'dev-master-key'))).toThrow(
      expect.objectContaining({ code: 'DEV_KEY_FILE' }),
    );
  });

  it('leaves no temporary file behind', () => {
    loadOrCreateDevMasterKey(join(dir, 'dev-master-key'));
    expect(readdirSync(dir)).toEqual(['dev-master-key']);
  });
});
