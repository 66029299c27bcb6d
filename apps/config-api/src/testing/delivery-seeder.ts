import type { DeliveryAttemptDetails, DeliveryRequested, EventType } from '@hookline/contracts';
import { DeliveryWorkStore } from '@hookline/deliveries-data-access';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  recordAttempt,
  type RetryPolicy,
} from '@hookline/deliveries-domain';
import { sampleDeliveryRequest } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';

export const SUCCEEDED: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 8 };
export const FAILED: AttemptOutcome = {
  ok: false,
  failure: 'http_5xx',
  statusCode: 500,
  message: 'HTTP 500',
  durationMs: 12,
};
/** No retry after the first call: one failure fails the delivery. */
export const ONE_SHOT: RetryPolicy = { maxAttempts: 1, delaysSeconds: [], retryAfterCapSeconds: 0 };

export interface SeedOptions {
  /** When the worker takes the request in (the delivery's created at) and records each call. */
  readonly at?: Date;
  readonly policy?: RetryPolicy;
  /** Attempt details the worker would record (URL, headers, bodies). */
  readonly details?: Partial<DeliveryAttemptDetails>;
}

/**
 * Puts deliveries in a test database the way the delivery worker does: intake of the request,
 * then a claim and a recorded outcome per call, through {@link DeliveryWorkStore}.
 */
export class DeliverySeeder {
  private readonly work: DeliveryWorkStore;

  constructor(private readonly dataSource: DataSource) {
    this.work = new DeliveryWorkStore(dataSource);
  }

  /** A request for a new event of `eventType` to `webhook`, as the matcher sends it. */
  static request(
    webhook: { id: string; company: string },
    eventType: EventType = 'scan.completed',
    overrides: Partial<DeliveryRequested> = {},
  ): DeliveryRequested {
    return sampleDeliveryRequest(webhook, eventType, overrides);
  }

  /**
   * Takes `request` in and records one call per outcome, in order. No outcomes leaves it
   * pending; a `held` request is skipped while paused.
   */
  async seed(
    request: DeliveryRequested,
    outcomes: readonly AttemptOutcome[] = [],
    options: SeedOptions = {},
  ): Promise<string> {
    const at = options.at ?? new Date();
    await this.work.intake([request], at);
    for (const [i, outcome] of outcomes.entries()) {
      // Retries are due later: bring this one forward instead of waiting for it.
      await this.dataSource.query(
        `UPDATE delivery_queue SET due_at = now() WHERE delivery_id = $1`,
        [request.deliveryId],
      );
      const claims = await this.work.claim({
        limit: 1000,
        perWebhookLimit: 1000,
        skipWebhooks: [],
        leaseMs: 60_000,
      });
      const claim = claims.find((c) => c.deliveryId === request.deliveryId);
      await this.work.release(claims.filter((c) => c !== claim));
      if (!claim) throw new Error(`delivery ${request.deliveryId} was not due`);
      const callAt = new Date(at.getTime() + (i + 1) * 1000);
      await this.work.finish(claim, (state) =>
        recordAttempt(state, outcome, options.policy ?? DEFAULT_RETRY_POLICY, callAt, {
          url: 'https://hooks.example.com/hookline',
          ...options.details,
        }),
      );
    }
    return request.deliveryId;
  }
}
