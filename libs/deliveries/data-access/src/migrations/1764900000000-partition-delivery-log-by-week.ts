import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ensurePartitions } from '../partitions/delivery-partitions';

/** The indexes of `deliveries`, the same on the partitioned table and on the plain one. */
const DELIVERIES_INDEXES = [
  `CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'retry_scheduled'`,
  `CREATE INDEX deliveries_company_created_idx ON deliveries (company, created_at DESC, delivery_id DESC)`,
  `CREATE INDEX deliveries_webhook_created_idx ON deliveries (company, webhook_id, created_at DESC, delivery_id DESC)`,
  `CREATE INDEX deliveries_status_created_idx ON deliveries (company, status, created_at DESC, delivery_id DESC)`,
  `CREATE INDEX deliveries_event_type_created_idx ON deliveries (company, event_type, created_at DESC, delivery_id DESC)`,
  `CREATE INDEX deliveries_webhook_status_idx ON deliveries (company, webhook_id, status, created_at) WHERE NOT test`,
] as const;

/**
 * `deliveries`, `delivery_requests` and `delivery_events` become range-partitioned by week on
 * the creation time of the delivery each row belongs to (ADR 0011), so retention drops whole
 * weeks instead of deleting rows. Every row is copied into the new layout:
 *
 * - `deliveries` on `created_at`; primary key `(delivery_id, created_at)`.
 * - `delivery_requests` on `recorded_at` (the time of the delivery's first intake, which is its
 *   `created_at`); primary key `(delivery_id, recorded_at)`.
 * - `delivery_events` on the new `delivery_created_at` (the delivery's `created_at`, copied onto
 *   each event, so a delivery's events stay with it whenever they were recorded); primary key
 *   `(global_position, delivery_created_at)`, unique `(idempotency_key, delivery_created_at)`.
 *   Positions and transaction ids are kept, so a reader's checkpoint stays valid, and new
 *   positions continue after the highest.
 *
 * PostgreSQL requires the partition key in every unique constraint; a delivery's key columns are
 * the same in every writer (the writers read `created_at` from the delivery's row, or make the
 * row), so uniqueness per delivery holds as before. Weeks are created from the oldest row's to
 * four ahead of now, with an empty catch-all below them.
 */
export class PartitionDeliveryLogByWeek1764900000000 implements MigrationInterface {
  readonly name = 'PartitionDeliveryLogByWeek1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    // The old tables keep their rows until copied; their names, indexes and identity sequence
    // are moved aside so the new tables take the old names.
    for (const table of ['deliveries', 'delivery_requests', 'delivery_events']) {
      await q(`ALTER TABLE ${table} RENAME TO ${table}_unpartitioned`);
      await q(
        `ALTER TABLE ${table}_unpartitioned RENAME CONSTRAINT ${table}_pkey TO ${table}_unpartitioned_pkey`,
      );
    }
    await q(
      `ALTER TABLE delivery_events_unpartitioned DROP CONSTRAINT delivery_events_idempotency_key`,
    );
    for (const index of [
      'delivery_events_delivery_idx',
      'delivery_events_webhook_idx',
      'delivery_events_transaction_position_idx',
      'deliveries_due_idx',
      'deliveries_company_created_idx',
      'deliveries_webhook_created_idx',
      'deliveries_status_created_idx',
      'deliveries_event_type_created_idx',
      'deliveries_webhook_status_idx',
    ]) {
      await q(`DROP INDEX ${index}`);
    }
    await q(
      `ALTER SEQUENCE delivery_events_global_position_seq RENAME TO delivery_events_unpartitioned_global_position_seq`,
    );

