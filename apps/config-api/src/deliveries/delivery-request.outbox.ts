import { type DeliveryRequested, KAFKA_HEADERS } from '@hookline/contracts';
import { inTransaction, writeOutbox } from '@hookline/shared-event-store';
import type { DataSource } from 'typeorm';

/**
 * Queues `DeliveryRequested` messages for the delivery worker through the outbox: they are
 * published at least once, keyed by webhook id, in the order given (one webhook's requests share
 * a partition, so the worker takes them in that order).
 */
export class DeliveryRequestOutbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly topic: string,
  ) {}

  /** `causationId`: the API request that asked for them (its correlation id). */
  async queue(requests: readonly DeliveryRequested[], causationId: string): Promise<void> {
    if (requests.length === 0) return;
    await inTransaction(this.dataSource, (manager) =>
      writeOutbox(
        manager,
        requests.map((request) => ({
          topic: this.topic,
          key: request.webhookId,
          value: JSON.stringify(request),
          headers: {
            [KAFKA_HEADERS.messageType]: 'DeliveryRequested',
            [KAFKA_HEADERS.schemaVersion]: String(request.schemaVersion),
            [KAFKA_HEADERS.correlationId]: request.correlationId,
            [KAFKA_HEADERS.causationId]: causationId,
          },
        })),
      ),
    );
  }
}

/**
 * A new round for a delivery the worker already accepted: the same event and delivery id, asked
 * for by hand (`manual`) now, against the webhook's current version. `held` is dropped: a
 * request held while the webhook was paused is meant to be sent when replayed. `ordered` (a
 * replay, a recovery) has the worker send them one at a time, in the order queued.
 */
export function manualRequest(
  accepted: DeliveryRequested,
  webhookVersion: number,
  now: Date,
  options: { ordered?: boolean } = {},
): DeliveryRequested {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { held, ordered, ...request } = accepted;
  return {
    ...request,
    trigger: 'manual',
    requestedAt: now.toISOString(),
    webhookVersion,
    ...(options.ordered ? { ordered: true } : {}),
  };
}
