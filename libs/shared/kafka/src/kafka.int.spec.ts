import { integrationEnv, uniqueName } from '@hookline/shared-testing';
import type { Kafka } from 'kafkajs';
import { checkKafka, createKafka, ensureTopics } from './index';

describe('kafkajs against the real broker', () => {
  let kafka: Kafka;

  beforeAll(() => {
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'kafka-int-spec' });
  });

  it('reports a healthy single-broker cluster', async () => {
    const health = await checkKafka(kafka);
    expect(health).toEqual({ ok: true, brokers: 1, controller: expect.any(Number) });
  });

  it('reports an unreachable broker as unhealthy instead of throwing', async () => {
    const nowhere = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'nowhere',
      connectionTimeoutMs: 200,
      retries: 0,
    });
    const health = await checkKafka(nowhere);
    expect(health.ok).toBe(false);
    expect(health.error).toEqual(expect.any(String));
  });

  it('creates a missing topic once and leaves an existing one alone', async () => {
    const topic = uniqueName('smoke.topics');
    const spec = { topic, numPartitions: 2, config: { 'cleanup.policy': 'compact' } };
    expect(await ensureTopics(kafka, [spec])).toEqual([topic]);
    expect(await ensureTopics(kafka, [spec])).toEqual([]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(metadata?.partitions).toHaveLength(2);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }],
      });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('a consumer group receives every produced message in order per key, and resumes after its committed offset', async () => {
    const topic = uniqueName('smoke.events');
    const groupId = uniqueName('smoke-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `m${i}` }));
    await producer.send({ topic, messages: sent.slice(0, 20), acks: -1 });

    const consumeUntil = async (count: number) => {
      const received: Array<{ key: string; value: string }> = [];
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic: t, partition, message }) => {
              received.push({ key: String(message.key), value: String(message.value) });
              // Commit only after the message is handled: the next offset to read.
              await consumer.commitOffsets([
                { topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() },
              ]);
              if (received.length === count) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return received;
    };

    const first = await consumeUntil(20);
    expect(first.map((m) => m.value).sort()).toEqual(
      sent
        .slice(0, 20)
        .map((m) => m.value)
        .sort(),
    );
    for (const key of ['k0', 'k1', 'k2']) {
      const order = first.filter((m) => m.key === key).map((m) => Number(m.value.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }

    // A restarted member of the same group starts after the committed offsets: only new messages.
    await producer.send({ topic, messages: sent.slice(20), acks: -1 });
    const second = await consumeUntil(10);
    expect(second.map((m) => m.value).sort()).toEqual(
      sent
        .slice(20)
        .map((m) => m.value)
        .sort(),
    );
    await producer.disconnect();
  });
});
