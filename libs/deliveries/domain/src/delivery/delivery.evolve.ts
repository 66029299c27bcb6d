import type { DeliveryLogEvent } from '@hookline/contracts';
import { DeliveryStateError, type DeliveryState } from './delivery';

/**
 * Applies one log event to a delivery. The first event of a delivery is `DeliveryRequested`;
 * a second `DeliveryRequested` (a replayed request) changes nothing. Pure.
 *
 * @throws DeliveryStateError for an event of another delivery, or a first event that is not
 *   `DeliveryRequested`.
 */
export function evolveDelivery(
  state: DeliveryState | undefined,
  event: DeliveryLogEvent,
): DeliveryState {
  if (state === undefined) {
    if (event.type !== 'DeliveryRequested') {
      throw new DeliveryStateError(
        `delivery ${event.deliveryId} starts with ${event.type}, not DeliveryRequested`,
      );
    }
    return {
      deliveryId: event.deliveryId,
      webhookId: event.webhookId,
      company: event.company,
      eventId: event.eventId,
      eventType: event.eventType,
      correlationId: event.correlationId,
      trigger: event.trigger,
      status: 'pending',
      attempts: 0,
      roundStart: 0,
      nextAttemptAt: null,
      lastStatusCode: null,
      lastError: null,
      lastManualRequestAt: null,
      updatedAt: event.recordedAt,
    };
  }
  if (event.deliveryId !== state.deliveryId) {
    throw new DeliveryStateError(
      `event of delivery ${event.deliveryId} applied to delivery ${state.deliveryId}`,
    );
  }
  const updatedAt = event.recordedAt;
  switch (event.type) {
    case 'DeliveryRequested':
      return state;
    case 'AttemptSucceeded':
      return {
        ...state,
        status: 'succeeded',
        attempts: Math.max(state.attempts, event.attempt ?? state.attempts + 1),
        nextAttemptAt: null,
        lastStatusCode: event.statusCode,
        lastError: null,
        updatedAt,
      };
    case 'AttemptFailed':
      return {
        ...state,
        attempts: Math.max(state.attempts, event.attempt ?? state.attempts + 1),
        nextAttemptAt: null,
        lastStatusCode: event.statusCode,
        lastError: event.error,
        updatedAt,
      };
    case 'RetryScheduled':
      return { ...state, status: 'retry_scheduled', nextAttemptAt: event.nextAttemptAt, updatedAt };
    case 'DeliveryFailed':
      return { ...state, status: 'failed', nextAttemptAt: null, lastError: event.error, updatedAt };
    case 'DeliverySkipped':
      return {
        ...state,
        status: 'skipped_while_paused',
        nextAttemptAt: null,
        lastError: event.error,
        updatedAt,
      };
    case 'ManualRetryRequested':
      return {
        ...state,
        status: 'pending',
        trigger: 'manual',
        roundStart: state.attempts,
        nextAttemptAt: null,
        lastManualRequestAt: event.recordedAt,
        updatedAt,
      };
  }
}

/** Folds a delivery's whole log; `undefined` for an empty one. */
export function rehydrateDelivery(events: readonly DeliveryLogEvent[]): DeliveryState | undefined {
  return events.reduce<DeliveryState | undefined>(evolveDelivery, undefined);
}
