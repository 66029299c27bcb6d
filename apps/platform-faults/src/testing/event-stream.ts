import type { EventEnvelope } from '@hookline/contracts';
import type { Producer } from 'kafkajs';

/** One event the stream tried to publish. */
export interface PublishedEvent {
  readonly eventId: string;
  /** The receiver paths of the webhooks the event matches. */
  readonly paths: readonly string[];
  /** When its `send` started. */
  readonly sentAt: number;
  /** When the broker acknowledged it (acks=all); undefined while pending or after a failure. */
  ackedAt?: number;
  /** Why its `send` failed after the producer's retries; such an event may or may not be stored. */
  error?: string;
}

export interface EventStreamOptions {
  readonly producer: Pick<Producer, 'send'>;
  readonly topic: string;
  /** The message key (the company, as producers key events). */
  readonly key: string;
  readonly eventsPerSecond: number;
  /** The next event and the receiver paths it must reach. */
  readonly next: (sequence: number) => { envelope: EventEnvelope; paths: readonly string[] };
}

const TICK_MS = 50;
const MAX_BATCH = 200;

/**
 * A producer that publishes at a steady rate, one `send` at a time, and remembers which events
 * the broker acknowledged. While a send waits on a broker that is down, the events that fall due
 * meanwhile go out together once it returns, as a producer's buffer would send them.
 */
export class EventStream {
  readonly events: PublishedEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private startedAt = 0;
  private sequence = 0;

  constructor(private readonly options: EventStreamOptions) {}

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops publishing and waits for the send in flight, if any, to settle. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  acked(): PublishedEvent[] {
    return this.events.filter((event) => event.ackedAt !== undefined);
  }

  private tick(): void {
    if (this.inFlight !== undefined) return;
    const due = Math.floor(
      ((Date.now() - this.startedAt) / 1000) * this.options.eventsPerSecond - this.sequence,
    );
    if (due <= 0) return;
    const sentAt = Date.now();
    const batch = Array.from({ length: Math.min(due, MAX_BATCH) }, () => {
      const { envelope, paths } = this.options.next(this.sequence);
      this.sequence += 1;
      const event: PublishedEvent = { eventId: envelope.event_id, paths, sentAt };
      this.events.push(event);
      return { event, value: JSON.stringify({ ...envelope, timestamp: new Date().toISOString() }) };
    });
    this.inFlight = this.options.producer
      .send({
        topic: this.options.topic,
        acks: -1,
        messages: batch.map(({ value }) => ({ key: this.options.key, value })),
      })
      .then(
        () => {
          const ackedAt = Date.now();
          for (const { event } of batch) event.ackedAt = ackedAt;
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          for (const { event } of batch) event.error = reason;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
  }
}
