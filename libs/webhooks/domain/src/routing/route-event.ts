import {
  buildEventDeadLettered,
  type Clock,
  type DeadLetterSource,
  type DeliveryRequested,
  deliveryIdFor,
  type EventDeadLettered,
  type ContractViolation,
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

/**
 * Nesting deeper than this is refused: no event of the catalog comes near it, and a payload
 * nested thousands deep is stored, rendered and parsed again at every step downstream (the
 * database's own JSON parser stops at its stack depth).
 */
export const MAX_EVENT_DEPTH = 64;

/** The longest correlation id header taken, in characters. */
export const MAX_CORRELATION_ID_LENGTH = 256;

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
  const unroutable = checkRoutable(envelope, options.correlationId);
  if (unroutable) {
    return {
      kind: 'dead_letter',
      deadLetter: buildEventDeadLettered({ source, raw, clock, errors: [unroutable] }),
    };
  }
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

/**
 * What would make a valid event fail later, at every retry, in the worker: a correlation id
 * header that cannot travel as text (control characters such as NUL, or too long), or nesting
 * past {@link MAX_EVENT_DEPTH}.
 */
function checkRoutable(
  envelope: EventEnvelope,
  correlationId: string | undefined,
): ContractViolation | undefined {
  if (correlationId !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(correlationId)) {
      return {
        path: '/headers/correlation-id',
        rule: 'invalid_header',
        message: 'the correlation-id header holds control characters (a NUL byte, say)',
      };
    }
    if (correlationId.length > MAX_CORRELATION_ID_LENGTH) {
      return {
        path: '/headers/correlation-id',
        rule: 'invalid_header',
        message: `the correlation-id header is longer than ${MAX_CORRELATION_ID_LENGTH} characters`,
      };
    }
  }
  const depth = nestingDepth(envelope, MAX_EVENT_DEPTH + 1);
  if (depth > MAX_EVENT_DEPTH) {
    return {
      path: '',
      rule: 'max_depth',
      message: `the event is nested deeper than ${MAX_EVENT_DEPTH} levels`,
    };
  }
  return undefined;
}

/** How deep `value` nests, counted without recursion, stopping once past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
