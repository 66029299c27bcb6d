import type { DeliveryTrigger, EventType } from '@hookline/contracts';

/**
 * Where a delivery stands, derived from its log. There is no `in_flight`: the log records
 * outcomes, not sends, so a delivery being sent is still `pending` (or `retry_scheduled`).
 */
export const DELIVERY_STATUSES = [
  'pending',
  'retry_scheduled',
  'succeeded',
  'failed',
  'skipped_while_paused',
] as const;

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery folded from its `DeliveryLogEvent`s by {@link evolveDelivery}. Plain data. */
export interface DeliveryState {
  deliveryId: string;
  webhookId: string;
  company: string;
  eventId: string;
  eventType: EventType;
  correlationId: string;
  /** The trigger of the current round: `first`/`test` at the start, `manual` after a retry by hand. */
  trigger: DeliveryTrigger;
  status: DeliveryStatus;
  /** The last attempt recorded, across rounds; 0 before the first. */
  attempts: number;
  /** The last attempt of the previous round: attempt `roundStart + 1` is a round's first. */
  roundStart: number;
  /** The next attempt is due at (`retry_scheduled` only). */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  /** Why the last attempt failed, or why the delivery failed or was skipped. */
  lastError: string | null;
  /** recordedAt of the last manual retry request, to recognise a replayed one. */
  lastManualRequestAt: string | null;
  updatedAt: string;
}

/** The delivery cannot take this event or command; a bug or a corrupted log, never user input. */
export class DeliveryStateError extends Error {
  readonly code = 'invalid_delivery_transition';
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryStateError';
  }
}
