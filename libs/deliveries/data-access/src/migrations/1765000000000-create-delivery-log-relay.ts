import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery-log topic is fed by tailing `delivery_events` (ADR 0014), not by an outbox row per
 * event. `delivery_log_relay` is the tail's one checkpoint: the (transaction id, global position)
 * of the last event published. It starts at the end of the log as this migration finds it: the
 * events already there had outbox rows written with them, which the outbox relay still publishes.
 * `delivery_log_dead_letters` names the events the broker refused for a reason of their own (too
 * large, say); the event itself stays in the log, only its copy on the topic is missing.
 */
export class CreateDeliveryLogRelay1765000000000 implements MigrationInterface {
  readonly name = 'CreateDeliveryLogRelay1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE delivery_log_relay (
        id               smallint     PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        transaction_id   xid8         NOT NULL,
        global_position  bigint       NOT NULL,
        updated_at       timestamptz  NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      INSERT INTO delivery_log_relay (transaction_id, global_position)
      SELECT COALESCE(
               (SELECT transaction_id FROM delivery_events
                 ORDER BY transaction_id DESC, global_position DESC LIMIT 1),
               '0'::xid8),
             COALESCE(
               (SELECT global_position FROM delivery_events
                 ORDER BY transaction_id DESC, global_position DESC LIMIT 1),
               0)
    `);
    await queryRunner.query(`
      CREATE TABLE delivery_log_dead_letters (
        transaction_id   xid8         NOT NULL,
        global_position  bigint       NOT NULL,
        delivery_id      text         NOT NULL,
        topic            text         NOT NULL,
        reason           text         NOT NULL,
        attempts         int          NOT NULL,
        dead_lettered_at timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (transaction_id, global_position)
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE delivery_log_dead_letters`);
    await queryRunner.query(`DROP TABLE delivery_log_relay`);
  }
}
