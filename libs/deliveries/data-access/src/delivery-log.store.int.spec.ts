import {
  deliveryIdFor,
  type DeliveryLogEvent,
  type DeliveryRequested,
  SAMPLE_ENVELOPES,
} from '@hookline/contracts';
import {
  DEFAULT_RETRY_POLICY,
  recordAttempt,
  recordRequest,
  rehydrateDelivery,
} from '@hookline/deliveries-domain';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';
import { DeliveryLogStore } from './delivery-log.store';
import { DELIVERIES_MIGRATIONS } from './migrations';

const envelope = SAMPLE_ENVELOPES['scan.completed'];

function request(webhookId: string): DeliveryRequested {
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(envelope.event_id, webhookId),
    eventId: envelope.event_id,
    webhookId,
    webhookVersion: 1,
    company: envelope.data.company,
    eventType: 'scan.completed',
    envelope,
    trigger: 'first',
    requestedAt: '2026-01-01T00:00:00.000Z',
    correlationId: envelope.event_id,
  };
}

/** The delivery's state after `events`; the tests only ask once there is one. */
function stateOf(events: DeliveryLogEvent[]) {
  const state = rehydrateDelivery(events);
  if (!state) throw new Error('no delivery state');
  return state;
}

function first(events: DeliveryLogEvent[]): DeliveryLogEvent {
  const [event] = events;
  if (!event) throw new Error('no events');
  return event;
}

/** A delivery whose first call fails with a 500 and second succeeds, as the domain records it. */
function failThenSucceed(webhookId: string): DeliveryLogEvent[] {
  const t0 = new Date('2026-01-01T00:00:00.000Z');
  const requested = recordRequest(undefined, request(webhookId), t0);
  const afterFailure = recordAttempt(
    stateOf(requested),
    { ok: false, failure: 'http_5xx', statusCode: 500, message: 'HTTP 500', durationMs: 40 },
    DEFAULT_RETRY_POLICY,
    new Date(t0.getTime() + 1_000),
  );
  const succeeded = recordAttempt(
    stateOf([...requested, ...afterFailure]),
    { ok: true, statusCode: 200, durationMs: 30 },
    DEFAULT_RETRY_POLICY,
    new Date(t0.getTime() + 4_000),
  );
  return [...requested, ...afterFailure, ...succeeded];
}

describe('DeliveryLogStore against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: DeliveryLogStore;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_log');
    const migrations = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];
    await runMigrations({ url: db.url, migrations });
    dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    store = new DeliveryLogStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('records every step in order and keeps the deliveries and webhook_stats projections', async () => {
    const events = failThenSucceed('wh_store1');
    expect(events.map((e) => e.type)).toEqual([
      'DeliveryRequested',
      'AttemptFailed',
      'RetryScheduled',
      'AttemptSucceeded',
    ]);
    expect(await store.append(events)).toHaveLength(4);

    const deliveryId = first(events).deliveryId;
    expect((await store.history(deliveryId)).map((e) => e.type)).toEqual(events.map((e) => e.type));
    const [delivery] = await dataSource.query(`SELECT * FROM deliveries WHERE delivery_id = $1`, [
      deliveryId,
    ]);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, last_status_code: 200 });
    const [stats] = await dataSource.query(
      `SELECT * FROM webhook_stats WHERE webhook_id = 'wh_store1'`,
    );
    expect(stats).toMatchObject({
      total_calls: '2',
      successful_calls: '1',
      failed_calls: '1',
      consecutive_failures: 0,
    });
    // The delivery-log topic is fed by tailing the log (DeliveryLogRelay), not by outbox rows.
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual([{ n: 0 }]);
  });

  it('records a replayed batch once: no new rows, projections unchanged', async () => {
    const events = failThenSucceed('wh_store2');
    await store.append(events);
    const count = async (table: string) =>
      Number((await dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
    const before = await count('delivery_events');

    expect(await store.append(events)).toEqual([]);
    expect(await store.append([first(events), first(events)])).toEqual([]);

    expect(await count('delivery_events')).toBe(before);
    const [stats] = await dataSource.query(
      `SELECT total_calls FROM webhook_stats WHERE webhook_id = 'wh_store2'`,
    );
    expect(stats.total_calls).toBe('2');
  });

  it('counts a failure streak per webhook and resets it on success', async () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, s));
    let events = recordRequest(undefined, request('wh_store3'), t(0));
    for (let i = 0; i < 3; i += 1) {
      events = [
        ...events,
        ...recordAttempt(
          stateOf(events),
          { ok: false, failure: 'timeout', message: 'timed out', durationMs: 10_000 },
          DEFAULT_RETRY_POLICY,
          t(10 * (i + 1)),
        ),
      ];
    }
    await store.append(events);
    const [stats] = await dataSource.query(
      `SELECT * FROM webhook_stats WHERE webhook_id = 'wh_store3'`,
    );
    expect(stats).toMatchObject({ failed_calls: '3', consecutive_failures: 3 });
    const [delivery] = await dataSource.query(
      `SELECT status FROM deliveries WHERE webhook_id = 'wh_store3'`,
    );
    expect(delivery.status).toBe('failed');
  });

  it('refuses to change or delete a recorded step', async () => {
    await expect(dataSource.query(`UPDATE delivery_events SET type = 'X'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`DELETE FROM delivery_events`)).rejects.toThrow(/append-only/);
  });
});
