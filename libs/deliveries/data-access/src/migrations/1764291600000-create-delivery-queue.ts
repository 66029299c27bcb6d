import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery worker's durable state besides the log.
 *
 * `delivery_requests` keeps each accepted `DeliveryRequested` (with its envelope) as it arrived:
 * append-only, the input a manual retry or a replay sends again.
 *
 * `delivery_queue` holds the work that is still to do: one row per open delivery, due at
 * `due_at`. A worker claims due rows with `FOR UPDATE SKIP LOCKED`, stamping a `claim_id` and a
 * lease (`claimed_until`) that it renews while the call runs; a row whose lease ran out is
 * claimable again, so work held by a crashed worker is taken back. The row is deleted when the
 * delivery ends (delivered, failed, skipped) and moved to the next attempt's time when a retry is
 * scheduled, in the same transaction that records the outcome. A retry is therefore a row, never
 * a timer.
 *
 * `webhook_failure_streaks` is the worker's auto-pause counter per webhook (a `FailureStreak`),
 * updated in the transaction that records each attempt.
 */
export class CreateDeliveryQueue1764291600000 implements MigrationInterface {
  readonly name = 'CreateDeliveryQueue1764291600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE delivery_requests (
        delivery_id  text        PRIMARY KEY,
        webhook_id   text        NOT NULL,
        company      text        NOT NULL,
        request      jsonb       NOT NULL,
        recorded_at  timestamptz NOT NULL
      )
    `);
    await queryRunner.query(`
      CREATE TRIGGER delivery_requests_append_only
        BEFORE UPDATE OR DELETE ON delivery_requests
        FOR EACH ROW EXECUTE FUNCTION hookline_reject_change()
    `);
    await queryRunner.query(`
      CREATE TABLE delivery_queue (
        delivery_id    text        PRIMARY KEY,
        webhook_id     text        NOT NULL,
        due_at         timestamptz NOT NULL,
        claim_id       uuid,
        claimed_until  timestamptz,
        enqueued_at    timestamptz NOT NULL
      )
    `);
    await queryRunner.query(`CREATE INDEX delivery_queue_due_idx ON delivery_queue (due_at)`);
    await queryRunner.query(`
      CREATE TABLE webhook_failure_streaks (
        webhook_id         text    PRIMARY KEY,
        streak             jsonb   NOT NULL,
        paused_at_version  integer
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_failure_streaks`);
    await queryRunner.query(`DROP TABLE delivery_queue`);
    await queryRunner.query(`DROP TABLE delivery_requests`);
  }
}
