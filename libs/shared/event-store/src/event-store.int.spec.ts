import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from './data-source';
import { ConcurrencyConflictError } from './concurrency-conflict.error';
import { LOG_START, PostgresEventStore, type NewEvent } from './event-store';
import { EVENT_STORE_MIGRATIONS } from './migrations';
import { writeOutbox } from './outbox';
import { inTransaction } from './transaction';

const event = (type: string, n: number): NewEvent => ({
  type,
  schemaVersion: 1,
  data: { n },
  metadata: { correlationId: `corr-${n}`, causationId: `cause-${n}` },
});

const waitFor = async <T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('PostgresEventStore against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('event_store_append');
    await runMigrations({ url: db.url, migrations: EVENT_STORE_MIGRATIONS });
    dataSource = createDataSource({ url: db.url, migrations: [], logging: false });
    await dataSource.initialize();
    store = new PostgresEventStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('reads back appended events in stream order with their metadata and positions', async () => {
    const first = await inTransaction(dataSource, (manager) =>
      store.append('wh_read', 0, [event('Created', 1), event('Renamed', 2)], { manager }),
    );
    const second = await inTransaction(dataSource, (manager) =>
      store.append('wh_read', first.nextVersion, [event('Paused', 3)], { manager }),
    );
    expect(first.nextVersion).toBe(2);
    expect(second.nextVersion).toBe(3);
    expect(first.globalPositions[1]).toBeGreaterThan(first.globalPositions[0] ?? Infinity);

    const events = await store.readStream('wh_read');
    expect(events.map((e) => [e.type, e.streamPosition, e.data])).toEqual([
      ['Created', 1, { n: 1 }],
      ['Renamed', 2, { n: 2 }],
      ['Paused', 3, { n: 3 }],
    ]);
    expect(events.map((e) => e.globalPosition)).toEqual([
      ...first.globalPositions,
      ...second.globalPositions,
    ]);
    expect(events[0]).toMatchObject({
      streamId: 'wh_read',
      schemaVersion: 1,
      metadata: { correlationId: 'corr-1', causationId: 'cause-1' },
      recordedAt: expect.any(Date),
    });
    expect(await store.readStream('wh_missing')).toEqual([]);
  });

  it('refuses an append whose expected version is not the head, ahead or behind', async () => {
    await inTransaction(dataSource, (manager) =>
      store.append('wh_stale', 0, [event('Created', 1)], { manager }),
    );
    for (const expected of [0, 2, 5]) {
      const attempt = inTransaction(dataSource, (manager) =>
        store.append('wh_stale', expected, [event('Renamed', 2)], { manager }),
      );
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyConflictError);
      await expect(attempt).rejects.toMatchObject({
        streamId: 'wh_stale',
        expectedVersion: expected,
      });
    }
    expect(await store.readStream('wh_stale')).toHaveLength(1);
  });

  it('two concurrent appends at the same version: exactly one wins, the other gets ConcurrencyConflictError', async () => {
    for (let round = 0; round < 5; round += 1) {
      const stream = `wh_race_${round}`;
      const results = await Promise.allSettled(
        ['A', 'B'].map((writer) =>
          inTransaction(dataSource, async (manager) => {
            await manager.query('SELECT pg_sleep(0.05)');
            return store.append(stream, 0, [event(`Created${writer}`, 1)], { manager });
          }),
        ),
      );
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toBeInstanceOf(ConcurrencyConflictError);
      expect(await store.readStream(stream)).toHaveLength(1);
    }
  });

  it('an append and an outbox row in one transaction that rolls back leave neither', async () => {
    await expect(
      inTransaction(dataSource, async (manager) => {
        await store.append('wh_rollback', 0, [event('Created', 1)], { manager });
        await writeOutbox(manager, [{ topic: 't', key: 'wh_rollback', value: '{}' }]);
        throw new Error('projection update failed');
      }),
    ).rejects.toThrow('projection update failed');
    expect(await store.readStream('wh_rollback')).toEqual([]);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM outbox WHERE message_key = 'wh_rollback'`,
    );
    expect(count).toBe(0);
  });

  it('a reader tailing the log never skips an event that commits after a later-positioned one', async () => {
    const start = await waitFor(
      async () => {
        let result = await store.readAll();
        for (let next = result; next.events.length > 0;) {
          next = await store.readAll({ after: next.position });
          if (next.events.length > 0) result = next;
        }
        return result;
      },
      () => true,
    );
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      // The slow writer takes the lower global position but commits last.
      const early = await store.append('wh_gap_early', 0, [event('Created', 1)], {
        manager: slow.manager,
      });
      const late = await inTransaction(dataSource, (manager) =>
        store.append('wh_gap_late', 0, [event('Created', 2)], { manager }),
      );
      expect(late.globalPositions[0]).toBeGreaterThan(early.globalPositions[0] ?? Infinity);
      const whileOpen = await store.readAll({ after: start.position });
      expect(whileOpen.events.map((e) => e.streamId)).not.toContain('wh_gap_late');
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    const after = await waitFor(
      () => store.readAll({ after: start.position }),
      (result) => result.events.length >= 2,
    );
    expect(after.events.map((e) => e.streamId)).toEqual(['wh_gap_early', 'wh_gap_late']);
  });

  it('readAll pages through the whole log from LOG_START, each event once', async () => {
    await inTransaction(dataSource, (manager) =>
      store.append(
        'wh_page',
        0,
        [1, 2, 3, 4, 5].map((n) => event('E', n)),
        { manager },
      ),
    );
    const seen: string[] = [];
    await waitFor(
      async () => {
        seen.length = 0;
        let position = LOG_START;
        for (;;) {
          const page = await store.readAll({ after: position, limit: 2 });
          if (page.events.length === 0) break;
          seen.push(...page.events.map((e) => `${e.streamId}:${e.streamPosition}`));
          position = page.position;
        }
        return seen;
      },
      (s) => s.filter((id) => id.startsWith('wh_page:')).length === 5,
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => id.startsWith('wh_page:'))).toEqual(
      [1, 2, 3, 4, 5].map((n) => `wh_page:${n}`),
    );
  });

  it('refuses to append after a head committed by a transaction younger than the appender (stream order = log order)', async () => {
    await inTransaction(dataSource, (manager) =>
      store.append('wh_xid', 0, [event('Created', 1)], { manager }),
    );
    const old = dataSource.createQueryRunner();
    await old.connect();
    await old.startTransaction();
    try {
      await old.query('SELECT pg_current_xact_id()'); // takes its transaction id now
      await inTransaction(dataSource, (manager) =>
        store.append('wh_xid', 1, [event('Renamed', 2)], { manager }),
      );
      await expect(
        store.append('wh_xid', 2, [event('Paused', 3)], { manager: old.manager }),
      ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    } finally {
      await old.rollbackTransaction();
      await old.release();
    }
    // A fresh transaction (a retry) succeeds.
    await inTransaction(dataSource, (manager) =>
      store.append('wh_xid', 2, [event('Paused', 3)], { manager }),
    );
    expect((await store.readStream('wh_xid')).map((e) => e.type)).toEqual([
      'Created',
      'Renamed',
      'Paused',
    ]);
  });

  it('works over another events table with the same columns', () => {
    expect(new PostgresEventStore(dataSource, { table: 'delivery_events' }).table).toBe(
      'delivery_events',
    );
    expect(() => new PostgresEventStore(dataSource, { table: 'x; drop' })).toThrow(
      /Invalid table name/,
    );
  });
});
