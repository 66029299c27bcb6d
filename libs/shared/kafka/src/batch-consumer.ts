import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
}

export interface BatchConsumerLogger {
  warn(message: string, fields: object): void;
  error(message: string, fields: object): void;
}

export interface BatchConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handles a chunk of one partition's messages. The chunk's offsets are committed only after
   * this resolves; when it throws, the same chunk is handed over again after a backoff (never
   * skipped), so a handler must be idempotent and must not throw for a bad message: it decides
   * what a bad message becomes (e.g. a dead-letter record).
   */
  readonly handle: (batch: ConsumedBatch) => Promise<void>;
  readonly logger: BatchConsumerLogger;
  /** Messages handed to `handle` at once; default 500. */
  readonly chunkSize?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly fromBeginning?: boolean;
  /**
   * How long a fetch may wait on the broker for data; default {@link LOW_LATENCY_MAX_WAIT_MS}.
   * kafkajs's own default (5 s) lets a message produced to an idle partition wait for up to that
   * long behind a fetch that was already waiting on the other partitions.
   */
  readonly maxWaitTimeMs?: number;
}

/** A fetch waits at most this long: an idle consumer sends ~10 fetches/s, a message waits ≤100 ms. */
export const LOW_LATENCY_MAX_WAIT_MS = 100;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A consumer-group member with manual commits: an offset is committed only after everything
 * derived from the messages before it is durable (the handler resolved). At least once: a crash
 * between the handler and the commit hands the chunk over again.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly chunkSize: number;
  private running = false;

  constructor(private readonly options: BatchConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1_048_576,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? LOW_LATENCY_MAX_WAIT_MS,
    });
    this.chunkSize = options.chunkSize ?? 500;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        for (let start = 0; start < batch.messages.length; start += this.chunkSize) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(start, start + this.chunkSize);
          const handled = await this.handleWithRetry(
            { topic: batch.topic, partition: batch.partition, messages },
            () => isRunning() && !isStale(),
            heartbeat,
          );
          if (!handled) return;
          const last = messages[messages.length - 1];
          if (!last) continue;
          // resolveOffset moves this member's fetch position; the commit makes it durable.
          resolveOffset(last.offset);
          await this.consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(last.offset) + 1n).toString(),
            },
          ]);
          await heartbeat();
        }
      },
    });
  }

  /** Finishes the chunk in hand (its commit included), then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
  }

  private async handleWithRetry(
    batch: ConsumedBatch,
    mayContinue: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    let failures = 0;
    for (;;) {
      try {
        await this.options.handle(batch);
        return true;
      } catch (error) {
        failures += 1;
        const fields = {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: batch.messages[0]?.offset,
          failures,
          error: error instanceof Error ? error.message : String(error),
        };
        if (failures >= 5)
          this.options.logger.error('batch handling keeps failing; retrying', fields);
        else this.options.logger.warn('batch handling failed; retrying', fields);
        if (!mayContinue()) return false;
        const base = Math.min(
          this.options.retryMaxMs ?? 5_000,
          (this.options.retryInitialMs ?? 200) * 2 ** (failures - 1),
        );
        await delay(base);
        await heartbeat().catch(() => undefined);
        if (!mayContinue()) return false;
      }
    }
  }
}
