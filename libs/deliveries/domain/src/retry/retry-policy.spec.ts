import type { AttemptOutcome, FailureClass } from '../outcome/attempt-outcome';
import {
  DEFAULT_RETRY_POLICY,
  RetryPolicyError,
  nextAttempt,
  parseRetryPolicy,
  type RetryPolicy,
} from './retry-policy';

const NOW = new Date('2025-01-15T14:30:00.000Z');
const after = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);
const ok: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 12 };
const failed = (
  failure: FailureClass,
  extra: Partial<Extract<AttemptOutcome, { ok: false }>> = {},
): AttemptOutcome => ({ ok: false, failure, message: failure, durationMs: 5, ...extra });

describe('DEFAULT_RETRY_POLICY', () => {
  it('is the product document: 3 attempts in all, 2 s then 4 s between them', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 3,
      delaysSeconds: [2, 4],
      retryAfterCapSeconds: 300,
    });
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.delaysSeconds)).toBe(true);
  });
});

describe('nextAttempt with the default policy', () => {
  it.each<[string, number, AttemptOutcome, ReturnType<typeof nextAttempt>]>([
    ['a success stops', 1, ok, { retry: false, reason: 'succeeded' }],
    ['a success on the last attempt stops', 3, ok, { retry: false, reason: 'succeeded' }],
    [
      'a 5xx on attempt 1 waits 2 s',
      1,
      failed('http_5xx', { statusCode: 500 }),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'http_5xx' },
    ],
    [
      'a timeout on attempt 2 waits 4 s',
      2,
      failed('timeout'),
      { retry: true, at: after(4), delaySeconds: 4, reason: 'timeout' },
    ],
    [
      'a failure on attempt 3 is exhausted',
      3,
      failed('timeout'),
      { retry: false, reason: 'exhausted' },
    ],
    [
      'an attempt past the budget is exhausted',
      7,
      failed('dns'),
      { retry: false, reason: 'exhausted' },
    ],
    [
      'an invalid template is permanent',
      1,
      failed('invalid_template'),
      { retry: false, reason: 'permanent' },
    ],
    [
      'a blocked address is permanent',
      1,
      failed('blocked_by_policy'),
      { retry: false, reason: 'permanent' },
    ],
    [
      'a permanent failure on the last attempt is permanent, not exhausted',
      3,
      failed('blocked_by_policy'),
      { retry: false, reason: 'permanent' },
    ],
    [
      'a 4xx is retried',
      1,
      failed('http_4xx', { statusCode: 404 }),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'http_4xx' },
    ],
    [
      'a redirect is retried',
      1,
      failed('redirect', { statusCode: 302 }),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'redirect' },
    ],
    [
      'a too-large response is retried',
      1,
      failed('response_too_large', { statusCode: 200 }),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'response_too_large' },
    ],
    [
      'a DNS failure is retried',
      1,
      failed('dns'),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'dns' },
    ],
    [
      'a refused connection is retried',
      1,
      failed('connection_refused'),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'connection_refused' },
    ],
    [
      'a reset connection is retried',
      1,
      failed('connection_reset'),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'connection_reset' },
    ],
    [
      'a TLS failure is retried',
      1,
      failed('tls'),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'tls' },
    ],
    [
      'an unclassified failure is retried',
      1,
      failed('other'),
      { retry: true, at: after(2), delaySeconds: 2, reason: 'other' },
    ],
  ])('%s', (_name, attemptNumber, outcome, expected) => {
    expect(nextAttempt(DEFAULT_RETRY_POLICY, attemptNumber, outcome, NOW)).toEqual(expected);
  });
});

describe('nextAttempt and Retry-After', () => {
  const policy: RetryPolicy = {
    maxAttempts: 5,
    delaysSeconds: [10, 20, 30, 40],
    retryAfterCapSeconds: 120,
  };
  const delayOf = (outcome: AttemptOutcome, attemptNumber = 1): number | undefined => {
    const decision = nextAttempt(policy, attemptNumber, outcome, NOW);
    return decision.retry ? decision.delaySeconds : undefined;
  };

  it.each<[string, AttemptOutcome, number]>([
    [
      'a 429 waits the Retry-After',
      failed('http_4xx', { statusCode: 429, retryAfterSeconds: 60 }),
      60,
    ],
    [
      'a 503 waits the Retry-After',
      failed('http_5xx', { statusCode: 503, retryAfterSeconds: 60 }),
      60,
    ],
    [
      'a Retry-After shorter than the policy delay waits the policy delay',
      failed('http_4xx', { statusCode: 429, retryAfterSeconds: 1 }),
      10,
    ],
    [
      'a Retry-After longer than the cap waits the cap',
      failed('http_5xx', { statusCode: 503, retryAfterSeconds: 86400 }),
      120,
    ],
    [
      'a Retry-After on a 500 is ignored',
      failed('http_5xx', { statusCode: 500, retryAfterSeconds: 60 }),
      10,
    ],
    [
      'a Retry-After on a 404 is ignored',
      failed('http_4xx', { statusCode: 404, retryAfterSeconds: 60 }),
      10,
    ],
    [
      'a 429 without Retry-After waits the policy delay',
      failed('http_4xx', { statusCode: 429 }),
      10,
    ],
  ])('%s', (_name, outcome, expected) => {
    expect(delayOf(outcome)).toBe(expected);
  });

  it('a policy delay above the cap still wins over a shorter Retry-After', () => {
    const slow: RetryPolicy = { maxAttempts: 2, delaysSeconds: [600], retryAfterCapSeconds: 60 };
    const decision = nextAttempt(
      slow,
      1,
      failed('http_4xx', { statusCode: 429, retryAfterSeconds: 30 }),
      NOW,
    );
    expect(decision).toMatchObject({ retry: true, delaySeconds: 600 });
  });

  it('Retry-After never buys attempts beyond maxAttempts', () => {
    const outcome = failed('http_4xx', { statusCode: 429, retryAfterSeconds: 5 });
    expect(nextAttempt(policy, 5, outcome, NOW)).toEqual({ retry: false, reason: 'exhausted' });
  });
});

