import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { Client } from 'pg';
import { createDataSource, runMigrations } from './data-source';
import { EVENT_STORE_MIGRATIONS } from './migrations';

describe('event store migrations against the real PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase('event_store');
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const insert = (stream: string, position: number) =>
    client.query(
      `INSERT INTO webhook_events (stream_id, stream_position, type, data)
       VALUES ($1, $2, 'WebhookCreated', '{}') RETURNING global_position`,
      [stream, position],
    );

  it('applies every pending migration once', async () => {
    const options = { url: db.url, migrations: EVENT_STORE_MIGRATIONS };
    expect(await runMigrations(options)).toEqual(['CreateWebhookEvents1764187200000']);
    expect(await runMigrations(options)).toEqual([]);
  });

  it('gives appended events increasing global positions', async () => {
    const a = await insert('wh_a', 1);
    const b = await insert('wh_b', 1);
    expect(BigInt(b.rows[0].global_position)).toBeGreaterThan(BigInt(a.rows[0].global_position));
  });

  it('refuses a second event at the same stream position (the optimistic-concurrency guard)', async () => {
    await insert('wh_c', 1);
    await expect(insert('wh_c', 1)).rejects.toMatchObject({
      code: '23505',
      constraint: 'webhook_events_stream_position_key',
    });
  });

  it('refuses to update or delete a recorded event', async () => {
    await insert('wh_d', 1);
    await expect(
      client.query(`UPDATE webhook_events SET type = 'X' WHERE stream_id = 'wh_d'`),
    ).rejects.toThrow(/append-only: UPDATE is not allowed/);
    await expect(
      client.query(`DELETE FROM webhook_events WHERE stream_id = 'wh_d'`),
    ).rejects.toThrow(/append-only: DELETE is not allowed/);
  });

  it('reverts cleanly', async () => {
    const dataSource = createDataSource({ url: db.url, migrations: EVENT_STORE_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.undoLastMigration({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    const { rows } = await client.query(`SELECT to_regclass('webhook_events') AS table`);
    expect(rows[0].table).toBeNull();
  });
});
