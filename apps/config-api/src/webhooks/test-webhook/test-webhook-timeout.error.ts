/** The delivery worker recorded no outcome of a test delivery in time (mapped to 504). */
export class TestWebhookTimeoutError extends Error {
  override readonly name = 'TestWebhookTimeoutError';
  readonly code = 'test_outcome_timeout';

  constructor(
    readonly deliveryId: string,
    timeoutMs: number,
  ) {
    super(
      `no outcome of test delivery ${deliveryId} within ${timeoutMs / 1000} s; ` +
        `it may still be sent: see GET /v1/deliveries/${deliveryId}`,
    );
  }
}
