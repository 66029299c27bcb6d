import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignableBody } from './signable-body';
import { SigningError } from './signing.error';
import { standardKeyOf } from './signing-secret';

/** Standard Webhooks' default replay window, both into the past and the future. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** What identifies one message: the same id and timestamp on every retry of a delivery. */
export interface StandardWebhookMessage {
  /** Unique per message, stable across retries (receivers dedupe on it). */
  readonly id: string;
  /** Unix seconds. */
  readonly timestamp: number;
}

// A type alias, not an interface, so it is assignable to HeaderInput (verify what you signed).
export type StandardWebhookHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  /** `v1,<base64>` per active secret, newest first, separated by single spaces. */
  readonly 'webhook-signature': string;
};

/** Request headers as Node (`IncomingHttpHeaders`) or a plain object gives them; any case. */
export type HeaderInput = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface StandardVerifyOptions {
  /** Accepted clock difference in seconds; default {@link DEFAULT_TOLERANCE_SECONDS}. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock in unix seconds; default now. */
  readonly nowSeconds?: number;
}

export type StandardVerifyFailure =
  | 'MISSING_HEADER'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_TOO_OLD'
  | 'TIMESTAMP_TOO_NEW'
  | 'NO_MATCHING_SIGNATURE';

export type StandardWebhookVerification =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: StandardVerifyFailure };

// HTTP token characters without '.': the id is the first field of `${id}.${timestamp}.${body}`,
// and a dot inside it would let one signed string be re-read as another id/timestamp/body split.
const MESSAGE_ID = /^[!#$%&'*+\-^_`|~0-9A-Za-z]{1,256}$/;
// Digits without leading zeros: the signed text is the header text, and receivers that parse
// and re-print the number (the reference JS library does) must get the same string back.
const TIMESTAMP_HEADER = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Standard Webhooks headers for one message: `webhook-signature` carries one `v1,<base64>` per
 * secret, in the order given (pass the newest secret first during a rotation). Each signature
 * is base64(HMAC-SHA256(key, `${id}.${timestamp}.` bytes followed by the body bytes)), where key
 * is the base64-decoded text after `whsec_`.
 * @throws SigningError for an empty secret list, a secret not of the `whsec_<base64>` form, an
 * id that is not 1–256 HTTP token characters without '.', or a timestamp that is not a
 * non-negative integer.
 */
export function signStandardWebhook(
  body: SignableBody,
  message: StandardWebhookMessage,
  secrets: string | readonly string[],
): StandardWebhookHeaders {
  if (!MESSAGE_ID.test(message.id)) {
    throw new SigningError(
      'INVALID_MESSAGE_ID',
      `Invalid webhook-id ${JSON.stringify(message.id)}: it must be 1–256 HTTP token ` +
        "characters (letters, digits and !#$%&'*+-^_`|~), without '.'",
    );
  }
  if (!Number.isSafeInteger(message.timestamp) || message.timestamp < 0) {
    throw new SigningError(
      'INVALID_TIMESTAMP',
      `Invalid webhook-timestamp ${String(message.timestamp)}: it must be whole unix seconds`,
    );
  }
  const keys = keysOf(secrets);
  const timestamp = String(message.timestamp);
  const signatures = keys.map((key) => `v1,${standardDigest(key, message.id, timestamp, body)}`);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Verifies Standard Webhooks headers: the timestamp must be within the tolerance of now, and
 * any one `v1` entry of `webhook-signature` must match any one of the secrets (timing-safe).
 * Malformed headers are a failed result, never an exception.
 * @throws SigningError when a secret is not of the `whsec_<base64>` form or none is given.
 */
export function verifyStandardWebhook(
  body: SignableBody,
  headers: HeaderInput,
  secrets: string | readonly string[],
  options: StandardVerifyOptions = {},
): StandardWebhookVerification {
  const keys = keysOf(secrets);
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatureList = header(headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatureList === undefined) {
    return { ok: false, reason: 'MISSING_HEADER' };
  }
  if (!TIMESTAMP_HEADER.test(timestampText)) return { ok: false, reason: 'INVALID_TIMESTAMP' };
  const timestamp = Number(timestampText);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - timestamp > tolerance) return { ok: false, reason: 'TIMESTAMP_TOO_OLD' };
  if (timestamp - now > tolerance) return { ok: false, reason: 'TIMESTAMP_TOO_NEW' };

  const given = signatureList
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  for (const key of keys) {
    const expected = Buffer.from(standardDigest(key, id, timestampText, body), 'utf8');
    for (const candidate of given) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, id, timestamp };
      }
    }
  }
  return { ok: false, reason: 'NO_MATCHING_SIGNATURE' };
}

function standardDigest(key: Buffer, id: string, timestamp: string, body: SignableBody): string {
  // Two updates instead of one concatenation: the body bytes are hashed as they are, without
  // a copy or a decode/re-encode round trip.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

function keysOf(secrets: string | readonly string[]): Buffer[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) {
    throw new SigningError('INVALID_SECRET', 'Standard Webhooks needs at least one secret');
  }
  return list.map(standardKeyOf);
}

function header(headers: HeaderInput, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
