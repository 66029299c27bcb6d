import { parseEnvelope, samplePayload, type EventEnvelope } from '@hookline/contracts';
import {
  type ConsumedMessage,
  consumeTopic,
  integrationEnv,
  uniqueName,
} from '@hookline/shared-testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { EventPublisher } from './index';

describe('EventPublisher against the real broker', () => {
  let kafka: Kafka;
  let producer: Producer;
  let topic: string;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: 'events-publisher-int-spec',
      brokers: integrationEnv().kafkaBrokers,
      connectionTimeout: 5_000,
      logLevel: logLevel.NOTHING,
    });
    topic = uniqueName('publisher.events');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      });
    } finally {
      await admin.disconnect();
    }
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  it('consumers receive valid envelopes keyed by company, with headers, one company in order on one partition', async () => {
    const publisher = new EventPublisher({ producer, topic, source: 'publisher-int-spec' });
    const single = await publisher.publish('scan.started', samplePayload('scan.started').data, {
      correlationId: 'run-1',
    });
    const batch = await publisher.publishMany(
      Array.from({ length: 6 }, (_, i) => ({
        eventType: 'user.login_failed' as const,
        data: {
          ...samplePayload('user.login_failed').data,
          company: i % 2 === 0 ? 'acme' : 'globex',
          username: `attempt-${i}`,
        },
      })),
    );
    const published: EventEnvelope[] = [single, ...batch];

    const received = await consumeTopic(kafka, topic, published.length);

    const byId = new Map<string, ConsumedMessage>();
    for (const message of received) {
      const parsed = parseEnvelope(message.value);
      if (!parsed.ok)
        throw new Error(`an invalid envelope was received: ${JSON.stringify(parsed)}`);
      byId.set(parsed.value.event_id, message);
      expect(message.key).toBe(parsed.value.data.company);
      expect(message.headers).toEqual(
        expect.objectContaining({
          'message-type': 'EventEnvelope',
          'schema-version': '1',
          source: 'publisher-int-spec',
        }),
      );
    }
    for (const envelope of published) {
      const message = byId.get(envelope.event_id);
      expect(message).toBeDefined();
      expect(parseEnvelope(message?.value)).toEqual({ ok: true, value: envelope });
    }
    expect(byId.get(single.event_id)?.headers['correlation-id']).toBe('run-1');
    const [firstOfBatch] = batch;
    expect(byId.get(firstOfBatch?.event_id ?? '')?.headers['correlation-id']).toBe(
      firstOfBatch?.event_id,
    );

    for (const company of ['acme', 'globex']) {
      const mine = received.filter((m) => m.key === company);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      const order = mine.map((m) => {
        const parsed = parseEnvelope(m.value);
        return parsed.ok && parsed.value.event_type === 'user.login_failed'
          ? parsed.value.data.username
          : '';
      });
      expect(order).toEqual([...order].sort());
    }
  });

  it('an invalid event never reaches the topic', async () => {
    const probe = uniqueName('publisher.invalid');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: probe, numPartitions: 1 }],
      });
      const publisher = new EventPublisher({ producer, topic: probe });
      const data = { ...samplePayload('user.login').data, company: '' };
      await expect(publisher.publish('user.login', data)).rejects.toMatchObject({
        code: 'INVALID_EVENT',
      });
      const [offsets] = await admin.fetchTopicOffsets(probe);
      expect(offsets?.high).toBe('0');
    } finally {
      await admin.disconnect();
    }
  });
});
