import { ACCESS_MIGRATIONS, ApiKeyStore } from '@hookline/access-data-access';
import { type DeliveryRequested, SAMPLE_ENVELOPES } from '@hookline/contracts';
import { DELIVERIES_MIGRATIONS } from '@hookline/deliveries-data-access';
import { generateMasterKey } from '@hookline/shared-crypto';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createKafka } from '@hookline/shared-kafka';
import {
  createTestDatabase,
  freePort,
  integrationEnv,
  startAppProcess,
  uniqueName,
  type AppProcess,
  type TestDatabase,
} from '@hookline/shared-testing';
import { WEBHOOKS_MIGRATIONS } from '@hookline/webhooks-data-access';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';

/**
 * The config API and the event matcher as separate processes: a webhook created, paused and
 * deleted over REST changes what the running matcher does, without a restart.
 */
describe('config API to event matcher, live', () => {
  const company = uniqueName('e2e-company');
  const topics = { ingest: uniqueName('e2e.ingest'), deliveries: uniqueName('e2e.deliveries') };
  let db: TestDatabase;
  let configApi: AppProcess;
  let matcher: AppProcess;
  let apiUrl: string;
  let key: string;
  let kafka: Kafka;
  let producer: Producer;
  let reader: Consumer;
  const requests: DeliveryRequested[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBeLessThan(300);
    return response.status === 204 ? undefined : ((await response.json()) as { id: string });
  };

  /**
   * Sends a scan.completed of the company and returns the requests it caused: waits for one when
   * one is expected, else gives the matcher a few seconds to prove it makes none.
   */
  const requestsForNewEvent = async (expectOne = true) => {
    const sample = SAMPLE_ENVELOPES['scan.completed'];
    const eventId = randomUUID();
    await producer.send({
      topic: topics.ingest,
      messages: [
        {
          key: company,
          value: JSON.stringify({
            ...sample,
            event_id: eventId,
            data: { ...sample.data, company },
          }),
        },
      ],
      acks: -1,
    });
    const deadline = Date.now() + (expectOne ? 15_000 : 3_000);
    while (Date.now() < deadline && !requests.some((r) => r.eventId === eventId)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return requests.filter((r) => r.eventId === eventId);
  };

  /** Time for the relay to publish the change and the matcher to apply it (well within 2 s). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));

  beforeAll(async () => {
    const infra = integrationEnv();
    db = await createTestDatabase('e2e');
    // The config API's own set: it records each webhook's status for the delivery worker too.
    const migrations = [
      ...EVENT_STORE_MIGRATIONS,
      ...WEBHOOKS_MIGRATIONS,
      ...ACCESS_MIGRATIONS,
      ...DELIVERIES_MIGRATIONS,
    ];
    await runMigrations({ url: db.url, migrations });
    const dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    key = (await new ApiKeyStore(dataSource).create({ company, role: 'admin', name: 'e2e' })).key;
    await dataSource.destroy();

    kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'e2e-spec' });
    producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.ingest, numPartitions: 2 },
        { topic: topics.deliveries, numPartitions: 2 },
      ],
    });
    await admin.disconnect();
    reader = kafka.consumer({ groupId: uniqueName('e2e-reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: topics.deliveries, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        requests.push(JSON.parse(String(message.value)) as DeliveryRequested);
      },
    });

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    configApi = startAppProcess(
      'config-api',
      {
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        DATABASE_URL: db.url,
        HOOKLINE_MASTER_KEY: generateMasterKey('k1'),
        HOOKLINE_CONFIG_API_PORT: String(apiPort),
        HOOKLINE_LOG_LEVEL: 'warn',
      },
      apiPort,
    );
    const matcherPort = await freePort();
    matcher = startAppProcess(
      'event-matcher',
      {
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        HOOKLINE_EVENT_MATCHER_PORT: String(matcherPort),
        HOOKLINE_INGEST_TOPICS: topics.ingest,
        HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
        HOOKLINE_EVENT_MATCHER_GROUP: uniqueName('e2e-matcher'),
        HOOKLINE_LOG_LEVEL: 'warn',
      },
      matcherPort,
    );
    await Promise.all([
      configApi.waitForHttp('/ready', 90_000),
      matcher.waitForHttp('/ready', 90_000),
    ]);
  });

  afterAll(async () => {
    await matcher?.kill('SIGTERM');
    await configApi?.kill('SIGTERM');
    await reader?.disconnect();
    await producer?.disconnect();
    await db?.drop();
  });

  it('matches, holds and stops matching as the webhook is created, paused and deleted', async () => {
    expect(await requestsForNewEvent(false)).toEqual([]);

    const created = await api('POST', '/v1/webhooks', {
      name: 'e2e',
      url: 'https://hooks.example.com/e2e',
      type: 'other',
      events: ['scan.completed'],
    });
    const id = created?.id ?? '';
    await settle();
    expect((await requestsForNewEvent()).map((r) => [r.webhookId, r.held])).toEqual([[id, false]]);

    await api('POST', `/v1/webhooks/${id}/pause`);
    await settle();
    expect((await requestsForNewEvent()).map((r) => [r.webhookId, r.held])).toEqual([[id, true]]);

    await api('DELETE', `/v1/webhooks/${id}`);
    await settle();
    expect(await requestsForNewEvent(false)).toEqual([]);
  });
});
