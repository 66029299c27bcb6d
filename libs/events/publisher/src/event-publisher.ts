import {
  ContractValidationError,
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  buildEnvelope,
  parseEnvelope,
  type Clock,
  type ContractViolation,
  type EventDataMap,
  type EventEnvelope,
  type EventType,
} from '@hookline/contracts';
import type { Message, Producer } from 'kafkajs';
import { EventPublishFailedError } from './event-publish-failed.error';
import { InvalidEventError } from './invalid-event.error';

/** The part of a kafkajs `Producer` the publisher uses; a connected `kafka.producer()` fits. */
export type EventProducer = Pick<Producer, 'send'>;

/** Header naming the service that published the event (set when `source` is given). */
export const EVENT_SOURCE_HEADER = 'source';

/** `message-type` and `schema-version` header values of an ingest message. */
export const ENVELOPE_MESSAGE_TYPE = 'EventEnvelope';
export const ENVELOPE_SCHEMA_VERSION = '1';

export interface EventPublisherOptions {
  /** A connected kafkajs producer, ideally `kafka.producer({ idempotent: true, maxInFlightRequests: 1 })`. */
  readonly producer: EventProducer;
  /** The ingest topic; `platform.events` by default. */
  readonly topic?: string;
  /** Stamps each envelope's `timestamp`; the system clock by default. */
  readonly clock?: Clock;
  /** The publishing service's name, sent in the `source` header (not in the envelope). */
  readonly source?: string;
}

export interface PublishOptions {
  /**
   * The event's id (a UUID); a fresh one by default. Pass the same id when publishing an event
   * again after a failure: receivers dedupe on it.
   */
  readonly eventId?: string;
  /** Sent in the `correlation-id` header; the event id by default. */
  readonly correlationId?: string;
  /** Sent in the `causation-id` header when given: the id of what caused this event. */
  readonly causationId?: string;
}

/** One event of a `publishMany` batch; narrowing `eventType` narrows `data`. */
export type PublishRequest<T extends EventType = EventType> = {
  [K in T]: PublishOptions & {
    readonly eventType: K;
    /** May carry fields beyond the typed ones. */
    readonly data: EventDataMap[K];
  };
}[T];

interface Prepared {
  readonly envelope: EventEnvelope;
  readonly message: Message;
}

type Preparation = { ok: true; value: Prepared } | { ok: false; errors: ContractViolation[] };

/**
 * Publishes catalog events to the ingest topic: builds the envelope, validates it, and sends it
 * keyed by company with `acks: -1`. An invalid event throws `InvalidEventError` and nothing is
 * sent.
 */
export class EventPublisher {
  private readonly producer: EventProducer;
  private readonly topic: string;
  private readonly clock: Clock | undefined;
  private readonly source: string | undefined;

  constructor(options: EventPublisherOptions) {
    this.producer = options.producer;
    this.topic = options.topic ?? KAFKA_TOPICS.platformEvents;
    this.clock = options.clock;
    this.source = options.source;
  }

  /**
   * Publishes one event and resolves, once every in-sync replica has it, with the envelope as
   * sent.
   *
   * @throws InvalidEventError when the event breaks the catalog (nothing is sent).
   * @throws EventPublishFailedError when Kafka does not acknowledge it.
   */
  async publish<T extends EventType, D extends EventDataMap[T] = EventDataMap[T]>(
    eventType: T,
    // Generic so that an object literal may carry extra fields (no excess-property error).
    data: D,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<T>> {
    const prepared = this.prepare(eventType, data, options);
    if (!prepared.ok) throw new InvalidEventError(eventType, prepared.errors);
    await this.send([prepared.value]);
    return prepared.value.envelope as EventEnvelope<T>;
  }

  /**
   * Publishes a batch in one produce request, in order (events of one company keep their order).
   * Every event is validated before any is sent: one invalid event fails the whole batch.
   *
   * @throws InvalidEventError listing every invalid event's violations, paths prefixed with its
   *   index (`/2/data/company`); nothing is sent.
   * @throws EventPublishFailedError when Kafka does not acknowledge the batch; some events may
   *   have been written, so publish the whole batch again with the same event ids.
   */
  async publishMany(events: readonly PublishRequest[]): Promise<EventEnvelope[]> {
    const prepared: Prepared[] = [];
    const errors: ContractViolation[] = [];
    let firstInvalidType: string | undefined;
    events.forEach((event, index) => {
      const result = this.prepare(event.eventType, event.data, event);
      if (result.ok) {
        prepared.push(result.value);
        return;
      }
      firstInvalidType ??= String(event.eventType);
      errors.push(...result.errors.map((error) => inBatch(index, error)));
    });
    if (firstInvalidType !== undefined) throw new InvalidEventError(firstInvalidType, errors);
    if (prepared.length === 0) return [];
    await this.send(prepared);
    return prepared.map((p) => p.envelope);
  }

  private prepare(eventType: EventType, data: unknown, options: PublishOptions): Preparation {
    let built: EventEnvelope;
    try {
      built = buildEnvelope(eventType, data as EventDataMap[EventType], {
        ...(options.eventId !== undefined ? { eventId: options.eventId } : {}),
        ...(this.clock ? { clock: this.clock } : {}),
      });
    } catch (error) {
      if (error instanceof ContractValidationError) return { ok: false, errors: [...error.errors] };
      throw error;
    }

    // Validate the bytes that go on the wire, not the caller's object: JSON serialization can
    // drop or change values (toJSON, undefined), and the matcher dead-letters what fails to parse.
    let value: string;
    try {
      value = JSON.stringify(built);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        errors: [
          { path: '', rule: 'json', message: `message cannot be serialized as JSON (${reason})` },
        ],
      };
    }
    const sent = parseEnvelope(value);
    if (!sent.ok) return { ok: false, errors: [...sent.errors] };
    const envelope = sent.value;

    const headers: Record<string, string> = {
      [KAFKA_HEADERS.messageType]: ENVELOPE_MESSAGE_TYPE,
      [KAFKA_HEADERS.schemaVersion]: ENVELOPE_SCHEMA_VERSION,
      [KAFKA_HEADERS.correlationId]: options.correlationId ?? envelope.event_id,
    };
    if (options.causationId !== undefined) headers[KAFKA_HEADERS.causationId] = options.causationId;
    if (this.source !== undefined) headers[EVENT_SOURCE_HEADER] = this.source;

    // Keyed by company: one tenant's events land on one partition, so they are consumed in the
    // order they were published, while tenants spread over partitions.
    return {
      ok: true,
      value: { envelope, message: { key: envelope.data.company, value, headers } },
    };
  }

  private async send(prepared: readonly Prepared[]): Promise<void> {
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: prepared.map((p) => p.message),
      });
    } catch (error) {
      throw new EventPublishFailedError(
        this.topic,
        prepared.map((p) => p.envelope.event_id),
        error,
      );
    }
  }
}

/** A violation of the event at `index`, its path (and the message's leading path) made absolute. */
function inBatch(index: number, error: ContractViolation): ContractViolation {
  const path = `/${index}${error.path}`;
  const lead = error.path === '' ? 'message' : error.path;
  const rest = error.message.startsWith(lead)
    ? error.message.slice(lead.length)
    : ` ${error.message}`;
  return { path, rule: error.rule, message: `${path}${rest}` };
}
