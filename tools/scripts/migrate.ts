/** `npm run db:migrate`: applies pending migrations to the database named by DATABASE_URL. */
import { redactUrl } from '@hookline/shared-config';
import { databaseConnection, runMigrations } from '@hookline/shared-event-store';
import { ALL_MIGRATIONS } from './migrations';

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is required (npm run infra:up prints one)');
  const { url: plainUrl, ssl } = databaseConnection(url, process.env['DATABASE_SSL_CA_FILE']);
  const applied = await runMigrations({ url: plainUrl, ssl, migrations: ALL_MIGRATIONS });
  console.log(
    applied.length === 0
      ? `database ${redactUrl(url)} is up to date`
      : `applied ${applied.length} migration(s) to ${redactUrl(url)}: ${applied.join(', ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
