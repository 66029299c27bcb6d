import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SigningError, signVendorSignature, verifyVendorSignature } from './index';

const SECRET = 'whsec_9iq0bxGGJkhm2ztUWG4KiFBOo+0SPqmQjWb0n5rGA9M=';
const BODY = '{"event_id":"a1b2c3d4","event_type":"scan.completed"}';

describe('signVendorSignature', () => {
  it('matches the RFC 4231 HMAC-SHA256 test vector (key "Jefe")', () => {
    expect(signVendorSignature('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('is 64 lowercase hex characters', () => {
    expect(signVendorSignature(BODY, SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs a string as its UTF-8 bytes: the same signature as for the encoded Buffer', () => {
    const body = '{"name":"Crème brûlée 🚀"}\n';
    expect(signVendorSignature(body, SECRET)).toBe(
      signVendorSignature(Buffer.from(body, 'utf8'), SECRET),
    );
  });

  it('keys with the whole secret string, whsec_ prefix included, as UTF-8 bytes', () => {
    const secret = 'whsec_clé-secrète-🔑';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(BODY).digest('hex');
    expect(signVendorSignature(BODY, secret)).toBe(expected);
  });

  it('refuses an empty secret instead of signing with an empty key', () => {
    expect(() => signVendorSignature(BODY, '')).toThrow(SigningError);
    expect(() => verifyVendorSignature(BODY, '0'.repeat(64), '')).toThrow(SigningError);
  });
});

describe('verifyVendorSignature', () => {
  const good = signVendorSignature(BODY, SECRET);

  it('accepts the signature made over the same body and secret', () => {
    expect(verifyVendorSignature(BODY, good, SECRET)).toBe(true);
  });

  it.each([
    ['missing (undefined)', undefined],
    ['null', null],
    ['empty', ''],
    ['one character short', good.slice(0, 63)],
    ['one character long', `${good}0`],
    ['twice as long', good + good],
    ['64 characters that are not hex', 'g'.repeat(64)],
    ['hex with a space inside', `${good.slice(0, 31)} ${good.slice(32)}`],
    ['upper-case hex, which the seed receivers reject', good.toUpperCase()],
    ['prefixed with sha256=', `sha256=${good}`],
    ['base64 instead of hex', Buffer.from(good, 'hex').toString('base64')],
  ])('rejects a signature that is %s, without throwing', (_case, signature) => {
    expect(() => verifyVendorSignature(BODY, signature, SECRET)).not.toThrow();
    expect(verifyVendorSignature(BODY, signature, SECRET)).toBe(false);
  });

  it('rejects a signature with any single hex digit changed', () => {
    for (let i = 0; i < good.length; i++) {
      const digit = good[i] === '0' ? '1' : '0';
      const tampered = good.slice(0, i) + digit + good.slice(i + 1);
      expect(verifyVendorSignature(BODY, tampered, SECRET)).toBe(false);
    }
  });

  it('rejects the right signature checked with another secret', () => {
    expect(verifyVendorSignature(BODY, good, `${SECRET}x`)).toBe(false);
  });

  it('property: sign then verify holds for arbitrary bodies (bytes or text) and secrets', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ unit: 'grapheme', maxLength: 512 }),
        ),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 128 }),
        (body, secret) => verifyVendorSignature(body, signVendorSignature(body, secret), secret),
      ),
      { numRuns: 300 },
    );
  });

  it('property: flipping any bit of any body byte makes the signature fail', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ minLength: 1, maxLength: 2048 })
          .chain((body) =>
            fc.tuple(fc.constant(body), fc.nat(body.length - 1), fc.integer({ min: 0, max: 7 })),
          ),
        fc.string({ minLength: 1, maxLength: 64 }),
        ([body, index, bit], secret) => {
          const signature = signVendorSignature(body, secret);
          const changed = Uint8Array.from(body);
          changed[index] = (changed[index] ?? 0) ^ (1 << bit);
          return (
            verifyVendorSignature(body, signature, secret) &&
            !verifyVendorSignature(changed, signature, secret)
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
