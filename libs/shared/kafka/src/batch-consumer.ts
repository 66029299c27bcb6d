import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { OffsetCommits } from './offset-commits';
import { type ConsumerStatus, SupervisedConsumer } from './supervised-consumer';

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
  /**
   * Partitions whose chunks are handled at once; default 1. kafkajs hands over the batches of
   * one fetch and fetches again only when all are handled: one at a time, a fetch's last
   * partition waits for the handling of all the others. A partition's own chunks are always
   * handled one after the other, in offset order.
   */
  readonly partitionsConcurrently?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly fromBeginning?: boolean;
  /**
   * How long a fetch may wait on the broker for data; default {@link LOW_LATENCY_MAX_WAIT_MS}.
   * kafkajs's own default (5 s) lets a message produced to an idle partition wait for up to that
   * long behind a fetch that was already waiting on the other partitions.
   */
  readonly maxWaitTimeMs?: number;
  /**
   * The least time between two offset commits ({@link OffsetCommits}); default 0, a commit per
   * chunk. Longer, a crash or a rebalance hands over again up to that long's worth of handled
   * messages, which an idempotent handler records once.
   */
  readonly commitEveryMs?: number;
  /** Backoff between restarts after a crash kafkajs does not recover from; see SupervisedConsumer. */
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
}

/**
 * How much one fetch may bring, per partition and in all. kafkajs's own (1 MiB a partition, 10 MiB
 * a fetch) let the worker take 6 MiB of delivery requests at once from six partitions at a
 * backlog: the response, the messages decoded from it and the intake's rows of them, garbage
 * only once the whole fetch was recorded. At 1 MiB the worker's peak RSS at saturation fell from
 * 198-205 to 170-174 MB with no loss of throughput (`npm run bench:platform`); 1 MiB is still
 * about a thousand delivery requests, one intake transaction's worth.
 */
export const FETCH_MAX_BYTES_PER_PARTITION = 262_144;
export const FETCH_MAX_BYTES = 1_048_576;

/**
 * The commit interval of the pipeline's consumers (the matcher's events, the worker's requests),
 * whose handlers record a message handed over again once. At 100 events/s a commit per chunk was
 * one OffsetCommit per event in the matcher and 1.2 per event in the worker: half of the Kafka
 * requests the apps made. A crash hands over again at most this long's worth of handled messages.
 */
export const PIPELINE_COMMIT_EVERY_MS = 200;

/** kafkajs sends a heartbeat only when asked: a handler waiting longer than the session would lose its membership. */
const HEARTBEAT_WHILE_HANDLING_MS = 3_000;

/**
 * How long the broker may hold a fetch that finds nothing (its long poll). A message that arrives
 * meanwhile is returned at once (minBytes 1), so this bounds only how often an idle consumer asks:
 * once a second per consumer, not ten times as at 100 ms, for no latency.
 */
export const LOW_LATENCY_MAX_WAIT_MS = 1000;

/**
 * How every consumer retries a failed request before kafkajs crashes it. kafkajs's own (5 retries,
 * about 6 s) is shorter than a cluster takes to replace a broker that died: the dead broker stays
 * the leader of its partitions (and maybe the group coordinator) until the controller fences it
 * (`broker.session.timeout.ms`, 9 s by default) and elects new leaders. A consumer fetching from it
 * meanwhile crashed; kafkajs restarted it only after another backoff of seconds, and the app said
 * not ready and consumed nothing in between. These retries last at least 20 s (each wait is at
 * most 20 % shorter than its nominal value) and at most about 40 s.
 */
export const CONSUMER_RETRY = {
  initialRetryTime: 300,
  maxRetryTime: 5_000,
  factor: 0.2,
  multiplier: 2,
  retries: 10,
} as const;

