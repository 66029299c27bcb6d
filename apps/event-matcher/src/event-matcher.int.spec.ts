import {
  deliveryIdFor,
  type DeliveryRequested,
  type EventDeadLettered,
  type EventEnvelope,
  SAMPLE_ENVELOPES,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { createKafka } from '@hookline/shared-kafka';
import { sumMetric } from '@hookline/shared-nest';
import {
  integrationEnv,
  startHttpApp,
  uniqueName,
  type RunningApp,
} from '@hookline/shared-testing';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { AppModule } from './app.module';
import { loadConfig } from './config';

const COMPANY = 'comp-a';

function webhook(id: string, overrides: Partial<WebhookConfigRecord> = {}): WebhookConfigRecord {
  return {
    schemaVersion: 1,
    webhookId: id,
    company: COMPANY,
    name: id,
    url: 'https://hooks.example.com/x',
    type: 'other',
    events: ['scan.completed', 'issue.status_changed', 'user.login'],
    projectIds: [],
    statusFilter: [],
    status: 'active',
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    bodyTemplate: null,
    signingSecret: null,
    headers: [],
    ...overrides,
  };
}

/** A sample event of `type` with a fresh id, for `company`, with data overrides. */
function event(
  type: keyof typeof SAMPLE_ENVELOPES,
  data: Record<string, unknown> = {},
  company = COMPANY,
) {
  const sample = SAMPLE_ENVELOPES[type];
  return {
    ...sample,
    event_id: randomUUID(),
    data: { ...sample.data, company, ...data },
  } as EventEnvelope;
}

describe('event matcher against the real broker', () => {
  const topics = {
    ingest: uniqueName('ingest'),
    config: uniqueName('config'),
    deliveries: uniqueName('deliveries'),
    dlq: uniqueName('dlq'),
  };
  let kafka: Kafka;
  let producer: Producer;
  let app: RunningApp;
  let reader: Consumer;
  const requests: DeliveryRequested[] = [];
  const deadLetters: EventDeadLettered[] = [];

  const publishConfig = (record: WebhookConfigRecord | null, id = record?.webhookId ?? '') =>
    producer.send({
      topic: topics.config,
      messages: [{ key: id, value: record ? JSON.stringify(record) : null }],
      acks: -1,
    });
  const publishEvents = (values: Array<EventEnvelope | string | Buffer>) =>
    producer.send({
      topic: topics.ingest,
      messages: values.map((value) => ({
        key: COMPANY,
        value: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
      })),
      acks: -1,
    });
  const waitFor = async (condition: () => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** The requests made for these events, once `count` of them arrived (and a moment for extras). */
  const requestsFor = async (events: EventEnvelope[], count: number) => {
    const ids = new Set(events.map((e) => e.event_id));
    const mine = () => requests.filter((r) => ids.has(r.eventId));
    await waitFor(() => mine().length >= count);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return mine();
  };

  beforeAll(async () => {
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'matcher-spec' });
    producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.ingest, numPartitions: 3 },
        {
          topic: topics.config,
          numPartitions: 3,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
        { topic: topics.deliveries, numPartitions: 3 },
        {
          topic: topics.dlq,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(16 * 1_048_576) }],
        },
      ],
    });
    await admin.disconnect();

    // The index starts from what is already on the topic.
    await publishConfig(webhook('wh_all'));
    await publishConfig(webhook('wh_project', { projectIds: ['proj-uuid-9012'] }));
    await publishConfig(webhook('wh_otherproject', { projectIds: ['proj-other'] }));
    await publishConfig(
      webhook('wh_fixed', { events: ['issue.status_changed'], statusFilter: ['fixed'] }),
    );
    await publishConfig(
      webhook('wh_open', { events: ['issue.status_changed'], statusFilter: ['open'] }),
    );
    await publishConfig(webhook('wh_paused', { status: 'paused' }));
    await publishConfig(webhook('wh_othercompany', { company: 'comp-b' }));
    await publishConfig(webhook('wh_logins', { events: ['user.login'] }));
    await publishConfig(webhook('wh_deleted'));
    await publishConfig(null, 'wh_deleted');

    reader = kafka.consumer({ groupId: uniqueName('matcher-spec-reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [topics.deliveries, topics.dlq], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const value = JSON.parse(String(message.value));
        if (topic === topics.deliveries) requests.push(value as DeliveryRequested);
        else deadLetters.push(value as EventDeadLettered);
      },
    });

    const config = loadConfig({
      KAFKA_BROKERS: integrationEnv().kafkaBrokers.join(','),
      HOOKLINE_INGEST_TOPICS: topics.ingest,
      HOOKLINE_CONFIG_TOPIC: topics.config,
      HOOKLINE_DELIVERIES_TOPIC: topics.deliveries,
      HOOKLINE_DEAD_LETTER_TOPIC: topics.dlq,
      HOOKLINE_EVENT_MATCHER_GROUP: uniqueName('matcher-spec'),
      HOOKLINE_LOG_LEVEL: 'warn',
      HOOKLINE_MAX_EVENT_BYTES: '4096',
    });
    app = await startHttpApp(AppModule.register(config));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${app.baseUrl}/ready`);
      if (ready.status === 200) break;
      if (Date.now() > deadline) throw new Error(`not ready: ${await ready.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await app?.close();
    await reader?.disconnect();
    await producer?.disconnect();
  });

  it('reports the caught-up index on /ready', async () => {
    const ready = await (await fetch(`${app.baseUrl}/ready`)).json();
    expect(ready).toMatchObject({
      status: 'ok',
      info: {
        kafka: { status: 'up' },
        subscriptionIndex: { status: 'up', caughtUp: true, webhooks: 8 },
      },
    });
  });

  it('makes exactly the expected requests for a table of events × webhooks', async () => {
    const table: Array<[EventEnvelope, string[]]> = [
      [event('scan.completed'), ['wh_all', 'wh_project', 'wh_paused']],
      [
        event('scan.completed', { project: { id: 'proj-other', name: 'Other' } }),
        ['wh_all', 'wh_otherproject', 'wh_paused'],
      ],
      [
        event('issue.status_changed', { status: 'fixed' }),
        ['wh_all', 'wh_project', 'wh_fixed', 'wh_paused'],
      ],
      [
        event('issue.status_changed', { status: 'open', previous_status: 'fixed' }),
        ['wh_all', 'wh_project', 'wh_open', 'wh_paused'],
      ],
      [
        event('issue.status_changed', { status: 'accepted_risk' }),
        ['wh_all', 'wh_project', 'wh_paused'],
      ],
      [event('user.login'), ['wh_all', 'wh_paused', 'wh_logins']],
      [event('scan.completed', {}, 'comp-b'), ['wh_othercompany']],
      [event('scan.completed', {}, 'comp-nobody'), []],
      [event('issue.assigned'), []],
    ];
    await publishEvents(table.map(([e]) => e));
    const got = await requestsFor(
      table.map(([e]) => e),
      table.reduce((n, [, ids]) => n + ids.length, 0),
    );
    for (const [envelope, webhookIds] of table) {
      const forEvent = got.filter((r) => r.eventId === envelope.event_id);
      expect(forEvent.map((r) => r.webhookId).sort()).toEqual([...webhookIds].sort());
      for (const request of forEvent) {
        expect(request).toMatchObject({
          deliveryId: deliveryIdFor(envelope.event_id, request.webhookId),
          envelope,
          held: request.webhookId === 'wh_paused',
          webhookVersion: 1,
        });
      }
    }
  });

  it('dead-letters each kind of bad input with its reason, and matches the events after it', async () => {
    const good = event('scan.completed');
    const sample = event('scan.completed');
    await publishEvents([
      'not json',
      '[1,2,3]',
      JSON.stringify({ ...sample, event_type: 'scan.exploded' }),
      JSON.stringify({ ...sample, data: { ...sample.data, issues_found: 'many' } }),
      JSON.stringify({ ...sample, data: { ...sample.data, company: undefined } }),
      Buffer.alloc(5_000, 0x20),
      good,
    ]);
    await waitFor(() => deadLetters.length >= 6);
    expect(deadLetters.map((d) => d.errors.map((e) => e.rule).join(','))).toEqual([
      expect.stringContaining('json'),
      expect.stringContaining('type'),
      expect.stringContaining('enum'),
      expect.stringContaining('type'),
      expect.stringContaining('required'),
      expect.stringContaining('max_size'),
    ]);
    expect(deadLetters[0]).toMatchObject({
      rawValue: 'not json',
      source: { topic: topics.ingest },
    });
    const matched = await requestsFor([good], 3);
    expect(matched.map((r) => r.webhookId).sort()).toEqual(['wh_all', 'wh_paused', 'wh_project']);
  });

  it('follows webhook changes live: created, paused and deleted without a restart', async () => {
    await publishConfig(webhook('wh_new', { events: ['scan.failed'] }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const first = event('scan.failed');
    await publishEvents([first]);
    expect((await requestsFor([first], 1)).map((r) => [r.webhookId, r.held])).toEqual([
      ['wh_new', false],
    ]);

    await publishConfig(
      webhook('wh_new', { events: ['scan.failed'], status: 'paused', version: 2 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = event('scan.failed');
    await publishEvents([second]);
    expect(
      (await requestsFor([second], 1)).map((r) => [r.webhookId, r.held, r.webhookVersion]),
    ).toEqual([['wh_new', true, 2]]);

    await publishConfig(null, 'wh_new');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const third = event('scan.failed');
    await publishEvents([third, event('scan.completed')]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(requests.filter((r) => r.eventId === third.event_id)).toEqual([]);
  });

  it('counts what it consumed, matched, produced and dead-lettered at /metrics', async () => {
    const scrape = async () => (await fetch(`${app.baseUrl}/metrics`)).text();
    const before = await scrape();
    const matching = event('scan.completed');
    await publishEvents([matching, event('scan.completed', {}, 'comp-nobody'), 'not json']);
    await requestsFor([matching], 3);

    let after = await scrape();
    const deadline = Date.now() + 10_000;
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sumMetric(after, name, labels) - sumMetric(before, name, labels);
    while (moved('hookline_events_consumed_total') < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await scrape();
    }
    expect(moved('hookline_events_consumed_total', { topic: topics.ingest })).toBe(3);
    expect(moved('hookline_events_matched_total')).toBe(1);
    expect(moved('hookline_delivery_requests_produced_total')).toBe(3);
    expect(moved('hookline_events_dead_lettered_total')).toBe(1);
    expect(after).toMatch(/^hookline_events_consumed_total\{.*app="event-matcher"\} /m);
  });
});
