import type {
  ICustomPartitioner,
  Kafka,
  Producer,
  ProducerBatch,
  ProducerConfig,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';
import { PartitionPins } from './partition-pins';

/**
 * Broker answers after which an idempotent producer's session is gone for good: its sequence
 * numbers no longer line up with what the partition's new leader holds (a broker died mid-write
 * and another took over its partitions), or the broker forgot its producer id. kafkajs keeps
 * sending with the same id and sequence, and every later send fails the same way.
 */
const SESSION_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** True when `error`, or an error it wraps, says the producer's idempotent session is lost. */
export function isProducerSessionLost(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    type?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
  };
  if (typeof candidate.type === 'string' && SESSION_LOST.has(candidate.type)) return true;
  const nested = [
    candidate.cause,
    candidate.originalError,
    ...(Array.isArray(candidate.errors) ? candidate.errors : []),
  ];
  return nested.some((inner) => isProducerSessionLost(inner, depth + 1));
}

/** The part of a kafkajs producer the apps use. */
export type SendingProducer = Pick<Producer, 'connect' | 'disconnect' | 'send' | 'sendBatch'>;

/** Where a producer reports what it recovered from: a renewed session, partitions sent again. */
export type ProducerWarning = (message: string, fields: Record<string, unknown>) => void;

/**
 * A send whose partitions are still unwritten after this many rounds fails: a leader that keeps
 * moving is a broker fault the caller retries with its own backoff.
 */
const MAX_SEND_ROUNDS = 5;

/**
 * The producer every app sends with: an idempotent kafkajs producer made whole for a broker's
 * death.
 *
 * - A send resolves only once every partition it placed a message in was acknowledged: kafkajs
 *   can resolve one with partitions unwritten when their leader moved to a broker that had
 *   already answered ({@link PartitionPins}); those partitions' messages are sent again, to their
 *   new leaders, until written.
 * - A lost session ({@link isProducerSessionLost}) is replaced: the producer is dropped, a new one
 *   connected (a new producer id) and the request sent once more on it. Without this, one broker
 *   lost from a cluster can leave a producer failing every send until its process restarts
 *   (kafkajs issue 598).
 * - After any other failed send, the next request goes out on a new session. kafkajs rolls a
 *   partition's sequence number back when a send fails, written or not: when the broker wrote it
 *   and only its answer was lost (a broker stopping, a connection cut), the next send of as many
 *   messages carries the same sequence numbers, and the broker acknowledges it as a duplicate of
 *   the one it has, without writing it.
 *
 * A message the old session did write may then be written twice; every consumer of Hookline's
 * topics is idempotent on the message's id.
 */
export class RenewingProducer implements SendingProducer {
  private readonly pins = new PartitionPins();
  private producer: Producer;
  private connected = false;
  /** Why the session's sequence numbers cannot be trusted (a send failed); the next request renews it. */
  private doubt: { readonly cause: unknown } | undefined;
  /** How many times a lost session was replaced, for logs and tests. */
  renewals = 0;
  /** How many times partitions kafkajs left unwritten were sent again, for logs and tests. */
  resends = 0;

  /**
   * @param create makes a kafkajs producer; it must use `createPartitioner` for the check of what
   *   was written to see the messages' partitions.
   */
  constructor(
    private readonly create: (createPartitioner: ICustomPartitioner) => Producer,
    private readonly warn: ProducerWarning = () => undefined,
  ) {
    this.producer = this.make();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  send({ topic, messages, ...options }: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({ ...options, topicMessages: [{ topic, messages }] });
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const written: RecordMetadata[] = [];
    let pending = batch.topicMessages ?? [];
    for (let round = 1; ; round += 1) {
      const answers = await this.withSession((producer) =>
        producer.sendBatch({ ...batch, topicMessages: pending }),
      );
      written.push(...answers);
      // Nothing to check against without acknowledgements.
      if (batch.acks === 0) return written;
      const left = this.pins.unwritten(pending, answers);
      if (left.partitions.length === 0) return written;
      if (round >= MAX_SEND_ROUNDS) {
        throw new Error(
          `the broker acknowledged the send without writing ${left.partitions.join(', ')} after ${round} rounds`,
        );
      }
      this.resends += 1;
      this.warn('send resolved with partitions unwritten; sending their messages again', {
        partitions: left.partitions,
        messages: left.topicMessages.reduce((sum, t) => sum + t.messages.length, 0),
        round,
      });
      pending = left.topicMessages;
    }
  }

  private make(): Producer {
    return this.create(this.pins.partitioner());
  }

  private async withSession<T>(request: (producer: Producer) => Promise<T>): Promise<T> {
    if (this.doubt !== undefined) {
      await this.renew(
        this.doubt.cause,
        'a failed send left its sequence numbers in doubt; starting a new session',
      );
    }
    try {
      return await request(this.producer);
    } catch (error) {
      if (!this.connected) throw error;
      if (!isProducerSessionLost(error)) {
        this.doubt = { cause: error };
        throw error;
      }
      await this.renew(error, 'producer session lost; starting a new session');
    }
    try {
      return await request(this.producer);
    } catch (error) {
      if (this.connected) this.doubt = { cause: error };
      throw error;
    }
  }

  private async renew(error: unknown, why: string): Promise<void> {
    const lost = this.producer;
    this.producer = this.make();
    this.renewals += 1;
    this.warn(why, { error: String(error) });
    await lost.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.doubt = undefined;
  }
}

/**
 * An idempotent producer (one request in flight) whose sends resolve once every partition is
 * written and which renews a lost session: a {@link RenewingProducer}.
 */
export function renewingProducer(
  kafka: Kafka,
  config: Omit<ProducerConfig, 'createPartitioner'> = {},
  warn?: ProducerWarning,
): RenewingProducer {
  return new RenewingProducer(
    (createPartitioner) =>
      kafka.producer({ idempotent: true, maxInFlightRequests: 1, ...config, createPartitioner }),
    warn,
  );
}
