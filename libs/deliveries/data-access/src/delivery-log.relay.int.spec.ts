import { type DeliveryLogEvent, KAFKA_HEADERS } from '@hookline/contracts';
import { type DeliveryState, evolveDelivery, recordRequest } from '@hookline/deliveries-domain';
import type { OutboxRelayLogger } from '@hookline/shared-event-store';
import { createKafka, ensureTopics } from '@hookline/shared-kafka';
import {
  consumeTopic,
  createTestDatabase,
  integrationEnv,
  uniqueName,
  type TestDatabase,
} from '@hookline/shared-testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DeliveryLogRelay, type DeliveryLogRelayOptions } from './delivery-log.relay';
import type { DeliveryLogStore } from './delivery-log.store';
import {
  fail,
  openWorkStore,
  request,
  type WorkStoreSetup,
} from './work/testing/work-store.fixtures';

interface Received {
  readonly key: string | null;
  readonly event: DeliveryLogEvent;
  readonly headers: Record<string, string>;
}

describe('DeliveryLogRelay against the real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let setup: WorkStoreSetup;
  let dataSource: DataSource;
  let log: DeliveryLogStore;
  let kafka: Kafka;
  const relays: DeliveryLogRelay[] = [];
  const lines: Array<{ level: string; message: string }> = [];
  const logger: OutboxRelayLogger = {
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };

  const newRelay = (topic: string, options: Partial<DeliveryLogRelayOptions> = {}) => {
    const relay = new DeliveryLogRelay({
      dataSource,
      kafka,
      logger,
      topic,
      pollIntervalMs: 50,
      ...options,
    } as DeliveryLogRelayOptions);
    relays.push(relay);
    return relay;
  };

  const newTopic = async (config: Record<string, string> = {}) => {
    const topic = uniqueName('delivery-log.relay');
    await ensureTopics(kafka, [{ topic, numPartitions: 3, config }]);
    return topic;
  };

  /** Reads `topic` from the start until `count` messages came, then a moment longer for repeats. */
  const consume = async (topic: string, count: number, timeoutMs = 30_000): Promise<Received[]> =>
    (await consumeTopic(kafka, topic, count, { timeoutMs, settleMs: 500 })).map((m) => ({
      key: m.key,
      event: JSON.parse(m.value ?? 'null') as DeliveryLogEvent,
      headers: m.headers,
    }));

  /** Appends the log of `n` deliveries of `webhookId`, each requested then failed once. */
  const appendDeliveries = async (
    webhookId: string,
    n: number,
    overrides: Parameters<typeof request>[1] = {},
  ) => {
    const events: DeliveryLogEvent[] = [];
    for (let i = 0; i < n; i += 1) {
      const requested = await log.append(
        recordRequest(undefined, request(webhookId, overrides), new Date()),
      );
      const state = requested.reduce<DeliveryState | undefined>(evolveDelivery, undefined);
      if (state === undefined) throw new Error('not appended');
      events.push(...requested, ...(await log.append(fail(state))));
    }
    return events;
  };

  const typesOf = (deliveryId: string, from: readonly DeliveryLogEvent[]) =>
    from.filter((e) => e.deliveryId === deliveryId).map((e) => e.type);

  beforeAll(async () => {
    db = await createTestDatabase('delivery_log_relay');
    setup = await openWorkStore(db.url);
    ({ dataSource, log } = setup);
    kafka = createKafka({ brokers: integrationEnv().kafkaBrokers, clientId: 'log-relay-int-spec' });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await setup?.close();
    await db?.drop();
  });

  it('publishes every event once, keyed by webhook, in log order per delivery; a relay started later goes on from the checkpoint', async () => {
    const topic = await newTopic();
    const appended = [
      ...(await appendDeliveries('wh_relayA', 4)),
      ...(await appendDeliveries('wh_relayB', 3)),
    ];
    const relay = newRelay(topic);
    await relay.start();
    await relay.drain();
    await relay.stop();

    const more = await appendDeliveries('wh_relayA', 2);
    const later = newRelay(topic);
    await later.start();
    await later.drain();

    const received = await consume(topic, appended.length + more.length);
    expect(received).toHaveLength(appended.length + more.length);
    for (const { key, event, headers } of received) {
      expect(key).toBe(event.webhookId);
      expect(headers).toEqual({
        [KAFKA_HEADERS.messageType]: 'DeliveryLogEvent',
        [KAFKA_HEADERS.schemaVersion]: '1',
        [KAFKA_HEADERS.correlationId]: event.correlationId,
      });
    }
    for (const deliveryId of new Set(appended.map((e) => e.deliveryId))) {
      const got = received.map((r) => r.event);
      expect(typesOf(deliveryId, got)).toEqual(typesOf(deliveryId, appended));
    }
    expect(await relay.lagSeconds()).toBe(0);
  });

  it('publishes the events of a transaction that commits after a later one, never passing over them', async () => {
    const topic = await newTopic();
    const relay = newRelay(topic);
    await relay.start();
    await relay.drain();
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    let early: DeliveryLogEvent[];
    let late: DeliveryLogEvent[];
    try {
      // The slow writer takes the lower positions but commits last.
      early = await log.append(
        recordRequest(undefined, request('wh_relayEarly'), new Date()),
        slow.manager,
      );
      late = await appendDeliveries('wh_relayLate', 1);
      relay.notify();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    relay.notify();
    const received = await consume(topic, early.length + late.length);
    expect(received.map((r) => r.event.webhookId).sort()).toEqual(
      [...early, ...late].map((e) => e.webhookId).sort(),
    );
  });

  it('two relays at once publish every event exactly once', async () => {
    const topic = await newTopic();
    const first = newRelay(topic);
    const second = newRelay(topic);
    await Promise.all([first.start(), second.start()]);
    const appended = (
      await Promise.all([
        appendDeliveries('wh_relayTwoA', 15),
        appendDeliveries('wh_relayTwoB', 15),
      ])
    ).flat();
    first.notify();
    second.notify();
    const received = await consume(topic, appended.length);
    expect(received).toHaveLength(appended.length);
    expect(new Set(received.map((r) => `${r.event.deliveryId}/${r.event.type}`)).size).toBe(
      appended.length,
    );
  });

  it('an event this process appends is published at once, not at the next poll', async () => {
    const topic = await newTopic();
    const relay = newRelay(topic, { pollIntervalMs: 120_000 });
    await relay.start();
    await relay.drain();
    const appended = await appendDeliveries('wh_relayWake', 2);
    relay.notify();
    const received = await consume(topic, appended.length, 20_000);
    expect(received).toHaveLength(appended.length);
  });

  it('events another process appended, which nobody told this relay of, go at its next poll', async () => {
    const topic = await newTopic();
    const relay = newRelay(topic, { pollIntervalMs: 300 });
    await relay.start();
    await relay.drain();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const appended = await appendDeliveries('wh_relayUntold', 2);
    const received = await consume(topic, appended.length, 20_000);
    expect(received).toHaveLength(appended.length);
  });

  it('a long transaction of another database on the server does not hold the tail back', async () => {
    const other = await createTestDatabase('delivery_log_relay_other');
    const client = new Client({ connectionString: other.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const topic = await newTopic();
      const relay = newRelay(topic);
      await relay.start();
      const appended = await appendDeliveries('wh_relayBeside', 2);
      relay.notify();
      const received = await consume(topic, appended.length, 10_000);
      expect(received).toHaveLength(appended.length);
    } finally {
      await client.end();
      await other.drop();
    }
  });

  it('an event over the topic limit is dead-lettered with the reason after its tries, and the events behind it go on', async () => {
    const topic = await newTopic({ 'max.message.bytes': '4096' });
    const relay = newRelay(topic, { retryMaxMs: 200 });
    await relay.start();
    await relay.drain();
    const before = await appendDeliveries('wh_relayBefore', 1);
    const [huge] = await log.append(
      recordRequest(
        undefined,
        request('wh_relayHuge', { correlationId: 'x'.repeat(6000) }),
        new Date(),
      ),
    );
    const behind = await appendDeliveries('wh_relayBehind', 2);
    relay.notify();
    const received = await consume(topic, before.length + behind.length);
    // A refused send may have written its other partitions: those events come again (at least
    // once), each is there.
    const keyOf = (e: DeliveryLogEvent) => `${e.deliveryId}/${e.type}`;
    expect([...new Set(received.map((r) => keyOf(r.event)))].sort()).toEqual(
      [...before, ...behind].map(keyOf).sort(),
    );
    const dead: Array<{ delivery_id: string; topic: string; reason: string; attempts: number }> =
      await dataSource.query(
        `SELECT delivery_id, topic, reason, attempts FROM delivery_log_dead_letters`,
      );
    expect(dead).toEqual([
      {
        delivery_id: huge?.deliveryId,
        topic,
        reason: expect.stringMatching(/^MESSAGE_TOO_LARGE: /),
        attempts: 3,
      },
    ]);
    expect(lines).toContainEqual({
      level: 'error',
      message: 'delivery-log relay: event dead-lettered',
    });
  });
});
