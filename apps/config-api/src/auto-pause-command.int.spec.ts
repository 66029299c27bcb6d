import {
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  parseWebhookConfigRecord,
  type WebhookCommandRequested,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { createKafka } from '@hookline/shared-kafka';
import { sumMetric } from '@hookline/shared-nest';
import { integrationEnv, uniqueName } from '@hookline/shared-testing';
import type { Kafka, Producer } from 'kafkajs';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

type WebhookBody = Record<string, unknown> & { id: string; version: number; status: string };
type StoredEventRow = {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(200);
  }
}

describe('config API executing webhooks.commands (real broker and database)', () => {
  const topic = uniqueName('webhooks.commands');
  const groupId = uniqueName('config-api-commands');
  let api: ConfigApiHarness;
  let kafka: Kafka;
  let producer: Producer;
  let key: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start({
      relay: true,
      commands: true,
      env: { HOOKLINE_COMMANDS_TOPIC: topic, HOOKLINE_CONFIG_API_COMMANDS_GROUP: groupId },
    });
    key = await api.key('comp-a', 'integrations');
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'auto-pause-spec' });
    producer = kafka.producer();
    await producer.connect();
    // The consumer starts in the background; /ready names it once it created the topic and joined.
    await eventually('the commands consumer to start', async () => {
      const ready = await api.request<{ info?: { webhookCommands?: { status: string } } }>(
        'GET',
        '/ready',
      );
      return ready.body.info?.webhookCommands?.status === 'up' ? true : undefined;
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await api?.stop();
  });

  const command = (
    webhookId: string,
    overrides: Partial<WebhookCommandRequested> = {},
  ): WebhookCommandRequested => ({
    schemaVersion: 1,
    type: 'AutoPauseWebhook',
    webhookId,
    company: 'comp-a',
    reason: '20 consecutive failed calls; last: HTTP 503 Service Unavailable',
    consecutiveFailures: 20,
    requestedAt: new Date().toISOString(),
    correlationId: uniqueName('corr'),
    ...overrides,
  });

  async function produce(
    ...messages: Array<{ key: string; value: string | WebhookCommandRequested }>
  ): Promise<void> {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: typeof m.value === 'string' ? m.value : JSON.stringify(m.value),
        headers: { [KAFKA_HEADERS.messageType]: 'WebhookCommandRequested' },
      })),
    });
  }

  /** Resolves once the consumer group committed every message produced so far. */
  async function allCommitted(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await eventually('every command to be committed', async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const done = ends.every(
          (end) =>
            end.high === '0' ||
            committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
        );
        return done ? true : undefined;
      });
    } finally {
      await admin.disconnect();
    }
  }

  async function createWebhook(apiKey = key): Promise<string> {
    const created = await api.request<WebhookBody>('POST', '/v1/webhooks', {
      key: apiKey,
      body: validWebhook(),
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const get = (id: string, apiKey = key) =>
    api.request<WebhookBody>('GET', `/v1/webhooks/${id}`, { key: apiKey });

  const pausedWebhook = (id: string) =>
    eventually(`webhook ${id} to be paused`, async () => {
      const { body } = await get(id);
      return body.status === 'paused' ? body : undefined;
    });

  const events = (id: string): Promise<StoredEventRow[]> =>
    api.database.query(
      `SELECT type, data, metadata FROM webhook_events WHERE stream_id = $1 ORDER BY stream_position`,
      [id],
    );

  /** Every warn line of the app saying it skipped a command. */
  const skipped = (): Array<Record<string, unknown>> =>
    api.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"webhook command skipped"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  /** The webhooks.config records of one webhook, read from the start of the topic. */
  async function configRecords(webhookId: string, count: number) {
    const consumer = kafka.consumer({
      groupId: uniqueName('auto-pause-spec'),
      maxWaitTimeInMs: 100,
    });
    const records: WebhookConfigRecord[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: KAFKA_TOPICS.webhooksConfig, fromBeginning: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${records.length} of ${count}`)),
          30_000,
        );
        consumer
          .run({
            eachMessage: async ({ message }) => {
              if (String(message.key) !== webhookId || message.value === null) return;
              const parsed = parseWebhookConfigRecord(message.value);
              if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
              records.push(parsed.value);
              if (records.length === count) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return records;
  }

  it('pauses the webhook automatically, recorded in its log and published to webhooks.config', async () => {
    const id = await createWebhook();
    const request = command(id);
    await produce({ key: id, value: request });

    const paused = await pausedWebhook(id);
    expect(paused).toMatchObject({
      status: 'paused',
      pausedReason: 'auto',
      pausedAt: expect.any(String),
      version: 2,
    });
    // The reason text is kept on the event (the API shows only that the pause was automatic).
    expect((await events(id)).map((e) => e.type)).toEqual(['WebhookCreated', 'WebhookAutoPaused']);
    expect((await events(id))[1]).toMatchObject({
      data: { webhookId: id, reason: request.reason, consecutiveFailures: 20 },
      metadata: { correlationId: request.correlationId },
    });

    const records = await configRecords(id, 2);
    expect(records.map((r) => [r.status, r.version])).toEqual([
      ['active', 1],
      ['paused', 2],
    ]);
  });

  it('a replayed command changes nothing: no new event, no new version', async () => {
    const id = await createWebhook();
    const request = command(id);
    await produce({ key: id, value: request });
    await pausedWebhook(id);
    await allCommitted();

    await produce({ key: id, value: request }, { key: id, value: command(id) });
    await allCommitted();

    expect((await get(id)).body).toMatchObject({ status: 'paused', version: 2 });
    expect((await events(id)).map((e) => e.type)).toEqual(['WebhookCreated', 'WebhookAutoPaused']);
  });

  it('a webhook paused by hand stays paused by hand', async () => {
    const id = await createWebhook();
    await api.request('POST', `/v1/webhooks/${id}/pause`, { key });
    await produce({ key: id, value: command(id) });
    await allCommitted();

    expect((await get(id)).body).toMatchObject({
      status: 'paused',
      pausedReason: 'manual',
      version: 2,
    });
  });

  it('skips, with a logged reason, garbage and commands it can never run, then applies the next', async () => {
    const id = await createWebhook();
    const deleted = await createWebhook();
    expect((await api.request('DELETE', `/v1/webhooks/${deleted}`, { key })).status).toBe(204);
    const otherKey = await api.key('comp-b', 'integrations');
    const othersWebhook = await createWebhook(otherKey);
    const unknown = 'wh_0123456789abcdef0123456789abcdef';
    const before = skipped().length;

    // One key, one partition: the valid command comes after every bad one.
    await produce(
      { key: id, value: '{"schemaVersion":1,"type":"AutoPauseWebhook",' },
      { key: id, value: JSON.stringify({ ...command(id), consecutiveFailures: 0 }) },
      { key: id, value: command(unknown) },
      { key: id, value: command(deleted) },
      { key: id, value: command(othersWebhook) },
      { key: id, value: command(id) },
    );

    expect(await pausedWebhook(id)).toMatchObject({ pausedReason: 'auto', version: 2 });
    const reasons = skipped()
      .slice(before)
      .map((line) => [line['level'], line['reason']]);
    expect(reasons).toEqual([
      [40, expect.stringMatching(/JSON/i)],
      [40, expect.stringContaining('/consecutiveFailures')],
      [40, expect.stringContaining('not the webhook id')],
      [40, expect.stringContaining('not the webhook id')],
      [40, expect.stringContaining('not the webhook id')],
    ]);

    // Each under its own key: the aggregate refuses them, and they are skipped likewise.
    await produce(
      { key: unknown, value: command(unknown) },
      { key: deleted, value: command(deleted) },
      { key: othersWebhook, value: command(othersWebhook) },
    );
    await allCommitted();
    const refused = skipped().slice(before + 5);
    expect(refused.map((line) => [line['webhookId'], line['reason']])).toEqual(
      expect.arrayContaining([
        [unknown, expect.stringContaining('not_found')],
        [deleted, expect.stringContaining('not_found')],
        [othersWebhook, expect.stringContaining('not_found')],
      ]),
    );
    expect((await get(othersWebhook, otherKey)).body).toMatchObject({
      status: 'active',
      version: 1,
    });
  });

  it('retries a command while the database refuses writes, and applies it once it accepts them', async () => {
    const id = await createWebhook();
    const trigger = uniqueName('refuse_writes');
    await api.database.query(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'writes refused for the test'; END $$;
      CREATE TRIGGER ${trigger} BEFORE INSERT ON webhook_events
        FOR EACH ROW EXECUTE FUNCTION ${trigger}();
    `);
    try {
      await produce({ key: id, value: command(id) });
      await eventually('the consumer to fail and retry', async () =>
        api.logs.some((line) => line.includes('batch handling failed; retrying'))
          ? true
          : undefined,
      );
      expect((await get(id)).body).toMatchObject({ status: 'active', version: 1 });
    } finally {
      await api.database.query(`
        DROP TRIGGER ${trigger} ON webhook_events;
        DROP FUNCTION ${trigger}();
      `);
    }

    expect(await pausedWebhook(id)).toMatchObject({ pausedReason: 'auto', version: 2 });
    expect(skipped().filter((line) => line['webhookId'] === id)).toEqual([]);
  });

  it('counts the commands it executed by outcome, and the requests it answered, at /metrics', async () => {
    const scrape = async () => (await fetch(`${api.baseUrl}/metrics`)).text();
    const before = await scrape();
    const id = await createWebhook();
    await produce(
      { key: id, value: command(id) },
      { key: id, value: command(id) },
      {
        key: id,
        value: 'not a command',
      },
    );
    await allCommitted();
    expect((await get(id)).status).toBe(200);
    expect((await api.request('GET', '/v1/no-such-thing', { key })).status).toBe(404);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      sumMetric(after, name, labels) - sumMetric(before, name, labels);
    const executed = 'hookline_webhook_auto_pause_commands_executed_total';
    expect(moved(executed, { outcome: 'paused', app: 'config-api' })).toBe(1);
    expect(moved(executed, { outcome: 'unchanged' })).toBe(1);
    expect(moved(executed, { outcome: 'skipped' })).toBe(1);
    const requests = 'hookline_http_requests_total';
    expect(moved(requests, { method: 'POST', route: '/v1/webhooks', status: '201' })).toBe(1);
    expect(moved(requests, { method: 'GET', route: '/v1/webhooks/:id', status: '200' })).toBe(1);
    expect(moved(requests, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(moved(requests, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
  });
});
