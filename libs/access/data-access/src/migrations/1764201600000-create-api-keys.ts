import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys: one row per key, bound to one company and one role. The key itself is never stored,
 * only its SHA-256 (`key_hash`, unique: the lookup on every authenticated request) and a short
 * clear prefix for display. Revoking sets `revoked_at`; rows are kept for the audit trail.
 */
export class CreateApiKeys1764201600000 implements MigrationInterface {
  readonly name = 'CreateApiKeys1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id           text        PRIMARY KEY CHECK (id ~ '^key_[0-9a-f]{32}$'),
        company      text        NOT NULL CHECK (company <> ''),
        role         text        NOT NULL CHECK (role IN ('admin', 'integrations', 'viewer')),
        name         text        NOT NULL CHECK (name <> '' AND char_length(name) <= 100),
        prefix       text        NOT NULL,
        key_hash     bytea       NOT NULL CHECK (octet_length(key_hash) = 32),
        created_at   timestamptz NOT NULL DEFAULT now(),
        revoked_at   timestamptz,
        last_used_at timestamptz
      )
    `);
    await queryRunner.query(`CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash)`);
    // Listing a company's keys, newest last.
    await queryRunner.query(`CREATE INDEX api_keys_company_idx ON api_keys (company, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
