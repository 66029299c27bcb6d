import {
  deliveryIdFor,
  type DeliveryRequested,
  SAMPLE_ENVELOPES,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { generateMasterKey } from '@hookline/shared-crypto';
import { createDataSource, runMigrations } from '@hookline/shared-event-store';
import { createKafka } from '@hookline/shared-kafka';
import { sumMetric } from '@hookline/shared-nest';
import {
  createTestCa,
  createTestDatabase,
  integrationEnv,
  startHttpApp,
  startHttpsReceiver,
  uniqueName,
  type HttpsReceiver,
  type RunningApp,
  type TestDatabase,
} from '@hookline/shared-testing';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { AppModule, DELIVERY_WORKER_MIGRATIONS } from './app.module';
import { loadConfig } from './config';

const WEBHOOK_ID = 'wh_metrics';
const COMPANY = 'comp-metrics';

describe('delivery-worker against the real infrastructure', () => {
  const topics = {
    deliveries: uniqueName('worker.deliveries'),
    config: uniqueName('worker.config'),
  };
  let running: RunningApp;
  let db: TestDatabase;
  let receiver: HttpsReceiver;
  let producer: Producer;

  beforeAll(async () => {
    const infra = integrationEnv();
    const ca = await createTestCa();
    receiver = await startHttpsReceiver({ ca });
    db = await createTestDatabase('worker');
    await runMigrations({ url: db.url, migrations: DELIVERY_WORKER_MIGRATIONS });
    // The weeks ahead the migration made are gone: the worker's boot must make them again.
    const setup = await createDataSource({ url: db.url, migrations: [] }).initialize();
    await setup.query(`
      DO $$ DECLARE r record; BEGIN
        FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent::regclass::text IN ('deliveries', 'delivery_requests', 'delivery_events')
                    AND c.relname ~ '_p[0-9]{8}$' AND to_date(right(c.relname, 8), 'YYYYMMDD') > current_date
        LOOP EXECUTE format('DROP TABLE %I', r.relname); END LOOP;
      END $$`);
    await setup.destroy();
    producer = createKafka({ brokers: infra.kafkaBrokers, clientId: 'worker-spec' }).producer();
    await producer.connect();
    const config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: db.url,
      HOOKLINE_MASTER_KEY: generateMasterKey('k1'),
      HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
      HOOKLINE_CONFIG_TOPIC: topics.config,
      HOOKLINE_COMMANDS_TOPIC: uniqueName('worker.commands'),
      HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC: uniqueName('worker.deliveries.dlq'),
      HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('worker'),
      HOOKLINE_TOPIC_PARTITIONS: '1',
      HOOKLINE_EGRESS_ALLOW_CIDRS: '127.0.0.1/32',
      HOOKLINE_EXTRA_CA_FILE: ca.caFile,
      HOOKLINE_LOG_LEVEL: 'warn',
    });
    running = await startHttpApp(AppModule.register(config));
  });

  afterAll(async () => {
    await running?.close();
    await producer?.disconnect();
    await receiver?.close();
    await db?.drop();
  });

  it('boots and reports ready once consuming and dispatching', async () => {
    let response = await fetch(`${running.baseUrl}/ready`);
    const deadline = Date.now() + 60_000;
    while (response.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await fetch(`${running.baseUrl}/ready`);
    }
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: {
        kafka: { status: 'up' },
        postgres: { status: 'up' },
        deliveries: { status: 'up', configCaughtUp: true },
        retention: { status: 'up', retentionDays: 90 },
      },
    });
    // The boot's maintenance made the four weeks ahead again, in the three tables.
    const dataSource = await createDataSource({ url: db.url, migrations: [] }).initialize();
    try {
      const ahead: Array<{ n: number }> = await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent::regclass::text IN ('deliveries', 'delivery_requests', 'delivery_events')
            AND c.relname ~ '_p[0-9]{8}$' AND to_date(right(c.relname, 8), 'YYYYMMDD') > current_date`,
      );
      expect(ahead[0]?.n).toBe(3 * 4);
    } finally {
      await dataSource.destroy();
    }
  });

  it('counts a request taken in and its successful delivery at /metrics', async () => {
    const record: WebhookConfigRecord = {
      schemaVersion: 1,
      webhookId: WEBHOOK_ID,
      company: COMPANY,
      name: WEBHOOK_ID,
      url: receiver.url('/hook'),
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
    };
    const eventId = randomUUID();
    const sample = SAMPLE_ENVELOPES['scan.completed'];
    const request: DeliveryRequested = {
      schemaVersion: 1,
      deliveryId: deliveryIdFor(eventId, WEBHOOK_ID),
      eventId,
      webhookId: WEBHOOK_ID,
      webhookVersion: 1,
      company: COMPANY,
      eventType: 'scan.completed',
      envelope: { ...sample, event_id: eventId, data: { ...sample.data, company: COMPANY } },
      trigger: 'first',
      requestedAt: new Date().toISOString(),
      correlationId: eventId,
    };
    await producer.send({
      topic: topics.config,
      messages: [{ key: WEBHOOK_ID, value: JSON.stringify(record) }],
      acks: -1,
    });
    await producer.send({
      topic: topics.deliveries,
      messages: [{ key: WEBHOOK_ID, value: JSON.stringify(request) }],
      acks: -1,
    });

    await receiver.waitFor(1, { path: '/hook', timeoutMs: 30_000 });
    const scrape = async () => {
      const response = await fetch(`${running.baseUrl}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    let text = await scrape();
    const deadline = Date.now() + 15_000;
    while (
      sumMetric(text, 'hookline_deliveries_total', { outcome: 'succeeded' }) < 1 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await scrape();
    }

    expect(sumMetric(text, 'hookline_delivery_requests_intake_total')).toBe(1);
    expect(
      sumMetric(text, 'hookline_delivery_attempts_total', {
        outcome: 'succeeded',
        failure_class: 'none',
        app: 'delivery-worker',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumMetric(text, 'hookline_deliveries_total', { outcome: 'succeeded' })).toBe(1);
    expect(
      sumMetric(text, 'hookline_delivery_attempt_duration_seconds_count', {
        outcome: 'succeeded',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumMetric(text, 'hookline_delivery_calls_in_flight')).toBe(0);
    expect(sumMetric(text, 'hookline_delivery_queue_depth', { state: 'due' })).toBe(0);
    expect(text).toContain('hookline_webhooks_paused{app="delivery-worker"} 0');
  });
});
