import { createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { CryptoError } from './crypto.error';
import { KeyRing, aadFor } from './key-ring';
import { generateMasterKey, parseMasterKeys } from './master-keys';
import type { SealedValue } from './sealed-value';

const keyBytes = (id: string) => ({ id, key: randomBytes(32) });

function expectCryptoError(fn: () => unknown, code: CryptoError['code']): CryptoError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
  return caught as CryptoError;
}

describe('KeyRing', () => {
  const ring = parseMasterKeys(generateMasterKey('k1'));

  it('opens what it sealed, for empty, ASCII, multi-byte and long text', () => {
    for (const text of ['', 'whsec_abc', 'clé 🔑 秘密', 'x'.repeat(100_000)]) {
      expect(ring.open(ring.seal(text))).toBe(text);
      expect(ring.open(ring.seal(text, 'ctx'), 'ctx')).toBe(text);
    }
  });

  it('writes the documented layout: base64url(12-byte nonce ‖ ciphertext ‖ 16-byte tag)', () => {
    const key = randomBytes(32);
    const sealed = new KeyRing([{ id: 'k1', key }]).seal('secret value', 'aad');
    expect(sealed).toEqual({ alg: 'A256GCM', keyId: 'k1', ciphertext: expect.any(String) });
    expect(sealed.ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    expect(bytes.length).toBe(12 + Buffer.byteLength('secret value') + 16);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from('aad'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]);
    expect(plain.toString('utf8')).toBe('secret value');
  });

  it('uses a fresh nonce for every value, so equal secrets never give equal ciphertexts', () => {
    const nonces = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { ciphertext } = ring.seal('same secret');
      ciphertexts.add(ciphertext);
      nonces.add(Buffer.from(ciphertext, 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(nonces.size).toBe(1000);
    expect(ciphertexts.size).toBe(1000);
  });

  it('does not contain the plaintext, in clear, base64, base64url or hex', () => {
    const secret = 'whsec_MySuperSecretSigningKey-0123456789';
    const serialized = JSON.stringify(ring.seal(secret, aadFor('wh_1', 'signingSecret')));
    for (const encoding of ['utf8', 'base64', 'base64url', 'hex'] as const) {
      const encoded = Buffer.from(secret).toString(encoding).replace(/=+$/, '');
      expect(serialized).not.toContain(encoded);
      // and not any 12-character window of it either
      for (let i = 0; i + 12 <= encoded.length; i += 4) {
        expect(serialized).not.toContain(encoded.slice(i, i + 12));
      }
    }
  });

  it('detects a change to any byte of nonce, ciphertext or tag', () => {
    const sealed = ring.seal('tamper with me', 'aad');
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const changed = Buffer.from(bytes);
        changed[i] = (changed[i] as number) ^ mask;
        const tampered = { ...sealed, ciphertext: changed.toString('base64url') };
        expectCryptoError(() => ring.open(tampered, 'aad'), 'DECRYPTION_FAILED');
      }
    }
  });

  it('detects a truncated or extended ciphertext', () => {
    const sealed = ring.seal('tamper with me');
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    for (const changed of [
      bytes.subarray(0, -1),
      bytes.subarray(1),
      Buffer.concat([bytes, Buffer.alloc(1)]),
    ]) {
      expectCryptoError(
        () => ring.open({ ...sealed, ciphertext: changed.toString('base64url') }),
        'DECRYPTION_FAILED',
      );
    }
  });

  it('opens a value bound with AAD only with that same AAD', () => {
    const sealed = ring.seal('secret', aadFor('wh_a', 'signingSecret'));
    expect(ring.open(sealed, aadFor('wh_a', 'signingSecret'))).toBe('secret');
    for (const aad of [
      aadFor('wh_b', 'signingSecret'),
      aadFor('wh_a', 'header', 'x'),
      '',
      undefined,
    ]) {
      expectCryptoError(() => ring.open(sealed, aad), 'DECRYPTION_FAILED');
    }
    expectCryptoError(() => ring.open(ring.seal('secret'), 'unexpected'), 'DECRYPTION_FAILED');
  });

  it('encodes AAD parts unambiguously', () => {
    expect(aadFor('a:b', 'c')).not.toBe(aadFor('a', 'b:c'));
    expect(aadFor('a', 'b')).not.toBe(aadFor('a,b'));
  });

  it('refuses a value sealed under another key with the same id', () => {
    const other = new KeyRing([keyBytes('k1')]);
    expectCryptoError(() => ring.open(other.seal('secret')), 'DECRYPTION_FAILED');
  });

  it('names an unknown key id without leaking anything else', () => {
    const other = new KeyRing([keyBytes('k9')]);
    const error = expectCryptoError(() => ring.open(other.seal('secret')), 'UNKNOWN_KEY');
    expect(error.message).toContain('"k9"');
  });

  it('rotates: old values still open after a new active key is added; new seals use it', () => {
    const k1 = generateMasterKey('k1');
    const before = parseMasterKeys(k1);
    const old = before.seal('old secret', 'aad');
    const after = parseMasterKeys(`${generateMasterKey('k2')},${k1}`);
    expect(after.activeKeyId).toBe('k2');
    expect(after.keyIds).toEqual(['k2', 'k1']);
    expect(after.open(old, 'aad')).toBe('old secret');
    const fresh = after.seal('new secret', 'aad');
    expect(fresh.keyId).toBe('k2');
    expect(after.needsResealing(old)).toBe(true);
    expect(after.needsResealing(fresh)).toBe(false);
    const resealed = after.reseal(old, 'aad');
    expect(resealed.keyId).toBe('k2');
    expect(after.open(resealed, 'aad')).toBe('old secret');
    expectCryptoError(() => before.open(fresh, 'aad'), 'UNKNOWN_KEY');
  });

  it('rejects malformed sealed values with MALFORMED_SEALED_VALUE', () => {
    const good = ring.seal('x');
    const bad: unknown[] = [
      null,
      'string',
      { ...good, alg: 'A128GCM' },
      { ...good, keyId: '' },
      { ...good, keyId: 42 },
      { ...good, ciphertext: `${good.ciphertext}=` },
      { ...good, ciphertext: good.ciphertext.replace(/.$/, '+') },
      { ...good, ciphertext: '' },
      { ...good, ciphertext: Buffer.alloc(27).toString('base64url') },
    ];
    for (const value of bad) {
      expectCryptoError(() => ring.open(value as SealedValue), 'MALFORMED_SEALED_VALUE');
    }
  });

  it('rejects a non-canonical base64url spelling instead of decoding it leniently', () => {
    const good = ring.seal('x'); // 29 bytes: the last character carries 2 unused bits
    const last = good.ciphertext.slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const sealed = { ...good, ciphertext: good.ciphertext.slice(0, -1) + sibling };
    expectCryptoError(() => ring.open(sealed), 'MALFORMED_SEALED_VALUE');
  });

  it('refuses text that UTF-8 cannot carry unchanged', () => {
    expect(() => ring.seal('a\uD800b')).toThrow(TypeError);
    expect(() => ring.seal('ok', '\uDC00')).toThrow(TypeError);
    expect(() => ring.seal(42 as unknown as string)).toThrow(TypeError);
  });

  it('never shows key bytes in inspect, JSON or errors', () => {
    const key = randomBytes(32);
    const keyRing = new KeyRing([{ id: 'k1', key }]);
    const shown = [
      inspect(keyRing, { showHidden: true, depth: 10 }),
      JSON.stringify(keyRing),
      String(keyRing),
    ].join('\n');
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(shown).not.toContain(key.toString(encoding).slice(0, 16));
    }
    expect(shown).toContain('k1');
  });

  it('keeps its own copy of the key bytes', () => {
    const key = randomBytes(32);
    const keyRing = new KeyRing([{ id: 'k1', key }]);
    const sealed = keyRing.seal('secret');
    key.fill(0);
    expect(keyRing.open(sealed)).toBe('secret');
  });

  it('refuses an empty ring, a short key, a bad or duplicate id', () => {
    expectCryptoError(() => new KeyRing([]), 'INVALID_MASTER_KEY');
    expectCryptoError(
      () => new KeyRing([{ id: 'k1', key: randomBytes(16) }]),
      'INVALID_MASTER_KEY',
    );
    expectCryptoError(
      () => new KeyRing([{ id: 'k 1', key: randomBytes(32) }]),
      'INVALID_MASTER_KEY',
    );
    expectCryptoError(() => new KeyRing([keyBytes('k1'), keyBytes('k1')]), 'INVALID_MASTER_KEY');
  });
});
