import type { AttemptOutcome, FailureClass } from '../outcome/attempt-outcome';

/** How many calls a delivery gets and how long to wait between them. */
export interface RetryPolicy {
  /** Calls in all, the first included (≥ 1). */
  maxAttempts: number;
  /** Seconds to wait after attempt n before attempt n + 1, at index n - 1. */
  delaysSeconds: number[];
  /** A receiver's Retry-After is honoured up to this many seconds. */
  retryAfterCapSeconds: number;
}

/**
 * The product document's policy: 3 attempts in all, waiting 2 s then 4 s ("Retry Logic").
 * Its FAQ says "Corgea will retry 3 times with exponential backoff", which read literally is
 * 4 attempts; the Retry Logic section is the specific one (it names the delays), so it wins:
 * the FAQ's "3 times" is read as 3 tries. Deployments wanting more set a policy string.
 * The Retry-After cap (5 min) is Hookline's: the document says nothing about Retry-After.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  delaysSeconds: Object.freeze([2, 4]) as number[],
  retryAfterCapSeconds: 300,
});

/** Upper bounds that keep a typo from scheduling a retry next year. */
export const RETRY_POLICY_LIMITS = Object.freeze({
  maxAttempts: 50,
  maxDelaySeconds: 7 * 24 * 3600,
});

/** A retry policy setting that cannot be used; `message` names the part that is wrong. */
export class RetryPolicyError extends Error {
  readonly code = 'invalid_retry_policy';
  constructor(message: string) {
    super(message);
    this.name = 'RetryPolicyError';
  }
}

const KEYS = ['attempts', 'delays', 'retryAfterCap'] as const;
type Key = (typeof KEYS)[number];
const INTEGER = /^\d+$/;

/**
 * Parses a policy setting: `attempts=5;delays=2,4,30,120` and optionally `;retryAfterCap=600`.
 * `delays` lists one wait (whole seconds, ≥ 1) before each retry, so exactly `attempts - 1`
 * entries; it may be left out when `attempts=1`. The cap defaults to the default policy's.
 * Parts are separated by `;`, whitespace around parts and values is ignored.
 *
 * @throws RetryPolicyError naming the setting part that is wrong.
 */
export function parseRetryPolicy(text: string): RetryPolicy {
  const parts = new Map<Key, string>();
  const trimmed = text.trim();
  if (trimmed === '')
    throw new RetryPolicyError('retry policy is empty; expected e.g. attempts=3;delays=2,4');
  for (const raw of trimmed.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new RetryPolicyError(`retry policy part "${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new RetryPolicyError(
        `retry policy key "${key}" is unknown; expected one of ${KEYS.join(', ')}`,
      );
    }
    if (parts.has(key as Key))
      throw new RetryPolicyError(`retry policy key "${key}" is given twice`);
    parts.set(key as Key, value);
  }

  const attemptsText = parts.get('attempts');
  if (attemptsText === undefined) throw new RetryPolicyError('retry policy needs attempts=<n>');
  const maxAttempts = integerIn('attempts', attemptsText, 1, RETRY_POLICY_LIMITS.maxAttempts);

  const delaysText = parts.get('delays');
  const delaysSeconds =
    delaysText === undefined || delaysText === ''
      ? []
      : delaysText
          .split(',')
          .map((d, i) =>
            integerIn(`delays[${i}]`, d.trim(), 1, RETRY_POLICY_LIMITS.maxDelaySeconds),
          );
  if (delaysSeconds.length !== maxAttempts - 1) {
    throw new RetryPolicyError(
      `retry policy delays has ${delaysSeconds.length} entries but attempts=${maxAttempts} needs ` +
        `${maxAttempts - 1} (one wait before each retry)`,
    );
  }

  const capText = parts.get('retryAfterCap');
  const retryAfterCapSeconds =
    capText === undefined
      ? DEFAULT_RETRY_POLICY.retryAfterCapSeconds
      : integerIn('retryAfterCap', capText, 0, RETRY_POLICY_LIMITS.maxDelaySeconds);

  return { maxAttempts, delaysSeconds, retryAfterCapSeconds };
}

function integerIn(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!INTEGER.test(text) || value < min || value > max) {
    throw new RetryPolicyError(
      `retry policy ${name} must be a whole number from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

/** Failures that no retry can fix: the next call would fail the same way. */
export const PERMANENT_FAILURES: readonly FailureClass[] = Object.freeze([
  'invalid_template',
  'blocked_by_policy',
]);

/** Statuses whose Retry-After is honoured (RFC 9110 §10.2.3 defines it for these). */
const RETRY_AFTER_STATUSES: readonly number[] = [429, 503];

export type RetryDecision =
  | {
      retry: true;
      /** When the next attempt is due. */
      at: Date;
      /** Seconds from `now` to `at`. */
      delaySeconds: number;
      /** The failure being retried. */
      reason: FailureClass;
    }
  | { retry: false; reason: 'succeeded' | 'permanent' | 'exhausted' };

/**
 * Decides what follows attempt `attemptNumber` (1 = the first call) of a delivery.
 * Success stops; `invalid_template` and `blocked_by_policy` stop at once (`permanent`); any
 * other failure is retried after the policy's delay until `maxAttempts` calls were made
 * (`exhausted`). A 429 or 503 with Retry-After waits the receiver's time, but never less than
 * the policy's delay and never more than the cap (if the policy's own delay exceeds the cap,
 * the policy's delay wins). Pure: `now` comes in.
 *
 * @throws RangeError when attemptNumber is not a positive integer.
 */
export function nextAttempt(
  policy: RetryPolicy,
  attemptNumber: number,
  outcome: AttemptOutcome,
  now: Date,
): RetryDecision {
  if (!Number.isSafeInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber must be a positive integer, got ${attemptNumber}`);
  }
  if (outcome.ok) return { retry: false, reason: 'succeeded' };
  if (PERMANENT_FAILURES.includes(outcome.failure)) return { retry: false, reason: 'permanent' };
  if (attemptNumber >= policy.maxAttempts) return { retry: false, reason: 'exhausted' };

  const delays = policy.delaysSeconds;
  // A hand-built policy with too few delays repeats its last one (parseRetryPolicy forbids it).
  const policyDelay = delays[Math.min(attemptNumber, delays.length) - 1] ?? 0;
  let delaySeconds = policyDelay;
  if (
    outcome.retryAfterSeconds !== undefined &&
    outcome.statusCode !== undefined &&
    RETRY_AFTER_STATUSES.includes(outcome.statusCode)
  ) {
    delaySeconds = Math.max(
      policyDelay,
      Math.min(outcome.retryAfterSeconds, policy.retryAfterCapSeconds),
    );
  }
  return {
    retry: true,
    at: new Date(now.getTime() + delaySeconds * 1000),
    delaySeconds,
    reason: outcome.failure,
  };
}
