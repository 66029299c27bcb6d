import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Only the head of an ordered lane is claimable, and a claim looks at nothing else: `waiting` marks
 * every ordered row behind its lane's head, and claims read the due rows through an index that
 * leaves waiting rows out. Before, each claim read (up to its scan limit) every due row of a long
 * lane and probed for an earlier row per row, so a 100,000-row recovery of one webhook filled the
 * scan and other webhooks' due rows waited behind it. The row that ends a lane's head hands the
 * head to the next (`DeliveryWorkStore.finishMany`).
 */
export class AddLaneWaitingToDeliveryQueue1764817200000 implements MigrationInterface {
  readonly name = 'AddLaneWaitingToDeliveryQueue1764817200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE delivery_queue ADD COLUMN waiting boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`
      UPDATE delivery_queue q SET waiting = true
       WHERE q.ordered AND EXISTS (
             SELECT 1 FROM delivery_queue o
              WHERE o.webhook_id = q.webhook_id AND o.ordered AND o.seq < q.seq)
    `);
    await queryRunner.query(
      `CREATE INDEX delivery_queue_claimable_idx ON delivery_queue (due_at) WHERE NOT waiting`,
    );
    await queryRunner.query(`DROP INDEX delivery_queue_due_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX delivery_queue_due_idx ON delivery_queue (due_at)`);
    await queryRunner.query(`DROP INDEX delivery_queue_claimable_idx`);
    await queryRunner.query(`ALTER TABLE delivery_queue DROP COLUMN waiting`);
  }
}
