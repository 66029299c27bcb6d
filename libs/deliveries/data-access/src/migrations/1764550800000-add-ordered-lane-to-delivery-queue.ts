import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ordered deliveries (a replay after re-activation, a recovery) are sent one at a time per
 * webhook, in the order they were queued: `seq` is that order, and an `ordered` row is claimable
 * only when no earlier `ordered` row of its webhook is left in the queue (waiting, claimed or
 * scheduled for a retry).
 */
export class AddOrderedLaneToDeliveryQueue1764550800000 implements MigrationInterface {
  readonly name = 'AddOrderedLaneToDeliveryQueue1764550800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE delivery_queue
         ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY,
         ADD COLUMN ordered boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `CREATE INDEX delivery_queue_ordered_idx ON delivery_queue (webhook_id, seq) WHERE ordered`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX delivery_queue_ordered_idx`);
    await queryRunner.query(`ALTER TABLE delivery_queue DROP COLUMN ordered, DROP COLUMN seq`);
  }
}
