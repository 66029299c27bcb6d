import { randomBytes } from 'node:crypto';
import { CryptoError } from './crypto.error';
import { generateMasterKey, parseMasterKeys } from './master-keys';

function parseError(value: string): CryptoError {
  try {
    parseMasterKeys(value);
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('INVALID_MASTER_KEY');
    return error as CryptoError;
  }
  throw new Error('expected parseMasterKeys to throw');
}

describe('parseMasterKeys', () => {
  const key = randomBytes(32);

  it('takes the first key as the active one and keeps the others for opening', () => {
    const ring = parseMasterKeys(`${generateMasterKey('k2')},${generateMasterKey('k1')}`);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k2', 'k1']);
  });

  it('accepts standard or url base64, with or without padding, and spaces around entries', () => {
    for (const encoded of [
      key.toString('base64'),
      key.toString('base64').replace(/=+$/, ''),
      key.toString('base64url'),
      `${key.toString('base64url')}=`,
    ]) {
      const ring = parseMasterKeys(` k1 : ${encoded} , k0:${randomBytes(32).toString('base64')} `);
      expect(ring.keyIds).toEqual(['k1', 'k0']);
      expect(parseMasterKeys(`k1:${key.toString('base64')}`).open(ring.seal('x'))).toBe('x');
    }
  });

  it.each([
    ['', 'HOOKLINE_MASTER_KEY is empty'],
    ['   ', 'HOOKLINE_MASTER_KEY is empty'],
    [`k1:${key.toString('base64')},`, 'empty entry 2'],
    [key.toString('base64'), 'entry 1 has no key id'],
    [`bad id:${key.toString('base64')}`, 'entry 1 has an invalid key id'],
    [`:${key.toString('base64')}`, 'entry 1 has an invalid key id'],
    ['k1:not*base64!', 'key "k1" is not valid base64'],
    ['k1:', 'key "k1" is not valid base64'],
    [`k1:${key.toString('base64').slice(0, -3)}=x`, 'key "k1" is not valid base64'],
    [`k1:${randomBytes(16).toString('base64')}`, 'key "k1" is 16 bytes; AES-256 needs exactly 32'],
    [`k1:${randomBytes(33).toString('base64')}`, 'key "k1" is 33 bytes'],
    [
      `k1:${key.toString('base64')},k1:${randomBytes(32).toString('base64')}`,
      'names key id "k1" twice',
    ],
  ])('explains what is wrong with %j', (value, problem) => {
    const error = parseError(value);
    expect(error.message).toContain('HOOKLINE_MASTER_KEY');
    expect(error.message).toContain(problem);
  });

  it('never echoes key material in its errors', () => {
    const secret = randomBytes(32);
    const values = [
      secret.toString('base64'),
      `k1:${secret.toString('base64')}x`,
      `k1:${secret.subarray(0, 20).toString('base64')}`,
      `${secret.toString('base64')}:${secret.toString('base64')}`,
      `k1:${secret.toString('base64')},k1:${secret.toString('base64')}`,
    ];
    for (const value of values) {
      const { message } = parseError(value);
      for (const encoding of ['base64', 'hex'] as const) {
        expect(message).not.toContain(secret.toString(encoding).slice(0, 12));
      }
    }
  });

  it('names the source it was given', () => {
    expect(() => parseMasterKeys('', '/run/secrets/master-key')).toThrow(
      /^\/run\/secrets\/master-key is empty/,
    );
  });
});

describe('generateMasterKey', () => {
  it('makes a parseable entry of 32 random bytes', () => {
    const entry = generateMasterKey('k2025-06');
    expect(entry).toMatch(/^k2025-06:[A-Za-z0-9+/]{43}=$/);
    expect(parseMasterKeys(entry).activeKeyId).toBe('k2025-06');
    expect(generateMasterKey('k1')).not.toBe(generateMasterKey('k1'));
  });

  it('refuses an id the parser would refuse', () => {
    expect(() => generateMasterKey('has space')).toThrow(CryptoError);
    expect(() => generateMasterKey('a:b')).toThrow(CryptoError);
  });
});
