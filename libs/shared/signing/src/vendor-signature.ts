import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignableBody } from './signable-body';
import { SigningError } from './signing.error';

// Exactly what the receivers' hexdigest()/digest('hex') produce. Upper case is rejected on
// purpose: the seed's receivers compare strings, so a sender emitting upper case would fail
// there, and this verifier is what our own sender is tested against.
const LOWER_HEX_SHA256 = /^[0-9a-f]{64}$/;

function vendorHmac(body: SignableBody, secret: string) {
  if (secret.length === 0) {
    throw new SigningError(
      'INVALID_SECRET',
      'Signing secret is empty; there is nothing to sign with',
    );
  }
  // A string key is used as its UTF-8 bytes, as the receivers' secret.encode('utf-8') and
  // createHmac('sha256', secret) do: the whole stored string, `whsec_` prefix included.
  return createHmac('sha256', secret).update(body);
}

/**
 * The `X-<Vendor>-Signature` value: lowercase hex HMAC-SHA256 of the body bytes, keyed by the
 * UTF-8 bytes of the secret string exactly as stored. Plain and allocation-light; this is the
 * function to benchmark.
 * @throws SigningError `INVALID_SECRET` when the secret is empty.
 */
export function signVendorSignature(body: SignableBody, secret: string): string {
  return vendorHmac(body, secret).digest('hex');
}

/**
 * Timing-safe check of an `X-<Vendor>-Signature` value. Returns false, never throws, for a
 * missing, wrong-length, non-hex, upper-case or non-matching signature.
 * @throws SigningError `INVALID_SECRET` when the secret is empty (a configuration error).
 */
export function verifyVendorSignature(
  body: SignableBody,
  signature: string | null | undefined,
  secret: string,
): boolean {
  const expected = vendorHmac(body, secret).digest();
  if (typeof signature !== 'string' || signature.length !== 64) return false;
  if (!LOWER_HEX_SHA256.test(signature)) return false;
  const given = Buffer.from(signature, 'hex');
  // Both are 32 bytes here; the check stays so timingSafeEqual can never throw.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
