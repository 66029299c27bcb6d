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
    expect(await runMigrations(options)).toEqual([
      'CreateWebhookEvents1764187200000',
      'AddTransactionIdToWebhookEvents1764190800000',
      'CreateOutbox1764194400000',
      'CreateOutboxDeadLetters1764813600000',
    ]);
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

  it('records the writing transaction on every event, for gap-safe tailing', async () => {
    const { rows } = await client.query(
      `INSERT INTO webhook_events (stream_id, stream_position, type, data)
       VALUES ('wh_e', 1, 'WebhookCreated', '{}')
       RETURNING transaction_id::text AS tx, pg_current_xact_id()::text AS current`,
    );
    expect(rows[0].tx).toBe(rows[0].current);
  });

  it('creates the outbox, whose value may be null (a tombstone)', async () => {
    const { rows } = await client.query(
      `INSERT INTO outbox (topic, message_key, value) VALUES ('t', 'k', NULL)
       RETURNING id, headers, created_at`,
    );
    expect(rows[0]).toMatchObject({ headers: {}, created_at: expect.any(Date) });
  });

  it('reverts cleanly, newest first', async () => {
    const dataSource = createDataSource({ url: db.url, migrations: EVENT_STORE_MIGRATIONS });
    await dataSource.initialize();
    try {
      for (let i = 0; i < EVENT_STORE_MIGRATIONS.length; i += 1) {
        await dataSource.undoLastMigration({ transaction: 'each' });
      }
    } finally {
      await dataSource.destroy();
    }
    const { rows } = await client.query(
      `SELECT to_regclass('webhook_events') AS events, to_regclass('outbox') AS outbox`,
    );
    expect(rows[0]).toEqual({ events: null, outbox: null });
  });
});
