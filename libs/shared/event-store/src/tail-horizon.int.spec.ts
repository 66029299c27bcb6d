import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from './data-source';
import { LOG_START, PostgresEventStore } from './event-store';
import { EVENT_STORE_MIGRATIONS } from './migrations';
import { tailHorizon } from './tail-horizon';
import { inTransaction } from './transaction';

describe('tailHorizon against the real PostgreSQL', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  let dataSource: DataSource;
  const clients: Client[] = [];

  /** A connection to `url` inside a transaction that holds a transaction id, returned as a bigint. */
  const holdXid = async (url: string) => {
    const client = new Client({ connectionString: url });
    clients.push(client);
    await client.connect();
    await client.query('BEGIN');
    const { rows } = await client.query<{ xid: string }>(
      `SELECT pg_current_xact_id()::text AS xid`,
    );
    return { client, xid: BigInt(rows[0]?.xid ?? '0') };
  };

  /** Commits a transaction that took an id: the snapshots after it reach past every id before. */
  const commitOne = () => dataSource.query(`SELECT pg_current_xact_id()`);

  beforeAll(async () => {
    db = await createTestDatabase('tail_horizon');
    other = await createTestDatabase('tail_horizon_other');
    await runMigrations({ url: db.url, migrations: EVENT_STORE_MIGRATIONS });
    dataSource = createDataSource({ url: db.url, migrations: [], logging: false });
    await dataSource.initialize();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end()));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
    await other?.drop();
  });

  it('is past every ended transaction when none of this database runs', async () => {
    const [{ xid }] = (await dataSource.query(`SELECT pg_current_xact_id()::text AS xid`)) as [
      { xid: string },
    ];
    expect(BigInt(await tailHorizon(dataSource))).toBeGreaterThan(BigInt(xid));
  });

  it('stops at the oldest transaction of this database still running', async () => {
    const held = await holdXid(db.url);
    await holdXid(db.url);
    expect(BigInt(await tailHorizon(dataSource))).toBe(held.xid);
    await held.client.query('COMMIT');
    expect(BigInt(await tailHorizon(dataSource))).toBeGreaterThan(held.xid);
  });

  it("passes a transaction of another database, which the server's snapshot xmin does not", async () => {
    const held = await holdXid(other.url);
    await commitOne();
    const [{ xmin }] = (await dataSource.query(
      `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
    )) as [{ xmin: string }];
    expect(BigInt(xmin)).toBeLessThanOrEqual(held.xid);
    expect(BigInt(await tailHorizon(dataSource))).toBeGreaterThan(held.xid);
  });

  it('sees, on its second call in one transaction, a transaction begun since its first', async () => {
    await inTransaction(dataSource, async (manager) => {
      const first = BigInt(await tailHorizon(manager));
      const held = await holdXid(db.url);
      expect(held.xid).toBeGreaterThanOrEqual(first);
      expect(BigInt(await tailHorizon(manager))).toBe(held.xid);
    });
  });

  it("does not wait for the reader's own transaction", async () => {
    await inTransaction(dataSource, async (manager) => {
      const [{ xid }] = (await manager.query(`SELECT pg_current_xact_id()::text AS xid`)) as [
        { xid: string },
      ];
      await commitOne();
      expect(BigInt(await tailHorizon(manager))).toBeGreaterThan(BigInt(xid));
    });
  });

  it("readAll returns events committed while another database's transaction runs", async () => {
    const store = new PostgresEventStore(dataSource);
    await holdXid(other.url);
    await inTransaction(dataSource, (manager) =>
      store.append(
        'wh_horizon',
        0,
        [{ type: 'Created', schemaVersion: 1, data: {}, metadata: {} }],
        {
          manager,
        },
      ),
    );
    const page = await store.readAll({ after: LOG_START });
    expect(page.events.map((e) => e.streamId)).toContain('wh_horizon');
  });
});
