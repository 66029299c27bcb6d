import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `webhook_status`: each webhook's status and version as the config API last committed them,
 * written in the same transaction as the change itself. The delivery worker reads it where it
 * claims work, so a pause is in force the moment its request returns, not when
 * `webhooks.config` reaches the worker. Existing webhooks are copied from the `webhooks`
 * projection where this database has one.
 */
export class CreateWebhookStatus1764810000000 implements MigrationInterface {
  readonly name = 'CreateWebhookStatus1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_status (
        webhook_id  text        PRIMARY KEY,
        status      text        NOT NULL CHECK (status IN ('active', 'paused', 'deleted')),
        version     integer     NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      DO $$
      BEGIN
        IF to_regclass('webhooks') IS NOT NULL THEN
          INSERT INTO webhook_status (webhook_id, status, version)
          SELECT id, status, version FROM webhooks
          ON CONFLICT (webhook_id) DO NOTHING;
        END IF;
      END $$
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_status`);
  }
}
