/**
 * Why an attempt failed, by stage (DNS, connect, TLS, policy, HTTP, rendering). The class, not
 * the message, decides whether the attempt is retried. Names never change once released: they
 * are the prefix of the `error` text in the delivery log.
 */
export const FAILURE_CLASSES = [
  'timeout',
  'dns',
  'connection_refused',
  'connection_reset',
  'tls',
  'blocked_by_policy',
  'http_4xx',
  'http_5xx',
  'redirect',
  'invalid_template',
  'response_too_large',
  'other',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** The result of one HTTP call to a webhook endpoint, as the sender reports it. */
export type AttemptOutcome =
  | { ok: true; statusCode: number; durationMs: number }
  | {
      ok: false;
      failure: FailureClass;
      /** Present when the endpoint answered. */
      statusCode?: number;
      message: string;
      durationMs: number;
      /** The answer's Retry-After, already parsed with {@link parseRetryAfter}. */
      retryAfterSeconds?: number;
    };

/** What an HTTP status means for a delivery: 2xx is success; anything else is a failure class. */
export type HttpStatusClass =
  { ok: true } | { ok: false; failure: 'redirect' | 'http_4xx' | 'http_5xx' | 'other' };

/**
 * Classifies an HTTP response status. 3xx is a `redirect` failure because redirects are never
 * followed (a redirect could point the request at a private address after the SSRF check).
 * Statuses outside 200–599 (1xx reaching the caller, or nonsense) are `other`.
 */
export function classifyHttpStatus(status: number): HttpStatusClass {
  if (!Number.isInteger(status)) return { ok: false, failure: 'other' };
  if (status >= 200 && status <= 299) return { ok: true };
  if (status >= 300 && status <= 399) return { ok: false, failure: 'redirect' };
  if (status >= 400 && status <= 499) return { ok: false, failure: 'http_4xx' };
  if (status >= 500 && status <= 599) return { ok: false, failure: 'http_5xx' };
  return { ok: false, failure: 'other' };
}

const DELTA_SECONDS = /^\d+$/;
// IMF-fixdate, the only HTTP-date form senders may generate (RFC 9110 §5.6.7).
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Parses a Retry-After header into whole seconds from `now`: delta-seconds (`120`) or an
 * IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`, rounded up; a date in the past is 0).
 * Anything else (empty, negative, fractional, other date forms, impossible dates) is
 * `undefined`: the caller falls back to its own delay. Capping is the retry policy's job.
 */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (DELTA_SECONDS.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  const match = IMF_FIXDATE.exec(value);
  if (match === null) return undefined;
  const [, day, month, year, hour, minute, second] = match as unknown as string[];
  const monthIndex = MONTHS.indexOf(month as string);
  const at = Date.UTC(
    Number(year),
    monthIndex,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  const date = new Date(at);
  // Date.UTC rolls 31 Feb over into March; such a header is malformed, not a valid date.
  if (
    date.getUTCDate() !== Number(day) ||
    date.getUTCMonth() !== monthIndex ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 60
  ) {
    return undefined;
  }
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
