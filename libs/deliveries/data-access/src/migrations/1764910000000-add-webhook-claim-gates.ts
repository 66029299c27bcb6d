import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-endpoint concurrency limit across every worker (ADR 0012). A claim counts the calls in
 * flight to a webhook across the fleet, the rows under a lease that has not run out, through
 * `delivery_queue_leased_idx` (only leased rows are in it: a finished row is deleted, a released
 * or rescheduled one has its claim cleared). `webhook_claim_gates` holds one row per webhook that
 * ever had work queued (intake adds it): a claim locks the gates of the webhooks it takes work
 * of and bumps their `claims`, so two claims of one webhook can never both count the same leases
 * (`CLAIM_SQL` says how). Existing queued work gets its gates here.
 */
export class AddWebhookClaimGates1764910000000 implements MigrationInterface {
  readonly name = 'AddWebhookClaimGates1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_claim_gates (
        webhook_id  text    PRIMARY KEY,
        claims      bigint  NOT NULL DEFAULT 0
      )
    `);
    await queryRunner.query(`
      INSERT INTO webhook_claim_gates (webhook_id)
      SELECT DISTINCT webhook_id FROM delivery_queue
      ON CONFLICT (webhook_id) DO NOTHING
    `);
    await queryRunner.query(
      `CREATE INDEX delivery_queue_leased_idx ON delivery_queue (webhook_id, claimed_until)
        WHERE claim_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX delivery_queue_leased_idx`);
    await queryRunner.query(`DROP TABLE webhook_claim_gates`);
  }
}
