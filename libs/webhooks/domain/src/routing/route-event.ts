import {
  buildEventDeadLettered,
  type Clock,
  type DeadLetterSource,
  type DeliveryRequested,
  deliveryIdFor,
  type EventDeadLettered,
  type EventEnvelope,
  parseEnvelope,
  systemClock,
} from '@hookline/contracts';
import type { SubscriptionIndex } from '../matching/subscription-index';

/** Default cap on one ingest message: larger ones are dead-lettered, not parsed. */
export const DEFAULT_MAX_EVENT_BYTES = 1_048_576;

export interface RouteOptions {
  readonly maxEventBytes?: number;
  readonly clock?: Clock;
  /** The producer's correlation id (a Kafka header); the event id when absent. */
  readonly correlationId?: string;
}

/** What one ingest message becomes: delivery requests (maybe none) or a dead-letter record. */
export type RouteResult =
  | {
      readonly kind: 'matched';
      readonly envelope: EventEnvelope;
      readonly requests: DeliveryRequested[];
    }
  | { readonly kind: 'dead_letter'; readonly deadLetter: EventDeadLettered };

/**
 * Routes one ingest message: an oversized, unparsable or invalid message becomes a dead-letter
 * record naming why; a valid event becomes one DeliveryRequested per matching webhook, held
 * when the webhook is paused. Pure: the index is read, nothing is sent.
 */
export function routeEvent(
  raw: Uint8Array | null,
  source: DeadLetterSource,
  index: SubscriptionIndex,
  options: RouteOptions = {},
): RouteResult {
  const clock = options.clock ?? systemClock;
  const maxBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (raw !== null && raw.byteLength > maxBytes) {
    return {
      kind: 'dead_letter',
      deadLetter: buildEventDeadLettered({
        source,
        raw,
        clock,
        errors: [
          {
            path: '',
            rule: 'max_size',
            message: `message is ${raw.byteLength} bytes, more than the ${maxBytes} allowed`,
          },
        ],
      }),
    };
  }
  const parsed = parseEnvelope(raw);
  if (!parsed.ok) {
    return {
      kind: 'dead_letter',
      deadLetter: buildEventDeadLettered({ source, raw, clock, errors: parsed.errors }),
    };
  }
  const envelope = parsed.value;
  const requestedAt = clock().toISOString();
  const correlationId = options.correlationId || envelope.event_id;
  const requests = index.match(envelope).map((subscription): DeliveryRequested => ({
    schemaVersion: 1,
    deliveryId: deliveryIdFor(envelope.event_id, subscription.webhookId),
    eventId: envelope.event_id,
    webhookId: subscription.webhookId,
    webhookVersion: subscription.version,
    company: subscription.company,
    eventType: envelope.event_type,
    envelope,
    trigger: 'first',
    requestedAt,
    correlationId,
    held: subscription.status === 'paused',
  }));
  return { kind: 'matched', envelope, requests };
}
