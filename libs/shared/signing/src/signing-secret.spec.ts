import fc from 'fast-check';
import {
  SECRET_MAX_LENGTH,
  SECRET_MIN_LENGTH,
  SigningError,
  generateSecret,
  parseSecret,
  signStandardWebhook,
  signVendorSignature,
  validateSecret,
} from './index';

const problemOf = (input: string): string => {
  const result = validateSecret(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.problem;
};

describe('generateSecret', () => {
  it('is whsec_ followed by padded base64 of 32 random bytes (50 ASCII characters)', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  });

  it('never repeats across 10,000 draws', () => {
    const seen = new Set(Array.from({ length: 10_000 }, generateSecret));
    expect(seen.size).toBe(10_000);
  });

  it('always parses, and serves both schemes from the one string', () => {
    for (let i = 0; i < 200; i++) {
      const value = generateSecret();
      const secret = parseSecret(value);
      expect(secret.value).toBe(value);
      expect(secret.vendorKey).toEqual(Buffer.from(value, 'utf8'));
      expect(secret.standardKey).toEqual(Buffer.from(value.slice(6), 'base64'));
      expect(() => signVendorSignature('{}', value)).not.toThrow();
      expect(() => signStandardWebhook('{}', { id: 'dlv_1', timestamp: 1 }, value)).not.toThrow();
    }
  });
});

describe('parseSecret / validateSecret', () => {
  it('accepts a user-chosen printable-ASCII secret for the vendor scheme only', () => {
    const secret = parseSecret(`my-Own_s3cret!"#$%&'()*+,./:;<=>?@[\\]^{|}~`);
    expect(secret.vendorKey).toEqual(Buffer.from(secret.value, 'ascii'));
    expect(secret.standardKey).toBeUndefined();
  });

  it('accepts a Svix-style secret (whsec_ + 24 bytes) and a 64-byte one, the Standard Webhooks range', () => {
    const svix = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(parseSecret(svix).standardKey).toHaveLength(24);
    const long = `whsec_${Buffer.alloc(64, 7).toString('base64')}`;
    expect(parseSecret(long).standardKey).toHaveLength(64);
  });

  it(`accepts exactly ${SECRET_MIN_LENGTH} to ${SECRET_MAX_LENGTH} characters`, () => {
    expect(validateSecret('a'.repeat(SECRET_MIN_LENGTH)).ok).toBe(true);
    expect(validateSecret('a'.repeat(SECRET_MAX_LENGTH)).ok).toBe(true);
    expect(problemOf('a'.repeat(SECRET_MIN_LENGTH - 1))).toBe(
      'it must be at least 16 characters long, got 15',
    );
    expect(problemOf('a'.repeat(SECRET_MAX_LENGTH + 1))).toBe(
      'it must be at most 256 characters long, got 257',
    );
  });

  it.each([
    ['empty', '', /is empty/],
    [
      'with a trailing newline from copy-and-paste',
      'abcdefghijklmnop\n',
      /starts or ends with whitespace/,
    ],
    ['with a leading space', ' abcdefghijklmnop', /starts or ends with whitespace/],
    [
      'with a space inside',
      'abcdefgh ijklmnop',
      /without spaces \(found whitespace at position 9\)/,
    ],
    [
      'with an accented letter',
      'abcdefghijklmnoé',
      /printable ASCII .*found U\+00E9 at position 16/,
    ],
    ['with an emoji', 'abcdefghijklmnop🔑', /printable ASCII .*found U\+1F511 at position 17/],
    ['with a control character', 'abcdefgh\u0000ijklmnop', /found U\+0000 at position 9/],
    [
      'whsec_ with URL-safe base64',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w',
      /padded standard base64/,
    ],
    ['whsec_ with unpadded base64', `whsec_${'A'.repeat(43)}`, /padded standard base64/],
    ['whsec_ with non-canonical base64', `whsec_${'A'.repeat(42)}B=`, /not canonical base64/],
    [
      'whsec_ with a 16-byte key',
      `whsec_${Buffer.alloc(16).toString('base64')}`,
      /must decode to 24–64 bytes, got 16/,
    ],
    [
      'whsec_ with a 65-byte key',
      `whsec_${Buffer.alloc(65).toString('base64')}`,
      /must decode to 24–64 bytes, got 65/,
    ],
  ])('rejects a secret %s with a message saying why', (_case, input, message) => {
    expect(problemOf(input)).toMatch(message);
    expect(() => parseSecret(input)).toThrow(SigningError);
    expect(() => parseSecret(input)).toThrow(/^Invalid signing secret: /);
  });

  it('never echoes the rejected secret in the problem text', () => {
    const secret = 'whsec_this-is-my-secret-value-that-is-not-base64';
    expect(problemOf(secret)).not.toContain('this-is-my-secret');
  });

  it('reports INVALID_SECRET as the error code', () => {
    expect(() => parseSecret('short')).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
  });

  it('property: every printable-ASCII string of allowed length is accepted unless it claims whsec_', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[!-~]{16,256}$/).filter((s) => !s.startsWith('whsec_')),
        (input) => {
          const result = validateSecret(input);
          return result.ok && result.secret.standardKey === undefined;
        },
      ),
    );
  });
});
