import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records the writing transaction's id on every event, so a reader tailing the log by position
 * can stop short of positions that a still-running transaction may yet commit (gap safety):
 * identity values are handed out at insert time but become visible at commit time, in any order.
 * Existing rows get the migration's transaction id, which is committed once this migration is.
 */
export class AddTransactionIdToWebhookEvents1764190800000 implements MigrationInterface {
  readonly name = 'AddTransactionIdToWebhookEvents1764190800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE webhook_events
        ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()
    `);
    await queryRunner.query(`
      CREATE INDEX webhook_events_transaction_position_idx
        ON webhook_events (transaction_id, global_position)
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX webhook_events_transaction_position_idx`);
    await queryRunner.query(`ALTER TABLE webhook_events DROP COLUMN transaction_id`);
  }
}
