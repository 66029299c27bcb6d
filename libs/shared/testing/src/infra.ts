import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface IntegrationEnv {
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
}

/**
 * The real broker and database an integration spec talks to. `npm test` starts both and sets
 * these variables; a spec run by hand needs `npm run infra:up` and the printed variables.
 */
export function integrationEnv(): IntegrationEnv {
  const brokers = process.env['KAFKA_BROKERS'];
  const databaseUrl = process.env['DATABASE_URL'];
  if (!brokers || !databaseUrl) {
    throw new Error(
      'Integration specs need KAFKA_BROKERS and DATABASE_URL: run `npm run infra:up` and export ' +
        'what it prints, or run them through `npm test`.',
    );
  }
  return { kafkaBrokers: brokers.split(',').map((b) => b.trim()), databaseUrl };
}

/** A name no other test uses, for topics, consumer groups and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the shared server, so spec files never see each other's rows. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const { databaseUrl } = integrationEnv();
  const name = uniqueName(prefix).toLowerCase();
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
