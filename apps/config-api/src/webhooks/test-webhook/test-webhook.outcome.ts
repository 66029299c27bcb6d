import type { DeliveryDetail } from '@hookline/deliveries-data-access';

/** How much of the response body a test result quotes. */
export const RESPONSE_SNIPPET_CHARS = 500;

export interface TestWebhookResult {
  readonly deliveryId: string;
  readonly success: boolean;
  /** The endpoint's status; `null` when it never answered (refused, timed out, blocked). */
  readonly statusCode: number | null;
  readonly durationMs: number | null;
  readonly responseSnippet: string | null;
  /** Why it failed (the failure class, then the message); `null` on success. */
  readonly error: string | null;
}

/**
 * The result of a test delivery once the worker recorded its outcome, else `undefined`. A test is
 * sent once without retries, so the delivery is finished after its one attempt.
 */
export function testOutcome(delivery: DeliveryDetail): TestWebhookResult | undefined {
  if (delivery.status === 'pending') return undefined;
  const attempt = delivery.attempts.at(-1);
  return {
    deliveryId: delivery.id,
    success: delivery.status === 'delivered',
    statusCode: attempt?.statusCode ?? delivery.lastStatusCode,
    durationMs: attempt?.durationMs ?? null,
    responseSnippet: attempt?.responseBody?.slice(0, RESPONSE_SNIPPET_CHARS) ?? null,
    error: delivery.status === 'delivered' ? null : (attempt?.error ?? delivery.lastError),
  };
}
