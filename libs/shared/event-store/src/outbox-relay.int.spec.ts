import { createKafka, ensureTopics } from '@hookline/shared-kafka';
import {
  consumeTopic,
  createTestDatabase,
  integrationEnv,
  uniqueName,
  type TestDatabase,
} from '@hookline/shared-testing';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from './data-source';
import { EVENT_STORE_MIGRATIONS } from './migrations';
import { writeOutbox, type OutboxMessage } from './outbox';
import { OutboxRelay, type OutboxProducer, type OutboxRelayLogger } from './outbox-relay';
import { inTransaction } from './transaction';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const recordingLogger = () => {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const logger: OutboxRelayLogger = {
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines };
};

const byKey = (messages: ReadonlyArray<{ key: string | null; value: string | null }>) => {
  const result: Record<string, Array<string | null>> = {};
  for (const { key, value } of messages) (result[key ?? '(no key)'] ??= []).push(value);
  return result;
};

/** Drops repeats (at-least-once redeliveries), keeping each value's first arrival. */
const firstArrivals = (values: Array<string | null>) => [...new Set(values)];

describe('OutboxRelay against the real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  const relays: OutboxRelay[] = [];

  const newRelay = (options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const relay = new OutboxRelay({
      dataSource,
      kafka,
      logger: recordingLogger().logger,
      pollIntervalMs: 50,
      ...options,
    } as ConstructorParameters<typeof OutboxRelay>[0]);
    relays.push(relay);
    return relay;
  };

  const newTopic = async () => {
    const topic = uniqueName('outbox.relay');
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    return topic;
  };

  const write = (messages: OutboxMessage[]) =>
    inTransaction(dataSource, (m) => writeOutbox(m, messages));

  const consume = (topic: string, count: number, timeoutMs = 30_000) =>
    consumeTopic(kafka, topic, count, { timeoutMs });

  const pending = async () =>
    ((await dataSource.query(`SELECT count(*)::int AS n FROM outbox`)) as [{ n: number }])[0].n;

  beforeAll(async () => {
    db = await createTestDatabase('outbox_relay');
    await runMigrations({ url: db.url, migrations: EVENT_STORE_MIGRATIONS });
    dataSource = createDataSource({ url: db.url, migrations: [], poolSize: 20, logging: false });
    await dataSource.initialize();
    kafka = createKafka({
      brokers: integrationEnv().kafkaBrokers,
      clientId: 'outbox-relay-int-spec',
    });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('publishes rows in order with their keys and headers, tombstones as null values, then deletes them', async () => {
    const topic = await newTopic();
    const messages: OutboxMessage[] = [
      {
        topic,
        key: 'wh_1',
        value: '{"v":1}',
        headers: { 'correlation-id': 'c1', 'message-type': 'X' },
      },
      { topic, key: 'wh_2', value: '{"v":1}' },
      { topic, key: 'wh_1', value: '{"v":2}', headers: { 'causation-id': 'c2' } },
      { topic, key: 'wh_1', value: null, headers: { 'message-type': 'WebhookDeleted' } },
    ];
    await write(messages);
    const relay = newRelay();
    await relay.start();
    relay.notify();
    const received = await consume(topic, messages.length);
    expect(byKey(received)).toEqual({ wh_1: ['{"v":1}', '{"v":2}', null], wh_2: ['{"v":1}'] });
    expect(received.find((m) => m.value === null)?.headers).toEqual({
      'message-type': 'WebhookDeleted',
    });
    expect(received.find((m) => m.value === '{"v":1}' && m.key === 'wh_1')?.headers).toEqual({
      'correlation-id': 'c1',
      'message-type': 'X',
    });
    expect(await pending()).toBe(0);
  });

  it('a write wakes the relays that listen, in this process or another, long before their next poll', async () => {
    const topic = await newTopic();
    // Polls a minute apart: only the notification of the write can bring its rows out in time.
    const slow = { pollIntervalMs: 60_000, listeningPollIntervalMs: 60_000 };
    const relay = newRelay(slow);
    await relay.start();
    expect(relay.isListening).toBe(true);
    await sleep(500); // the poll at start has run and found nothing
    await write([{ topic, key: 'k', value: 'woken' }]);
    expect((await consume(topic, 1, 15_000)).map((m) => m.value)).toEqual(['woken']);
    // A relay on a connection of its own (another app's process) is told as well.
    await relay.stop();
    const other = await createDataSource({ url: db.url, migrations: [] }).initialize();
    try {
      const elsewhere = newRelay({ ...slow, dataSource: other });
      await elsewhere.start();
      await sleep(500);
      await write([{ topic, key: 'k', value: 'woken elsewhere' }]);
      expect((await consume(topic, 2, 15_000)).map((m) => m.value)).toEqual([
        'woken',
        'woken elsewhere',
      ]);
      await elsewhere.stop();
    } finally {
      await other.destroy();
    }
  });

  it('rows written while no relay runs are all published by a relay started later', async () => {
    const topic = await newTopic();
    const first = newRelay();
    await first.start();
    await first.stop();
    const values = Array.from({ length: 120 }, (_, i) => `m${i}`);
    for (let i = 0; i < values.length; i += 10) {
      await write(
        values.slice(i, i + 10).map((value, j) => ({ topic, key: `k${(i + j) % 4}`, value })),
      );
    }
    expect(await pending()).toBe(120);
    const second = newRelay({ batchSize: 25 });
    await second.start();
    const received = await consume(topic, values.length);
    process.stderr.write(JSON.stringify(received.filter((m) => m.key === 'k3')) + '\n');
    expect(received).toHaveLength(values.length);
    expect(byKey(received)).toEqual(byKey(values.map((value, i) => ({ key: `k${i % 4}`, value }))));
  });

  it('a relay that dies after the broker acked but before deleting loses nothing: the next relay republishes', async () => {
    const topic = await newTopic();
    const values = Array.from({ length: 30 }, (_, i) => `m${i}`);
    const expected = values.map((value, i) => ({ topic, key: `k${i % 3}`, value }));
    await write(expected);

    const real = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    let sends = 0;
    const crashing: OutboxProducer = {
      connect: () => real.connect(),
      disconnect: () => real.disconnect(),
      sendBatch: async (batch) => {
        const result = await real.sendBatch(batch);
        sends += 1;
        if (sends >= 2) throw new Error('simulated crash after the broker acked');
        return result;
      },
    };
    const { logger, lines } = recordingLogger();
    const dying = newRelay({
      producer: crashing,
      kafka: undefined,
      batchSize: 10,
      logger,
      retryInitialMs: 20,
    });
    await dying.start();
    const deadline = Date.now() + 10_000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await dying.stop();
    expect(lines[0]).toMatchObject({
      level: 'warn',
      fields: { error: 'simulated crash after the broker acked' },
    });
    expect(await pending()).toBe(20); // the first batch was deleted, the acked second one was not

    const next = newRelay({ batchSize: 10 });
    await next.drain();
    expect(await pending()).toBe(0);
    const received = await consume(topic, values.length + 10);
    const got = byKey(received);
    const want = byKey(expected);
    for (const key of Object.keys(want)) {
      expect(firstArrivals(got[key] ?? [])).toEqual(want[key]);
    }
  });

  it('two relays at once publish every message exactly once here, in order per key', async () => {
    const topic = await newTopic();
    const a = newRelay({ batchSize: 7 });
    const b = newRelay({ batchSize: 7 });
    await Promise.all([a.start(), b.start()]);
    const expected: OutboxMessage[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const messages = Array.from({ length: 10 }, (_, i) => ({
        topic,
        key: `k${(batch * 10 + i) % 5}`,
        value: `m${batch * 10 + i}`,
      }));
      expected.push(...messages);
      await write(messages);
      (batch % 2 === 0 ? a : b).notify();
    }
    await Promise.all([a.drain(), b.drain()]);
    const received = await consume(topic, expected.length);
    expect(received).toHaveLength(expected.length);
    expect(byKey(received)).toEqual(byKey(expected));
  });

  it('stop() finishes the in-flight batch: every row is either published and deleted, or still pending', async () => {
    const topic = await newTopic();
    const values = Array.from({ length: 50 }, (_, i) => `m${i}`);
    await write(values.map((value) => ({ topic, key: 'k', value })));
    const relay = newRelay({ batchSize: 5 });
    await relay.start();
    await new Promise((r) => setTimeout(r, 30));
    await relay.stop();
    const left = await pending();
    const restarted = newRelay();
    await restarted.drain();
    const received = await consume(topic, values.length);
    expect(received.map((m) => m.value)).toEqual(values);
    expect(left).toBeLessThanOrEqual(50);
  });

  const deadLetters = async () =>
    (await dataSource.query(
      `SELECT id::text AS id, topic, message_key, value, reason, attempts
         FROM outbox_dead_letters ORDER BY id`,
    )) as Array<{
      id: string;
      topic: string;
      message_key: string;
      value: string | null;
      reason: string;
      attempts: number;
    }>;

  it('a row over the broker limit is dead-lettered with the reason after its tries, and the rows behind it go on', async () => {
    await dataSource.query(`DELETE FROM outbox_dead_letters`);
    const topic = await newTopic();
    const huge = 'x'.repeat(1_200_000); // over the broker's default 1 MiB message.max.bytes
    await write([
      { topic, key: 'a', value: 'before' },
      { topic, key: 'b', value: huge },
      ...Array.from({ length: 20 }, (_, i) => ({ topic, key: `c${i % 3}`, value: `after-${i}` })),
    ]);
    const reported: Array<{ topic: string; reason: string }> = [];
    const relay = newRelay({ onDeadLetter: (row) => reported.push(row), retryMaxMs: 200 });
    await relay.start();

    const received = await consume(topic, 21);
    expect(received.map((m) => m.value).sort()).toEqual(
      ['before', ...Array.from({ length: 20 }, (_, i) => `after-${i}`)].sort(),
    );
    // Order per key holds for the rows that went through.
    expect(firstArrivals(byKey(received)['c0'] ?? [])).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i % 3 === 0)
        .map((i) => `after-${i}`),
    );
    await waitFor(async () => (await deadLetters()).length === 1);
    const [dead] = await deadLetters();
    expect(dead).toMatchObject({ topic, message_key: 'b', attempts: 3 });
    expect(dead?.reason).toMatch(/^MESSAGE_TOO_LARGE: /);
    expect(dead?.value?.length).toBe(huge.length);
    expect(reported).toEqual([{ id: dead?.id, topic, reason: dead?.reason }]);
    expect(await pending()).toBe(0);
    const backlog = await relay.backlog();
    expect(backlog).toEqual({ rows: 0, oldestAgeSeconds: 0, deadLetters: 1 });
  });

  it('a row for a topic that does not exist is dead-lettered; other topics are not held up meanwhile', async () => {
    await dataSource.query(`DELETE FROM outbox_dead_letters`);
    const topic = await newTopic();
    const missing = uniqueName('outbox.never-created');
    await write([
      { topic: missing, key: 'm', value: 'lost-topic' },
      ...Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', value: `v${i}` })),
    ]);
    const relay = newRelay({ retryMaxMs: 200 });
    await relay.start();
    const received = await consume(topic, 5);
    expect(firstArrivals(received.map((m) => m.value))).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    await waitFor(async () => (await deadLetters()).length === 1, 60_000);
    const [dead] = await deadLetters();
    expect(dead).toMatchObject({ topic: missing, value: 'lost-topic' });
    expect(dead?.reason).toMatch(/UNKNOWN_TOPIC_OR_PARTITION/);
    expect(await pending()).toBe(0);
  });

  it('a broker that cannot be reached dead-letters nothing: the rows wait and go once it is back', async () => {
    await dataSource.query(`DELETE FROM outbox_dead_letters`);
    const topic = await newTopic();
    await write([{ topic, key: 'k', value: 'waits' }]);
    // A producer that fails as an unreachable broker does, then recovers.
    const real = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    let failuresLeft = 6;
    const producer: OutboxProducer = {
      connect: () => real.connect(),
      disconnect: () => real.disconnect(),
      sendBatch: async (batch) => {
        if (failuresLeft-- > 0)
          throw Object.assign(new Error('Connection error: ECONNREFUSED'), { retriable: true });
        return real.sendBatch(batch);
      },
    };
    const relay = newRelay({ producer, kafka: undefined, retryInitialMs: 20, retryMaxMs: 50 });
    await relay.start();
    const received = await consume(topic, 1);
    expect(received.map((m) => m.value)).toEqual(['waits']);
    expect(failuresLeft).toBeLessThan(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('sends large batches in requests below the byte limit', async () => {
    const topic = await newTopic();
    // 40 rows of 100 KB: 4 MB in one poll, far over one request's limit.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      topic,
      key: `k${i % 4}`,
      value: `${String(i).padStart(3, '0')}${'y'.repeat(100_000)}`,
    }));
    await write(rows);
    const relay = newRelay();
    await relay.start();
    const received = await consume(topic, 40);
    expect(new Set(received.map((m) => m.value?.slice(0, 3))).size).toBe(40);
    expect(await pending()).toBe(0);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