    await q(`
      CREATE TABLE delivery_events (
        global_position      bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id       xid8        NOT NULL DEFAULT pg_current_xact_id(),
        idempotency_key      text        NOT NULL,
        delivery_id          text        NOT NULL,
        webhook_id           text        NOT NULL,
        company              text        NOT NULL,
        type                 text        NOT NULL,
        schema_version       integer     NOT NULL DEFAULT 1,
        data                 jsonb       NOT NULL,
        recorded_at          timestamptz NOT NULL,
        delivery_created_at  timestamptz NOT NULL,
        PRIMARY KEY (global_position, delivery_created_at),
        CONSTRAINT delivery_events_idempotency_key UNIQUE (idempotency_key, delivery_created_at)
      ) PARTITION BY RANGE (delivery_created_at)
    `);
    await q(
      `CREATE INDEX delivery_events_delivery_idx ON delivery_events (delivery_id, global_position)`,
    );
    await q(
      `CREATE INDEX delivery_events_webhook_idx ON delivery_events (company, webhook_id, recorded_at DESC)`,
    );
    await q(
      `CREATE INDEX delivery_events_transaction_position_idx ON delivery_events (transaction_id, global_position)`,
    );
    await q(`
      CREATE TRIGGER delivery_events_append_only
        BEFORE UPDATE OR DELETE ON delivery_events
        FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()
    `);
    await q(`
      CREATE TABLE deliveries (
        delivery_id      text        NOT NULL,
        webhook_id       text        NOT NULL,
        company          text        NOT NULL,
        event_id         text        NOT NULL,
        event_type       text        NOT NULL,
        status           text        NOT NULL,
        attempts         integer     NOT NULL,
        next_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        state            jsonb       NOT NULL,
        test             boolean     NOT NULL DEFAULT false,
        PRIMARY KEY (delivery_id, created_at)
      ) PARTITION BY RANGE (created_at)
    `);
    for (const ddl of DELIVERIES_INDEXES) await q(ddl);
    await q(`
      CREATE TABLE delivery_requests (
        delivery_id  text        NOT NULL,
        webhook_id   text        NOT NULL,
        company      text        NOT NULL,
        request      json        NOT NULL,
        recorded_at  timestamptz NOT NULL,
        PRIMARY KEY (delivery_id, recorded_at)
      ) PARTITION BY RANGE (recorded_at)
    `);
    await q(`
      CREATE TRIGGER delivery_requests_append_only
        BEFORE UPDATE OR DELETE ON delivery_requests
        FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()
    `);

    // Weeks from the oldest row's (a request or an event recorded before its delivery's row
    // cannot be older than the delivery: each is placed by the delivery's creation time).
    const [oldest]: Array<{ at: Date | null }> = await queryRunner.query(`
      SELECT least((SELECT min(created_at) FROM deliveries_unpartitioned),
                   (SELECT min(recorded_at) FROM delivery_requests_unpartitioned),
                   (SELECT min(recorded_at) FROM delivery_events_unpartitioned)) AS at`);
    const newest: Array<{ at: Date | null }> = await queryRunner.query(`
      SELECT greatest((SELECT max(created_at) FROM deliveries_unpartitioned),
                      (SELECT max(recorded_at) FROM delivery_requests_unpartitioned)) AS at`);
    const now = new Date();
    const latest = newest[0]?.at && newest[0].at > now ? newest[0].at : now;
    // A catch-all from the oldest row's week, then every week to four ahead of the latest.
    await ensurePartitions(
      (sql, params) => queryRunner.query(sql, params),
      latest,
      oldest?.at ?? now,
    );

