import { randomBytes } from 'node:crypto';
import { SigningError } from './signing.error';

/** Marks a secret whose remainder is a base64 key, as Standard Webhooks libraries expect. */
export const STANDARD_SECRET_PREFIX = 'whsec_';
/** Bounds on a user-supplied secret, in characters (all ASCII, so also bytes). */
export const SECRET_MIN_LENGTH = 16;
export const SECRET_MAX_LENGTH = 256;

// 32 bytes = 256 bits, the HMAC-SHA256 output size; inside Standard Webhooks' 24–64 byte range.
const GENERATED_KEY_BYTES = 32;
const STANDARD_KEY_MIN_BYTES = 24;
const STANDARD_KEY_MAX_BYTES = 64;
// Padded standard alphabet only: the reference JS library rejects unpadded and URL-safe input.
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A validated secret and the exact key bytes each scheme uses. */
export interface SigningSecret {
  /** The secret exactly as stored and shown to the user. */
  readonly value: string;
  /** `X-<Vendor>-Signature` key: the UTF-8 (here ASCII) bytes of `value`, prefix included. */
  readonly vendorKey: Buffer;
  /**
   * Standard Webhooks key: base64-decoded text after `whsec_`; undefined when `value` is not of
   * that form, in which case only the vendor signature can be sent.
   */
  readonly standardKey: Buffer | undefined;
}

export type SecretValidation =
  | { readonly ok: true; readonly secret: SigningSecret }
  | { readonly ok: false; readonly problem: string };

/**
 * A new secret `whsec_<base64 of 32 random bytes>` (50 ASCII characters). It serves both
 * schemes: vendor receivers key with the whole string's bytes, Standard Webhooks receivers with
 * the 32 decoded bytes.
 */
export function generateSecret(): string {
  return STANDARD_SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/** Checks a secret given by a user; the problem text is safe to show and never echoes it. */
export function validateSecret(input: string): SecretValidation {
  const problem = secretProblem(input);
  if (problem !== undefined) return { ok: false, problem };
  const standard = input.startsWith(STANDARD_SECRET_PREFIX) ? decodeStandardKey(input) : undefined;
  if (typeof standard === 'string') return { ok: false, problem: standard };
  return {
    ok: true,
    secret: { value: input, vendorKey: Buffer.from(input, 'utf8'), standardKey: standard },
  };
}

/**
 * Parses a secret given by a user (or loaded from storage).
 * @throws SigningError `INVALID_SECRET` with a message saying what is wrong.
 */
export function parseSecret(input: string): SigningSecret {
  const result = validateSecret(input);
  if (!result.ok)
    throw new SigningError('INVALID_SECRET', `Invalid signing secret: ${result.problem}`);
  return result.secret;
}

/**
 * The Standard Webhooks key of a `whsec_` secret, for signing and verifying.
 * @throws SigningError `SECRET_NOT_STANDARD` or `INVALID_SECRET`.
 */
export function standardKeyOf(secret: string): Buffer {
  if (!secret.startsWith(STANDARD_SECRET_PREFIX)) {
    throw new SigningError(
      'SECRET_NOT_STANDARD',
      `Standard Webhooks needs a "${STANDARD_SECRET_PREFIX}<base64>" secret; this secret can ` +
        'only produce the X-<Vendor>-Signature header',
    );
  }
  const key = decodeStandardKey(secret);
  if (typeof key === 'string')
    throw new SigningError('INVALID_SECRET', `Invalid signing secret: ${key}`);
  return key;
}

function secretProblem(input: string): string | undefined {
  if (input.length === 0) return 'it is empty';
  if (input.trim() !== input) {
    return 'it starts or ends with whitespace, which copy-and-paste tends to add or drop; remove it';
  }
  if (input.length < SECRET_MIN_LENGTH) {
    return `it must be at least ${SECRET_MIN_LENGTH} characters long, got ${input.length}`;
  }
  if (input.length > SECRET_MAX_LENGTH) {
    return `it must be at most ${SECRET_MAX_LENGTH} characters long, got ${input.length}`;
  }
  let position = 0;
  for (const char of input) {
    position += 1;
    const code = char.codePointAt(0) ?? 0;
    // Printable ASCII only: receivers key with the string's UTF-8 bytes, and non-ASCII text has
    // several byte forms (NFC/NFD, Latin-1 config files) that would silently disagree.
    if (code < 0x21 || code > 0x7e) {
      const found = code === 0x20 || code === 0x09 ? 'whitespace' : `U+${hex4(code)}`;
      return (
        `it may contain only printable ASCII characters without spaces (found ${found} at ` +
        `position ${position})`
      );
    }
  }
  return undefined;
}

function decodeStandardKey(secret: string): Buffer | string {
  const encoded = secret.slice(STANDARD_SECRET_PREFIX.length);
  if (!STANDARD_BASE64.test(encoded) || encoded.length === 0) {
    return (
      `after "${STANDARD_SECRET_PREFIX}" it must be padded standard base64 ` +
      '(A–Z, a–z, 0–9, +, / and = padding to a multiple of 4 characters)'
    );
  }
  const key = Buffer.from(encoded, 'base64');
  // Reject non-canonical encodings (stray bits in the last character): other decoders could
  // read them differently.
  if (key.toString('base64') !== encoded) {
    return `after "${STANDARD_SECRET_PREFIX}" it is not canonical base64 (unused bits are set)`;
  }
  if (key.length < STANDARD_KEY_MIN_BYTES || key.length > STANDARD_KEY_MAX_BYTES) {
    return (
      `the key after "${STANDARD_SECRET_PREFIX}" must decode to ${STANDARD_KEY_MIN_BYTES}–` +
      `${STANDARD_KEY_MAX_BYTES} bytes, got ${key.length}`
    );
  }
  return key;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
