import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `webhooks` read model: one row per live webhook, rebuilt from `webhook_events` at will.
 * `state` holds the whole aggregate (secrets sealed); the other columns exist to filter and page.
 */
export class CreateWebhooksProjection1764198000000 implements MigrationInterface {
  readonly name = 'CreateWebhooksProjection1764198000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhooks (
        id            text        PRIMARY KEY,
        company       text        NOT NULL,
        status        text        NOT NULL,
        events        text[]      NOT NULL,
        project_ids   text[]      NOT NULL,
        version       integer     NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        state         jsonb       NOT NULL
      )
    `);
    // Listing pages through one company's webhooks newest first.
    await queryRunner.query(
      `CREATE INDEX webhooks_company_created_idx ON webhooks (company, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX webhooks_events_idx ON webhooks USING gin (events)`);
    await queryRunner.query(
      `CREATE INDEX webhooks_project_ids_idx ON webhooks USING gin (project_ids)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhooks`);
  }
}
