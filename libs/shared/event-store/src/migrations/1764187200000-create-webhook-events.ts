import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhook event store: one append-only row per domain event of a webhook aggregate.
 * (stream_id, stream_position) is unique so two writers that loaded the same version cannot both
 * append: the second gets a unique violation, which the store reports as a concurrency conflict.
 */
export class CreateWebhookEvents1764187200000 implements MigrationInterface {
  readonly name = 'CreateWebhookEvents1764187200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id       text        NOT NULL,
        stream_position bigint      NOT NULL CHECK (stream_position > 0),
        type            text        NOT NULL,
        schema_version  integer     NOT NULL DEFAULT 1,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_events_stream_position_key UNIQUE (stream_id, stream_position)
      )
    `);
    // Rows are facts: nothing updates or deletes them.
    await queryRunner.query(`
      CREATE FUNCTION hookline_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'restrict_violation';
      END
      $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER webhook_events_append_only
        BEFORE UPDATE OR DELETE ON webhook_events
        FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_events`);
    await queryRunner.query(`DROP FUNCTION hookline_reject_change()`);
  }
}
