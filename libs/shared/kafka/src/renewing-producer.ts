import type {
  Kafka,
  Producer,
  ProducerBatch,
  ProducerConfig,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';

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

/**
 * An idempotent kafkajs producer that starts a new session when the broker says the old one is
 * lost ({@link isProducerSessionLost}): it drops the producer, connects a new one (a new producer
 * id) and sends the request once more on it. A message the old session did write may then be
 * written twice; every consumer of Hookline's topics is idempotent on the message's id. Without
 * this, one broker lost from a cluster can leave a producer failing every send until its
 * process restarts (kafkajs issue 598).
 */
export class RenewingProducer implements SendingProducer {
  private producer: Producer;
  private connected = false;
  /** How many times a lost session was replaced, for logs and tests. */
  renewals = 0;

  constructor(
    private readonly create: () => Producer,
    private readonly onRenew: (error: unknown) => void = () => undefined,
  ) {
    this.producer = create();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.withSession((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.withSession((producer) => producer.sendBatch(batch));
  }

  private async withSession<T>(request: (producer: Producer) => Promise<T>): Promise<T> {
    try {
      return await request(this.producer);
    } catch (error) {
      if (!this.connected || !isProducerSessionLost(error)) throw error;
      await this.renew(error);
      return request(this.producer);
    }
  }

  private async renew(error: unknown): Promise<void> {
    const lost = this.producer;
    this.producer = this.create();
    this.renewals += 1;
    this.onRenew(error);
    await lost.disconnect().catch(() => undefined);
    await this.producer.connect();
  }
}

/** An idempotent producer (acks=all, one request in flight) that renews a lost session. */
export function renewingProducer(
  kafka: Kafka,
  config: ProducerConfig = {},
  onRenew?: (error: unknown) => void,
): RenewingProducer {
  return new RenewingProducer(
    () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, ...config }),
    onRenew,
  );
}
