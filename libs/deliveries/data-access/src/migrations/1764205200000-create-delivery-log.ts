import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery event log and its read models.
 *
 * `delivery_events` is append-only (the event store's `hookline_reject_change()` trigger refuses
 * UPDATE and DELETE) and idempotent: `idempotency_key` makes a replayed intake or outcome a no-op.
 * `transaction_id` lets a reader tail it gap-safely, as `webhook_events`. `deliveries` (one row
 * per delivery) and `webhook_stats` (one row per webhook) are projections, rebuildable from it.
 */
export class CreateDeliveryLog1764205200000 implements MigrationInterface {
  readonly name = 'CreateDeliveryLog1764205200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE delivery_events (
        global_position  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id   xid8        NOT NULL DEFAULT pg_current_xact_id(),
        idempotency_key  text        NOT NULL,
        delivery_id      text        NOT NULL,
        webhook_id       text        NOT NULL,
        company          text        NOT NULL,
        type             text        NOT NULL,
        schema_version   integer     NOT NULL DEFAULT 1,
        data             jsonb       NOT NULL,
        recorded_at      timestamptz NOT NULL,
        CONSTRAINT delivery_events_idempotency_key UNIQUE (idempotency_key)
      )
    `);
    await queryRunner.query(
      `CREATE INDEX delivery_events_delivery_idx ON delivery_events (delivery_id, global_position)`,
    );
    await queryRunner.query(
      `CREATE INDEX delivery_events_webhook_idx ON delivery_events (company, webhook_id, recorded_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX delivery_events_transaction_position_idx ON delivery_events (transaction_id, global_position)`,
    );
    await queryRunner.query(`
      CREATE TRIGGER delivery_events_append_only
        BEFORE UPDATE OR DELETE ON delivery_events
        FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()
    `);
    await queryRunner.query(`
      CREATE TABLE deliveries (
        delivery_id      text        PRIMARY KEY,
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
        state            jsonb       NOT NULL
      )
    `);
    await queryRunner.query(
      `CREATE INDEX deliveries_webhook_idx ON deliveries (company, webhook_id, created_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'retry_scheduled'`,
    );
    await queryRunner.query(`
      CREATE TABLE webhook_stats (
        webhook_id           text        PRIMARY KEY,
        company              text        NOT NULL,
        total_calls          bigint      NOT NULL DEFAULT 0,
        successful_calls     bigint      NOT NULL DEFAULT 0,
        failed_calls         bigint      NOT NULL DEFAULT 0,
        consecutive_failures integer     NOT NULL DEFAULT 0,
        last_triggered_at    timestamptz
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_stats`);
    await queryRunner.query(`DROP TABLE deliveries`);
    await queryRunner.query(`DROP TABLE delivery_events`);
  }
}