/**
 * How long the group coordinator keeps a member that stopped heartbeating. A consumer that crashed
 * while the coordinator was unreachable could not leave its group; its new member's join completes
 * only once the coordinator drops the old one, up to this long after the restart.
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 30_000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A consumer-group member with manual commits: an offset is committed only after everything
 * derived from the messages before it is durable (the handler resolved). At least once: a crash
 * between the handler and the commit hands the chunk over again.
 */
export class BatchConsumer {
  private readonly supervisor: SupervisedConsumer;
  private readonly chunkSize: number;
  /** The offsets of the consumer running now, kept until they are committed. */
  private commits: OffsetCommits | undefined;

  constructor(private readonly options: BatchConsumerOptions) {
    this.chunkSize = options.chunkSize ?? 500;
    this.supervisor = new SupervisedConsumer({
      name: options.groupId,
      logger: options.logger,
      create: () =>
        options.kafka.consumer({
          groupId: options.groupId,
          sessionTimeout: CONSUMER_SESSION_TIMEOUT_MS,
          heartbeatInterval: HEARTBEAT_WHILE_HANDLING_MS,
          maxBytesPerPartition: FETCH_MAX_BYTES_PER_PARTITION,
          maxBytes: FETCH_MAX_BYTES,
          maxWaitTimeInMs: options.maxWaitTimeMs ?? LOW_LATENCY_MAX_WAIT_MS,
          retry: { ...CONSUMER_RETRY },
        }),
      run: (consumer) => this.runOn(consumer),
      ...(options.restartInitialMs === undefined
        ? {}
        : { restartInitialMs: options.restartInitialMs }),
      ...(options.restartMaxMs === undefined ? {} : { restartMaxMs: options.restartMaxMs }),
    });
  }

  /** Joins the group and starts consuming; a crash later on restarts it (see SupervisedConsumer). */
  start(): Promise<void> {
    return this.supervisor.start();
  }

  /** Joined and consuming: false from a crash until the consumer runs again. */
  isRunning(): boolean {
    return this.supervisor.isRunning();
  }

  status(): ConsumerStatus {
    return this.supervisor.status();
  }

  /** Commits what was handled, finishes the chunk in hand (its commit included), then leaves the group. */
  async stop(): Promise<void> {
    await this.commits?.close().catch((error: unknown) => this.commitFailed(error));
    await this.supervisor.stop();
  }

  private commitFailed(error: unknown): void {
    this.options.logger.warn('offset commit failed; handled messages may be handed over again', {
      consumer: this.options.groupId,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private async runOn(consumer: Consumer): Promise<void> {
    this.commits?.clear();
    const commits = new OffsetCommits({
      everyMs: this.options.commitEveryMs ?? 0,
      onLateFailure: (error) => this.commitFailed(error),
    });
    this.commits = commits;
    // A rejoin fetches every partition again from its committed offset; a crashed consumer
    // cannot commit. What waited is handed over again either way.
    consumer.on(consumer.events.GROUP_JOIN, () => commits.clear());
    consumer.on(consumer.events.CRASH, () => commits.clear());
    await consumer.connect();
    for (const topic of this.options.topics) {
      await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        commitOffsetsIfNecessary,
        heartbeat,
        isRunning,
        isStale,
        resolveOffset,
      }) => {
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
          // One request, its failure thrown as the broker gave it: see OffsetCommits.
          await commits.handled(commitOffsetsIfNecessary, {
            topic: batch.topic,
            partition: batch.partition,
            offset: (BigInt(last.offset) + 1n).toString(),
          });
          await heartbeat();
        }
      },
    });
  }

  private async handleWithRetry(
    batch: ConsumedBatch,
    mayContinue: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    let failures = 0;
    for (;;) {
      // The group session stays alive however long the handler waits (a slow database), so a
      // slow chunk never costs the member its partitions.
      const keepAlive = setInterval(
        () => void heartbeat().catch(() => undefined),
        HEARTBEAT_WHILE_HANDLING_MS,
      );
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
      } finally {
        clearInterval(keepAlive);
      }
    }
  }
}
