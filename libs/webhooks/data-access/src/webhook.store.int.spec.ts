import {
  KAFKA_TOPICS,
  parseWebhookConfigRecord,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { generateMasterKey, parseMasterKeys } from '@hookline/shared-crypto';
import {
  ConcurrencyConflictError,
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  OutboxRelay,
  PostgresEventStore,
  runMigrations,
} from '@hookline/shared-event-store';
import { createKafka, ensureTopics } from '@hookline/shared-kafka';
import {
  createTestDatabase,
  integrationEnv,
  uniqueName,
  type TestDatabase,
} from '@hookline/shared-testing';
import {
  type CreateWebhook,
  type WebhookCommand,
  WebhookDomainError,
} from '@hookline/webhooks-domain';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { WEBHOOKS_MIGRATIONS } from './migrations';
import { rebuildWebhooksProjection, WebhookStore } from './webhook.store';

const keyRing = parseMasterKeys(generateMasterKey('k1'));
const now = () => new Date().toISOString();

function createCommand(webhookId: string, overrides: Partial<CreateWebhook> = {}): CreateWebhook {
  return {
    type: 'CreateWebhook',
    webhookId,
    company: 'comp-1',
    now: now(),
    name: 'Production scan alerts',
    url: 'https://hooks.example.com/scans',
    webhookType: 'other',
    events: ['scan.completed', 'issue.status_changed'],
    projectIds: ['proj-1'],
    statusFilter: ['fixed'],
    headers: [{ name: 'X-Api-Key', value: keyRing.seal('header-value', `${webhookId}:header`) }],
    bodyTemplate: null,
    secret: keyRing.seal('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', `${webhookId}:secret`),
    ...overrides,
  };
}

describe('WebhookStore against the real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let events: PostgresEventStore;
  let store: WebhookStore;
  let kafka: Kafka;

  beforeAll(async () => {
    db = await createTestDatabase('webhooks');
    const migrations = [...EVENT_STORE_MIGRATIONS, ...WEBHOOKS_MIGRATIONS];
    await runMigrations({ url: db.url, migrations });
    dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    events = new PostgresEventStore(dataSource);
    store = new WebhookStore(dataSource, events);
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'webhook-store-spec' });
    await ensureTopics(kafka, [
      {
        topic: KAFKA_TOPICS.webhooksConfig,
        numPartitions: 3,
        config: { 'cleanup.policy': 'compact' },
      },
    ]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** Reads webhooks.config from the start until `count` records of the given webhooks arrived. */
  async function consumeConfig(webhookIds: readonly string[], count: number) {
    const seen: Array<{ key: string; record: WebhookConfigRecord | null }> = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('config-reader'),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: KAFKA_TOPICS.webhooksConfig, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${seen.length} of ${count} records`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const key = String(message.key);
            if (!webhookIds.includes(key)) return;
            if (message.value === null) {
              seen.push({ key, record: null });
            } else {
              const parsed = parseWebhookConfigRecord(message.value);
              if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
              seen.push({ key, record: parsed.value });
            }
            if (seen.length === count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return seen;
  }

  const relay = () =>
    new OutboxRelay({
      dataSource,
      kafka,
      pollIntervalMs: 50,
      logger: { warn: () => undefined, error: () => undefined },
    });

  it('puts each command’s resulting state on webhooks.config in order, and a tombstone on delete', async () => {
    const id = `wh_${uniqueName('store').replace(/[^a-z0-9]/gi, '')}`.slice(0, 60);
    const base = { webhookId: id, company: 'comp-1' };
    const commands: WebhookCommand[] = [
      createCommand(id),
      { ...base, type: 'UpdateWebhook', now: now(), name: 'Renamed', projectIds: [] },
      { ...base, type: 'PauseWebhook', now: now() },
      { ...base, type: 'ActivateWebhook', now: now() },
      {
        ...base,
        type: 'RotateWebhookSecret',
        now: now(),
        secret: keyRing.seal('whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQ=', `${id}:secret`),
      },
      { ...base, type: 'DeleteWebhook', now: now() },
    ];
    // The relay is stopped while the commands commit: nothing is lost, it publishes on start.
    for (const command of commands) await store.execute(command, { correlationId: 'corr-1' });

    const publisher = relay();
    await publisher.start();
    try {
      const records = await consumeConfig([id], commands.length);
      expect(
        records.map(
          (r) =>
            r.record && { name: r.record.name, status: r.record.status, version: r.record.version },
        ),
      ).toEqual([
        { name: 'Production scan alerts', status: 'active', version: 1 },
        { name: 'Renamed', status: 'active', version: 2 },
        { name: 'Renamed', status: 'paused', version: 3 },
        { name: 'Renamed', status: 'active', version: 4 },
        { name: 'Renamed', status: 'active', version: 5 },
        null,
      ]);
      expect(records[1]?.record?.projectIds).toEqual([]);
      // Secrets travel sealed, never in clear.
      expect(JSON.stringify(records)).not.toContain('header-value');
      expect(JSON.stringify(records)).not.toContain('whsec_');
    } finally {
      await publisher.stop();
    }
  });

  it('gives exactly one of two concurrent updates of the same version a conflict, and keeps the winner', async () => {
    const id = `wh_${uniqueName('race').replace(/[^a-z0-9]/gi, '')}`.slice(0, 60);
    await store.execute(createCommand(id));
    const update = (name: string): WebhookCommand => ({
      type: 'UpdateWebhook',
      webhookId: id,
      company: 'comp-1',
      now: now(),
      name,
      expectedVersion: 1,
    });
    const results = await Promise.allSettled([
      store.execute(update('first')),
      store.execute(update('second')),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    // Whichever read first: a database-level append conflict, or the domain's version check.
    const reason = (rejected[0] as PromiseRejectedResult).reason as Error;
    expect(
      reason instanceof ConcurrencyConflictError ||
        (reason instanceof WebhookDomainError && reason.code === 'conflict'),
    ).toBe(true);
    const winner = results.find((r) => r.status === 'fulfilled');
    const stored = await store.get('comp-1', id);
    expect(stored?.version).toBe(2);
    expect(stored?.name).toBe(
      (winner as PromiseFulfilledResult<{ webhook: { name: string } }>).value.webhook.name,
    );
  });

  it('hides another company’s webhook', async () => {
    const id = `wh_${uniqueName('tenant').replace(/[^a-z0-9]/gi, '')}`.slice(0, 60);
    await store.execute(createCommand(id));
    expect(await store.get('comp-2', id)).toBeUndefined();
    expect((await store.list({ company: 'comp-2', limit: 100 })).items).toEqual([]);
  });

  it('pages through a company’s webhooks with filters', async () => {
    const company = uniqueName('paging');
    const ids = Array.from({ length: 5 }, (_, i) =>
      `wh_page${i}${company.replace(/[^a-z0-9]/gi, '')}`.slice(0, 60),
    );
    for (const [i, id] of ids.entries()) {
      await store.execute(
        createCommand(id, {
          company,
          now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          events: i % 2 === 0 ? ['scan.completed'] : ['user.login'],
          statusFilter: [],
          projectIds: i === 4 ? [] : [`proj-${i}`],
        }),
      );
    }
    const first = await store.list({ company, limit: 2 });
    expect(first.items.map((w) => w.id)).toEqual([ids[4], ids[3]]);
    const second = await store.list({ company, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((w) => w.id)).toEqual([ids[2], ids[1]]);
    const third = await store.list({ company, limit: 2, cursor: second.nextCursor ?? undefined });
    expect(third).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const scans = await store.list({ company, limit: 10, eventType: 'scan.completed' });
    expect(scans.items.map((w) => w.id)).toEqual([ids[4], ids[2], ids[0]]);
    const project1 = await store.list({ company, limit: 10, projectId: 'proj-1' });
    expect(project1.items.map((w) => w.id)).toEqual([ids[4], ids[1]]);
  });

  it('rebuilds the webhooks projection from webhook_events to the same rows', async () => {
    const snapshot = () =>
      dataSource.query(`SELECT * FROM webhooks ORDER BY id`) as Promise<
        Array<Record<string, unknown>>
      >;
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(0);
    await dataSource.query(`DELETE FROM webhooks`);
    expect(await snapshot()).toEqual([]);

    const rows = await rebuildWebhooksProjection(dataSource, events);

    expect(rows).toBe(before.length);
    expect(await snapshot()).toEqual(before);
  });
});
