import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accepted requests are kept as `json`, not `jsonb`: `jsonb` reorders object keys, so an
 * envelope read back from it was sent with its fields in another order than the producer wrote
 * them (`data` first, `event_id` before `event_type`). Receivers see the payload as published.
 */
export class KeepRequestKeyOrder1764637200000 implements MigrationInterface {
  readonly name = 'KeepRequestKeyOrder1764637200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE delivery_requests ALTER COLUMN request TYPE json USING request::json`,
    );
    await queryRunner.query(
      `ALTER TABLE delivery_queue ALTER COLUMN request TYPE json USING request::json`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE delivery_queue ALTER COLUMN request TYPE jsonb USING request::jsonb`,
    );
    await queryRunner.query(
      `ALTER TABLE delivery_requests ALTER COLUMN request TYPE jsonb USING request::jsonb`,
    );
  }
}
