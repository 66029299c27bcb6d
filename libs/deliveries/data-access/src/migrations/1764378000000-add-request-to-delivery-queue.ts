import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `delivery_queue.request`: the request that re-opened a finished delivery (a manual retry, a
 * replay on re-activation), for the round its row stands for. `delivery_requests` keeps only the
 * first request of a delivery, so without it a claim would hand the worker the first request's
 * `webhookVersion` and `requestedAt`, and the worker would send a retry with a configuration older
 * than the one the retry was asked against. NULL for a first round: the claim reads the request
 * from `delivery_requests` then.
 */
export class AddRequestToDeliveryQueue1764378000000 implements MigrationInterface {
  readonly name = 'AddRequestToDeliveryQueue1764378000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_queue ADD COLUMN request jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_queue DROP COLUMN request`);
  }
}