    await q(`
      INSERT INTO deliveries (delivery_id, webhook_id, company, event_id, event_type, status, attempts,
                              next_attempt_at, last_status_code, last_error, created_at, updated_at,
                              state, test)
      SELECT delivery_id, webhook_id, company, event_id, event_type, status, attempts,
             next_attempt_at, last_status_code, last_error, created_at, updated_at, state, test
        FROM deliveries_unpartitioned`);
    // A request is kept where its delivery is; one without a delivery row where it was recorded.
    await q(`
      INSERT INTO delivery_requests (delivery_id, webhook_id, company, request, recorded_at)
      SELECT r.delivery_id, r.webhook_id, r.company, r.request, COALESCE(d.created_at, r.recorded_at)
        FROM delivery_requests_unpartitioned r
        LEFT JOIN deliveries_unpartitioned d USING (delivery_id)`);
    await q(`
      INSERT INTO delivery_events (global_position, transaction_id, idempotency_key, delivery_id,
                                   webhook_id, company, type, schema_version, data, recorded_at,
                                   delivery_created_at)
      OVERRIDING SYSTEM VALUE
      SELECT e.global_position, e.transaction_id, e.idempotency_key, e.delivery_id, e.webhook_id,
             e.company, e.type, e.schema_version, e.data, e.recorded_at,
             COALESCE(d.created_at, e.recorded_at)
        FROM delivery_events_unpartitioned e
        LEFT JOIN deliveries_unpartitioned d USING (delivery_id)`);
    await q(`
      SELECT setval(pg_get_serial_sequence('delivery_events', 'global_position'),
                    COALESCE((SELECT max(global_position) FROM delivery_events_unpartitioned), 0) + 1,
                    false)`);
    await q(`DROP TABLE delivery_events_unpartitioned`);
    await q(`DROP TABLE delivery_requests_unpartitioned`);
    await q(`DROP TABLE deliveries_unpartitioned`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    // Back to one table each, every row kept (a delivery's request is in one week only: intake
    // inserts it once).
    for (const table of ['deliveries', 'delivery_requests', 'delivery_events']) {
      await q(`ALTER TABLE ${table} RENAME TO ${table}_partitioned`);
    }
    await q(`
      CREATE TABLE delivery_events_flat (
        global_position  bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id   xid8        NOT NULL DEFAULT pg_current_xact_id(),
        idempotency_key  text        NOT NULL,
        delivery_id      text        NOT NULL,
        webhook_id       text        NOT NULL,
        company          text        NOT NULL,
        type             text        NOT NULL,
        schema_version   integer     NOT NULL DEFAULT 1,
        data             jsonb       NOT NULL,
        recorded_at      timestamptz NOT NULL
      )`);
    await q(`
      INSERT INTO delivery_events_flat (global_position, transaction_id, idempotency_key, delivery_id,
                                        webhook_id, company, type, schema_version, data, recorded_at)
      OVERRIDING SYSTEM VALUE
      SELECT global_position, transaction_id, idempotency_key, delivery_id, webhook_id, company,
             type, schema_version, data, recorded_at
        FROM delivery_events_partitioned`);
    await q(`
      SELECT setval(pg_get_serial_sequence('delivery_events_flat', 'global_position'),
                    COALESCE((SELECT max(global_position) FROM delivery_events_flat), 0) + 1, false)`);
    await q(`
      CREATE TABLE deliveries_flat (
        delivery_id      text        NOT NULL,
        webhook_id       text        NOT NULL,
        company          text        NOT NULL,
        event_id         text        NOT NULL,
        event_type       text        NOT NULL,
        status           text        NOT NULL,
        attempts         integer     NOT NULL,
        next_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        state            jsonb       NOT NULL,
        test             boolean     NOT NULL DEFAULT false
      )`);
    await q(`INSERT INTO deliveries_flat SELECT delivery_id, webhook_id, company, event_id, event_type,
               status, attempts, next_attempt_at, last_status_code, last_error, created_at,
               updated_at, state, test FROM deliveries_partitioned`);
    await q(`
      CREATE TABLE delivery_requests_flat (
        delivery_id  text        NOT NULL,
        webhook_id   text        NOT NULL,
        company      text        NOT NULL,
        request      json        NOT NULL,
        recorded_at  timestamptz NOT NULL
      )`);
    await q(`INSERT INTO delivery_requests_flat SELECT delivery_id, webhook_id, company, request,
               recorded_at FROM delivery_requests_partitioned`);
    for (const table of ['deliveries', 'delivery_requests', 'delivery_events']) {
      await q(`DROP TABLE ${table}_partitioned`);
      await q(`ALTER TABLE ${table}_flat RENAME TO ${table}`);
    }
    await q(
      `ALTER SEQUENCE delivery_events_flat_global_position_seq RENAME TO delivery_events_global_position_seq`,
    );
    await q(`ALTER TABLE delivery_events ADD PRIMARY KEY (global_position)`);
    await q(
      `ALTER TABLE delivery_events ADD CONSTRAINT delivery_events_idempotency_key UNIQUE (idempotency_key)`,
    );
    await q(
      `CREATE INDEX delivery_events_delivery_idx ON delivery_events (delivery_id, global_position)`,
    );
    await q(
      `CREATE INDEX delivery_events_webhook_idx ON delivery_events (company, webhook_id, recorded_at DESC)`,
    );
    await q(
      `CREATE INDEX delivery_events_transaction_position_idx ON delivery_events (transaction_id, global_position)`,
    );
    await q(`ALTER TABLE deliveries ADD PRIMARY KEY (delivery_id)`);
    for (const ddl of DELIVERIES_INDEXES) await q(ddl);
    await q(`ALTER TABLE delivery_requests ADD PRIMARY KEY (delivery_id)`);
    for (const table of ['delivery_events', 'delivery_requests']) {
      await q(`
        CREATE TRIGGER ${table}_append_only
          BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()`);
    }
  }
}
