import { integrationEnv, uniqueName } from '@hookline/shared-testing';
import type { Kafka } from 'kafkajs';
import { BatchConsumer, createKafka, ensureTopics, followTopic } from './index';

const quiet = { warn: () => undefined, error: () => undefined };
const waitFor = async (condition: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('followTopic and BatchConsumer against the real broker', () => {
  let kafka: Kafka;

  beforeAll(() => {
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'follow-spec' });
  });

  it('catches up with a state topic, tombstones included, then follows it live', async () => {
    const topic = uniqueName('follow.state');
    await ensureTopics(kafka, [
      { topic, numPartitions: 2, config: { 'cleanup.policy': 'compact' } },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
        { key: 'a', value: null },
      ],
    });

    const state = new Map<string, string>();
    const follower = await followTopic(kafka, {
      topic,
      groupIdPrefix: 'follow-spec',
      onMessage: (message) => {
        const key = String(message.key);
        if (message.value === null) state.delete(key);
        else state.set(key, String(message.value));
      },
    });
    try {
      await follower.caughtUp;
      expect(follower.isCaughtUp()).toBe(true);
      expect([...state]).toEqual([['b', 'b1']]);

      await producer.send({ topic, messages: [{ key: 'c', value: 'c1' }] });
      await waitFor(() => state.has('c'));
      expect(state.get('c')).toBe('c1');
    } finally {
      await follower.stop();
      await producer.disconnect();
    }
  });

  it('is caught up at once on an empty topic', async () => {
    const topic = uniqueName('follow.empty');
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const follower = await followTopic(kafka, {
      topic,
      groupIdPrefix: 'follow-spec',
      onMessage: () => undefined,
    });
    try {
      expect(follower.isCaughtUp()).toBe(true);
    } finally {
      await follower.stop();
    }
  });

  it('retries a failing chunk until it succeeds, commits, and never hands a committed message over again', async () => {
    const topic = uniqueName('batch.input');
    const groupId = uniqueName('batch-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: `m${i}` })),
    });

    const handled: string[] = [];
    let failuresLeft = 2;
    const first = new BatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      logger: quiet,
      retryInitialMs: 20,
      chunkSize: 7,
      handle: async ({ messages }) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('transient');
        }
        handled.push(...messages.map((m) => String(m.value)));
      },
    });
    await first.start();
    await waitFor(() => new Set(handled).size === 50);
    await first.stop();
    expect(failuresLeft).toBe(0);
    expect(new Set(handled).size).toBe(50);

    await producer.send({ topic, messages: [{ key: 'k0', value: 'late' }] });
    const again: string[] = [];
    const second = new BatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      logger: quiet,
      handle: async ({ messages }) => {
        again.push(...messages.map((m) => String(m.value)));
      },
    });
    await second.start();
    await waitFor(() => again.includes('late'));
    await second.stop();
    expect(again).toEqual(['late']);
    await producer.disconnect();
  });

  it('handles partitions at once when asked, each partition’s chunks still in offset order', async () => {
    const topic = uniqueName('batch.concurrent');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 20 }, (_, i) => ({
        partition: i % 2,
        value: `p${i % 2}-${Math.floor(i / 2)}`,
      })),
    });
    await producer.disconnect();

    const handled = new Map<number, string[]>([
      [0, []],
      [1, []],
    ]);
    // Partition 0's first chunk is held until partition 1 has a chunk handled: one partition at
    // a time, that never comes and the consumer hangs.
    let releaseFirst: () => void = () => undefined;
    const partitionOneHandled = new Promise<void>((resolve) => (releaseFirst = resolve));
    const consumer = new BatchConsumer({
      kafka,
      groupId: uniqueName('batch-concurrent-group'),
      topics: [topic],
      logger: quiet,
      chunkSize: 3,
      partitionsConcurrently: 2,
      handle: async ({ partition, messages }) => {
        if (partition === 0 && handled.get(0)?.length === 0) await partitionOneHandled;
        handled.get(partition)?.push(...messages.map((m) => String(m.value)));
        if (partition === 1) releaseFirst();
      },
    });
    await consumer.start();
    try {
      await waitFor(() => (handled.get(0)?.length ?? 0) + (handled.get(1)?.length ?? 0) === 20);
    } finally {
      await consumer.stop();
    }
    const inOrder = (p: number) => Array.from({ length: 10 }, (_, i) => `p${p}-${i}`);
    expect(handled.get(0)).toEqual(inOrder(0));
    expect(handled.get(1)).toEqual(inOrder(1));
  });
});
