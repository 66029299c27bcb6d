import {
  CONSUMER_RETRY,
  CONSUMER_SESSION_TIMEOUT_MS,
  FETCH_MAX_BYTES,
  FETCH_MAX_BYTES_PER_PARTITION,
  LOW_LATENCY_MAX_WAIT_MS,
} from './batch-consumer';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { type ConsumerStatus, SupervisedConsumer } from './supervised-consumer';
import type { BatchConsumerLogger } from './batch-consumer';
import { fetchTopicOffsets } from './topic-offsets';

export interface FollowTopicOptions {
  readonly topic: string;
  /** Each follower reads with a group of its own (`<prefix>-<uuid>`) and never commits. */
  readonly groupIdPrefix: string;
  /** Called for every record in offset order per partition; `message.value` null is a tombstone. */
  readonly onMessage: (message: KafkaMessage, partition: number) => void | Promise<void>;
  /** Crashes and restarts are reported here; without one they show only in `status()`. */
  readonly logger?: BatchConsumerLogger;
}

export interface TopicFollower {
  /** Resolves once every record that existed when following began has been handed over. */
  readonly caughtUp: Promise<void>;
  isCaughtUp(): boolean;
  /** Following now: false from a crash until the reader runs again (it resumes where it was). */
  isRunning(): boolean;
  status(): ConsumerStatus;
  stop(): Promise<void>;
}

/**
 * Reads a (compacted) state topic from the beginning, reports when it has caught up with the
 * end it had at start, and keeps following it: the way an app builds an in-memory view of a
 * topic such as `webhooks.config` and keeps it live.
 */
export async function followTopic(
  kafka: Kafka,
  options: FollowTopicOptions,
): Promise<TopicFollower> {
  const offsets = await fetchTopicOffsets(kafka, options.topic);
  // high is the offset the next record will get: caught up once high - 1 was handed over.
  const ends = new Map(
    offsets
      .filter((p) => BigInt(p.high) > BigInt(p.low))
      .map((p) => [p.partition, BigInt(p.high) - 1n]),
  );

  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  let done = ends.size === 0;
  if (done) markCaughtUp();

  // A restarted reader (see SupervisedConsumer) resumes after the last record it handed over, so
  // a view never sees older states again.
  const next = new Map<number, string>();
  let started = false;
  const reader = new SupervisedConsumer({
    name: `${options.topic} reader`,
    logger: options.logger ?? { warn: () => undefined, error: () => undefined },
    create: () =>
      kafka.consumer({
        groupId: `${options.groupIdPrefix}-${randomUUID()}`,
        sessionTimeout: CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatInterval: 3_000,
        // A change (a webhook paused) must reach the followers at once, not after a 5 s fetch wait.
        maxWaitTimeInMs: LOW_LATENCY_MAX_WAIT_MS,
        maxBytesPerPartition: FETCH_MAX_BYTES_PER_PARTITION,
        maxBytes: FETCH_MAX_BYTES,
        // Rides out a broker's death instead of crashing the reader (see CONSUMER_RETRY).
        retry: { ...CONSUMER_RETRY },
      }),
    run: async (consumer: Consumer) => {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          await options.onMessage(message, partition);
          next.set(partition, (BigInt(message.offset) + 1n).toString());
          if (done) return;
          const end = ends.get(partition);
          if (end !== undefined && BigInt(message.offset) >= end) ends.delete(partition);
          if (ends.size === 0) {
            done = true;
            markCaughtUp();
          }
        },
      });
      if (started) {
        for (const [partition, offset] of next)
          consumer.seek({ topic: options.topic, partition, offset });
      }
      started = true;
    },
  });
  await reader.start();
  return {
    caughtUp,
    isCaughtUp: () => done,
    isRunning: () => reader.isRunning(),
    status: () => reader.status(),
    stop: () => reader.stop(),
  };
}
