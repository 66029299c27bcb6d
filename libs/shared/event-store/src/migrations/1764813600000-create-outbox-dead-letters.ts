import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outbox_dead_letters`: outbox rows the broker refused for a reason of their own (too large, a
 * topic that does not exist) after a few tries, kept with the reason so an operator can see,
 * fix and replay them, while the rows behind them were published.
 */
export class CreateOutboxDeadLetters1764813600000 implements MigrationInterface {
  readonly name = 'CreateOutboxDeadLetters1764813600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_dead_letters (
        id               bigint      PRIMARY KEY,
        topic            text        NOT NULL,
        message_key      text        NOT NULL,
        value            text,
        headers          jsonb,
        created_at       timestamptz NOT NULL,
        reason           text        NOT NULL,
        attempts         integer     NOT NULL,
        dead_lettered_at timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_dead_letters`);
  }
}
