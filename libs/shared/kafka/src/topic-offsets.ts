import type { Kafka, SeekEntry } from 'kafkajs';

/**
 * Answers that say the client's metadata is behind the cluster's: the partition has no leader
 * yet or another broker leads it now. They come right after a topic is created (its leaders are
 * elected a moment later) and while a broker restarts (a rolling upgrade of a managed cluster).
 */
const STALE_METADATA = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

export function isStaleMetadata(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'KafkaJSProtocolError') return false;
  return STALE_METADATA.has(String((error as { type?: unknown }).type));
}

export interface SettleRetry {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

/** About 18 s in all: longer than a leader election after a broker is fenced (about 9 s). */
export const SETTLE_RETRY: SettleRetry = { attempts: 8, firstDelayMs: 250, maxDelayMs: 5_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` again, with a doubling wait, while it fails on metadata the cluster has moved
 * past ({@link isStaleMetadata}); any other error, or the last attempt's, is thrown as it is.
 */
export async function whileClusterSettles<T>(
  attempt: () => Promise<T>,
  retry: SettleRetry = SETTLE_RETRY,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= retry.attempts || !isStaleMetadata(error)) throw error;
      await wait(Math.min(retry.maxDelayMs, retry.firstDelayMs * 2 ** (n - 1)));
    }
  }
}

/**
 * Each partition's low and high offsets. kafkajs 2.2.4's `admin.fetchTopicOffsets` gives up on
 * the first "not the leader for that topic-partition" (it retries only an unknown topic), which
 * failed an app's start on a topic created a second before it; each attempt here is a new admin
 * client, whose metadata is read afresh.
 */
export function fetchTopicOffsets(
  kafka: Kafka,
  topic: string,
): Promise<Array<SeekEntry & { high: string; low: string }>> {
  return whileClusterSettles(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
  });
}