describe('nextAttempt edge cases', () => {
  it('each retry uses the delay for its position', () => {
    const policy: RetryPolicy = {
      maxAttempts: 4,
      delaysSeconds: [1, 5, 25],
      retryAfterCapSeconds: 0,
    };
    const delays = [1, 2, 3].map((n) => {
      const d = nextAttempt(policy, n, failed('timeout'), NOW);
      return d.retry ? d.delaySeconds : null;
    });
    expect(delays).toEqual([1, 5, 25]);
  });

  it('a hand-built policy with too few delays repeats its last delay', () => {
    const policy: RetryPolicy = { maxAttempts: 4, delaysSeconds: [3], retryAfterCapSeconds: 0 };
    expect(nextAttempt(policy, 3, failed('timeout'), NOW)).toMatchObject({ delaySeconds: 3 });
  });

  it.each([0, -1, 1.5, Number.NaN])('attempt number %p is rejected', (n) => {
    expect(() => nextAttempt(DEFAULT_RETRY_POLICY, n, ok, NOW)).toThrow(RangeError);
  });

  it('does not read the clock: the same input gives the same answer', () => {
    const a = nextAttempt(DEFAULT_RETRY_POLICY, 1, failed('tls'), NOW);
    const b = nextAttempt(DEFAULT_RETRY_POLICY, 1, failed('tls'), NOW);
    expect(a).toEqual(b);
  });
});

describe('parseRetryPolicy', () => {
  it.each<[string, RetryPolicy]>([
    [
      'attempts=5;delays=2,4,30,120',
      { maxAttempts: 5, delaysSeconds: [2, 4, 30, 120], retryAfterCapSeconds: 300 },
    ],
    ['attempts=3;delays=2,4', { maxAttempts: 3, delaysSeconds: [2, 4], retryAfterCapSeconds: 300 }],
    [
      ' attempts = 2 ; delays = 10 ; retryAfterCap = 60 ',
      { maxAttempts: 2, delaysSeconds: [10], retryAfterCapSeconds: 60 },
    ],
    ['delays=7;attempts=2;', { maxAttempts: 2, delaysSeconds: [7], retryAfterCapSeconds: 300 }],
    ['attempts=1', { maxAttempts: 1, delaysSeconds: [], retryAfterCapSeconds: 300 }],
    ['attempts=1;delays=', { maxAttempts: 1, delaysSeconds: [], retryAfterCapSeconds: 300 }],
    [
      'attempts=2;delays=1;retryAfterCap=0',
      { maxAttempts: 2, delaysSeconds: [1], retryAfterCapSeconds: 0 },
    ],
  ])('%p is accepted', (text, expected) => {
    expect(parseRetryPolicy(text)).toEqual(expected);
  });

  it('parses the default policy back from its own notation', () => {
    expect(parseRetryPolicy('attempts=3;delays=2,4;retryAfterCap=300')).toEqual(
      DEFAULT_RETRY_POLICY,
    );
  });

  it.each<[string, string]>([
    ['', 'retry policy is empty'],
    ['   ', 'retry policy is empty'],
    ['attempts', 'part "attempts" is not key=value'],
    ['delays=2,4', 'needs attempts=<n>'],
    ['attempts=3;delays=2,4;backoff=exp', 'key "backoff" is unknown'],
    ['attempts=3;attempts=4;delays=2,4', 'key "attempts" is given twice'],
    ['attempts=0', 'attempts must be a whole number from 1 to 50, got "0"'],
    ['attempts=51', 'attempts must be a whole number from 1 to 50'],
    ['attempts=three', 'attempts must be a whole number from 1 to 50, got "three"'],
    ['attempts=2.5;delays=1', 'attempts must be a whole number'],
    ['attempts=3;delays=2,x', 'delays[1] must be a whole number from 1 to 604800, got "x"'],
    ['attempts=3;delays=2,0', 'delays[1] must be a whole number from 1'],
    ['attempts=3;delays=2,-4', 'delays[1] must be a whole number'],
    ['attempts=3;delays=2,,4', 'delays[1] must be a whole number'],
    ['attempts=3;delays=2,999999999', 'delays[1] must be a whole number from 1 to 604800'],
    ['attempts=5;delays=2,4', 'delays has 2 entries but attempts=5 needs 4'],
    ['attempts=2;delays=2,4', 'delays has 2 entries but attempts=2 needs 1'],
    ['attempts=3', 'delays has 0 entries but attempts=3 needs 2'],
    ['attempts=2;delays=1;retryAfterCap=-1', 'retryAfterCap must be a whole number'],
  ])('%p is rejected: %s', (text, message) => {
    let caught: unknown;
    try {
      parseRetryPolicy(text);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RetryPolicyError);
    expect((caught as RetryPolicyError).code).toBe('invalid_retry_policy');
    expect((caught as RetryPolicyError).message).toContain(message);
  });
});
