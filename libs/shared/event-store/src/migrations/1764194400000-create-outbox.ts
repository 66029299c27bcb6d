import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: Kafka messages written in the same transaction as the change they
 * announce, published by the OutboxRelay in id order and deleted once the broker acknowledged
 * them. `value` is NULL for a tombstone (a compacted topic's delete marker).
 */
export class CreateOutbox1764194400000 implements MigrationInterface {
  readonly name = 'CreateOutbox1764194400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic       text        NOT NULL,
        message_key text        NOT NULL,
        value       text        NULL,
        headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
