import {
  type DeliveryRequested,
  SAMPLE_ENVELOPES,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { createKafka } from '@hookline/shared-kafka';
import {
  freePort,
  integrationEnv,
  startAppProcess,
  uniqueName,
  type AppProcess,
} from '@hookline/shared-testing';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';

const EVENTS = 10_000;
const COMPANY = 'comp-crash';
const WEBHOOKS = ['wh_crash1', 'wh_crash2', 'wh_crash3'];

/**
 * The matcher is killed with SIGKILL in the middle of a stream of events and started again:
 * every expected (event, webhook) pair must still get its request. Duplicates are allowed
 * (at least once); the test counts distinct delivery ids.
 */
describe('event matcher killed mid-stream', () => {
  const topics = {
    ingest: uniqueName('crash.ingest'),
    config: uniqueName('crash.config'),
    deliveries: uniqueName('crash.deliveries'),
    dlq: uniqueName('crash.dlq'),
  };
  const group = uniqueName('crash-matcher');
  let kafka: Kafka;
  let producer: Producer;
  let reader: Consumer;
  const deliveryIds = new Set<string>();
  let received = 0;

  const startMatcher = async (): Promise<AppProcess> => {
    const port = await freePort();
    const matcher = startAppProcess(
      'event-matcher',
      {
        KAFKA_BROKERS: integrationEnv().kafkaBrokers.join(','),
        HOOKLINE_EVENT_MATCHER_PORT: String(port),
        HOOKLINE_INGEST_TOPICS: topics.ingest,
        HOOKLINE_CONFIG_TOPIC: topics.config,
        HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
        HOOKLINE_DEAD_LETTER_TOPIC: topics.dlq,
        HOOKLINE_EVENT_MATCHER_GROUP: group,
        HOOKLINE_TOPIC_PARTITIONS: '3',
        HOOKLINE_LOG_LEVEL: 'warn',
      },
      port,
    );
    await matcher.waitForHttp('/ready', 90_000);
    return matcher;
  };

  const waitFor = async (condition: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out at ${deliveryIds.size} distinct`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'crash-spec' });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const records: WebhookConfigRecord[] = WEBHOOKS.map((webhookId) => ({
      schemaVersion: 1,
      webhookId,
      company: COMPANY,
      name: webhookId,
      url: 'https://hooks.example.com/x',
      type: 'other',
      events: ['scan.completed'],
      projectIds: [],
      statusFilter: [],
      status: 'active',
      version: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
      bodyTemplate: null,
      signingSecret: null,
      headers: [],
    }));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.ingest, numPartitions: 3 },
        { topic: topics.deliveries, numPartitions: 3 },
        {
          topic: topics.config,
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await admin.disconnect();
    await producer.send({
      topic: topics.config,
      messages: records.map((r) => ({ key: r.webhookId, value: JSON.stringify(r) })),
      acks: -1,
    });
    reader = kafka.consumer({ groupId: uniqueName('crash-reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: topics.deliveries, fromBeginning: true });
    await reader.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          received += 1;
          deliveryIds.add((JSON.parse(String(message.value)) as DeliveryRequested).deliveryId);
        }
      },
    });
  });

  afterAll(async () => {
    await reader?.disconnect();
    await producer?.disconnect();
  });

  it('yields a request for every (event, webhook) pair after a SIGKILL and a restart', async () => {
    const first = await startMatcher();
    const sample = SAMPLE_ENVELOPES['scan.completed'];
    const events = Array.from({ length: EVENTS }, () => ({
      key: COMPANY,
      value: JSON.stringify({
        ...sample,
        event_id: randomUUID(),
        data: { ...sample.data, company: COMPANY },
      }),
    }));
    const started = Date.now();
    // Sent in the background, in slices, so the kill lands while events are still arriving.
    const sending = (async () => {
      for (let i = 0; i < events.length; i += 500) {
        await producer.send({ topic: topics.ingest, messages: events.slice(i, i + 500), acks: -1 });
      }
    })();
    await waitFor(() => deliveryIds.size >= 3_000, 120_000);
    const killedAt = deliveryIds.size;
    expect(await first.kill('SIGKILL')).toBeNull();

    await sending;
    const second = await startMatcher();
    try {
      await waitFor(() => deliveryIds.size >= EVENTS * WEBHOOKS.length, 180_000);
    } finally {
      await second.kill('SIGTERM');
    }
    const seconds = (Date.now() - started) / 1000;
    expect(deliveryIds.size).toBe(EVENTS * WEBHOOKS.length);
    expect(received).toBeGreaterThanOrEqual(deliveryIds.size);
    process.stdout.write(
      `crash test: killed at ${killedAt} distinct requests; ${deliveryIds.size} distinct, ` +
        `${received - deliveryIds.size} duplicates, ${seconds.toFixed(1)} s in all\n`,
    );
  });
});
