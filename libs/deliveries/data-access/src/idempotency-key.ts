import type { DeliveryLogEvent } from '@hookline/contracts';

/**
 * What makes two log events the same fact, so appending one twice (a replayed batch, a worker
 * that died after sending but before committing) records it once: a delivery is requested once;
 * an attempt succeeds, fails or is rescheduled once per attempt number; a round's manual
 * request and skip are told apart by when they were recorded.
 */
export function idempotencyKey(event: DeliveryLogEvent): string {
  switch (event.type) {
    case 'DeliveryRequested':
      return `${event.deliveryId}:requested`;
    case 'AttemptSucceeded':
    case 'AttemptFailed':
    case 'RetryScheduled':
    case 'DeliveryFailed':
      return `${event.deliveryId}:${event.type}:${event.attempt ?? 0}`;
    case 'DeliverySkipped':
    case 'ManualRetryRequested':
      return `${event.deliveryId}:${event.type}:${event.recordedAt}`;
  }
}
