import { randomBytes } from 'node:crypto';
import { CryptoError } from './crypto.error';
import { KEY_ID_PATTERN, KeyRing, MASTER_KEY_BYTES, type MasterKey } from './key-ring';

/** The setting that holds the master keys of a deployment. */
export const MASTER_KEY_ENV = 'HOOKLINE_MASTER_KEY';

const FORMAT = '"<id>:<base64 of 32 random bytes>", comma-separated, the active key first';
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses the `HOOKLINE_MASTER_KEY` format, `k2:<base64>,k1:<base64>`: each entry is a key id and
 * 32 key bytes in base64 (standard or url alphabet, padding optional). The first key seals; every
 * key opens. Whitespace around entries is ignored.
 *
 * @param source names the setting in error messages (a file path, another variable...).
 * @throws CryptoError `INVALID_MASTER_KEY`, naming `source`, the entry or key id and the problem,
 *   never any key material.
 */
export function parseMasterKeys(value: string, source: string = MASTER_KEY_ENV): KeyRing {
  const fail = (problem: string) => new CryptoError('INVALID_MASTER_KEY', `${source} ${problem}`);
  if (typeof value !== 'string' || value.trim() === '') {
    throw fail(`is empty: expected ${FORMAT}`);
  }
  const keys: MasterKey[] = [];
  const seen = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const n = index + 1;
    if (entry === '') throw fail(`has an empty entry ${n} (a stray comma?): expected ${FORMAT}`);
    const colon = entry.indexOf(':');
    // Without an id the entry may be a bare key: nothing of it goes into the message.
    if (colon < 0) throw fail(`entry ${n} has no key id: expected ${FORMAT}`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      throw fail(`entry ${n} has an invalid key id: use 1-64 letters, digits, ".", "_" or "-"`);
    }
    if (seen.has(id)) throw fail(`names key id "${id}" twice: every key needs its own id`);
    seen.add(id);
    const key = decodeBase64(encoded);
    if (!key) throw fail(`key "${id}" is not valid base64`);
    if (key.length !== MASTER_KEY_BYTES) {
      throw fail(`key "${id}" is ${key.length} bytes; AES-256 needs exactly ${MASTER_KEY_BYTES}`);
    }
    keys.push({ id, key });
  });
  return new KeyRing(keys);
}

/**
 * A new master key entry, `<id>:<base64 of 32 random bytes>`, for `HOOKLINE_MASTER_KEY`. To
 * rotate, put the new entry first and keep the old ones after it.
 */
export function generateMasterKey(id: string): string {
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
    throw new CryptoError(
      'INVALID_MASTER_KEY',
      'A master key id must be 1-64 letters, digits, ".", "_" or "-"',
    );
  }
  return `${id}:${randomBytes(MASTER_KEY_BYTES).toString('base64')}`;
}

function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  const standard = unpadded.replace(/-/g, '+').replace(/_/g, '/');
  if (standard.length % 4 === 1) return undefined;
  const bytes = Buffer.from(standard, 'base64');
  // Node's decoder skips what it cannot read; only a canonical spelling is a key.
  return bytes.toString('base64').replace(/=+$/, '') === standard ? bytes : undefined;
}
