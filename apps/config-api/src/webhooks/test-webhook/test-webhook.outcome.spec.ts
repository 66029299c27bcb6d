import type { DeliveryAttempt, DeliveryDetail } from '@hookline/deliveries-data-access';
import { RESPONSE_SNIPPET_CHARS, testOutcome } from './test-webhook.outcome';

const attempt = (overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  attempt: 1,
  trigger: 'test',
  at: '2026-01-01T00:00:00.000Z',
  url: 'https://hooks.example.com/in',
  requestHeaders: {},
  requestBody: '{}',
  statusCode: 200,
  responseHeaders: {},
  responseBody: 'ok',
  responseTruncated: false,
  failureClass: null,
  error: null,
  durationMs: 42,
  ...overrides,
});

const delivery = (
  status: DeliveryDetail['status'],
  attempts: DeliveryAttempt[],
  overrides: Partial<DeliveryDetail> = {},
): DeliveryDetail =>
  ({
    id: 'dlv_1',
    status,
    attemptCount: attempts.length,
    attempts,
    lastStatusCode: attempts.at(-1)?.statusCode ?? null,
    lastError: attempts.at(-1)?.error ?? null,
    ...overrides,
  }) as DeliveryDetail;

describe('test webhook outcome', () => {
  it('is not there while the delivery is pending', () => {
    expect(testOutcome(delivery('pending', []))).toBeUndefined();
  });

  it('reports a 2xx answer as a success with its status, duration and body', () => {
    expect(testOutcome(delivery('delivered', [attempt()]))).toEqual({
      deliveryId: 'dlv_1',
      success: true,
      statusCode: 200,
      durationMs: 42,
      responseSnippet: 'ok',
      error: null,
    });
  });

  it(`quotes at most ${RESPONSE_SNIPPET_CHARS} characters of the response body`, () => {
    const body = 'x'.repeat(8192);
    const outcome = testOutcome(
      delivery('failed', [attempt({ statusCode: 500, responseBody: body })]),
    );
    expect(outcome?.responseSnippet).toBe('x'.repeat(RESPONSE_SNIPPET_CHARS));
  });

  it('reports a refusal without an answer with the error and no status', () => {
    const refused = attempt({
      statusCode: null,
      responseBody: null,
      failureClass: 'blocked_by_policy',
      error: 'blocked_by_policy: resolves to a private address',
      durationMs: 3,
    });
    expect(testOutcome(delivery('failed', [refused]))).toEqual({
      deliveryId: 'dlv_1',
      success: false,
      statusCode: null,
      durationMs: 3,
      responseSnippet: null,
      error: 'blocked_by_policy: resolves to a private address',
    });
  });

  it('reports a delivery finished without an attempt with its recorded error', () => {
    expect(
      testOutcome(delivery('skipped', [], { lastError: 'webhook deleted', lastStatusCode: null })),
    ).toMatchObject({
      success: false,
      statusCode: null,
      durationMs: null,
      error: 'webhook deleted',
    });
  });
});
