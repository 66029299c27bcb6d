/**
 * Kafka did not acknowledge the send (broker unreachable, timeout, not enough in-sync replicas).
 * The events may or may not have been written: publish them again with the same `eventId`s, and
 * receivers, which dedupe on `event_id`, see each one once.
 */
export class EventPublishFailedError extends Error {
  /** Stable code for error mapping. */
  readonly code = 'EVENT_PUBLISH_FAILED';

  constructor(
    readonly topic: string,
    /** The ids of the events of the failed send, to publish again. */
    readonly eventIds: readonly string[],
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`publishing ${eventIds.length} event(s) to ${topic} failed: ${reason}`, { cause });
    this.name = 'EventPublishFailedError';
  }
}
