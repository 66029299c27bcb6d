/**
 * `npm run keys:create -- --company <id> --role <role> [--name <name>]`: creates an API key in the
 * database named by DATABASE_URL (applying pending migrations first) and prints it once. The key
 * alone goes to stdout, everything else to stderr, so `npm run -s keys:create -- ... > key.txt`
 * captures only the key.
 */
import { AccessError, ApiKeyStore, ROLES, isRole } from '@hookline/access-data-access';
import { redactUrl } from '@hookline/shared-config';
import { createDataSource, databaseConnection, runMigrations } from '@hookline/shared-event-store';
import { parseArgs } from 'node:util';
import { ALL_MIGRATIONS } from './migrations';

const USAGE = `usage: npm run keys:create -- --company <id> --role <${ROLES.join('|')}> [--name <name>]

  --company  the tenant the key acts for (required)
  --role     what the key may do (required): admin = everything; integrations = read and
             write webhooks; viewer = read only
  --name     a label shown in key lists (default: "keys:create <date>")

Needs DATABASE_URL (npm run infra:up prints one).`;

/** A mistake in how the command was called: exit code 2 and the usage text. */
class UsageError extends Error {}

interface Arguments {
  company: string;
  role: (typeof ROLES)[number];
  name: string;
}

function parseArguments(argv: string[]): Arguments | 'help' {
  let values: { company?: string; role?: string; name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        company: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const company = values.company?.trim();
  if (!company) throw new UsageError('--company is required');
  if (values.role === undefined) throw new UsageError('--role is required');
  if (!isRole(values.role)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}; got "${values.role}"`);
  }
  const name = values.name ?? `keys:create ${new Date().toISOString().slice(0, 10)}`;
  return { company, role: values.role, name };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args === 'help') {
    console.error(USAGE);
    return;
  }
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is required (npm run infra:up prints one)');

  const { url: plainUrl, ssl } = databaseConnection(url, process.env['DATABASE_SSL_CA_FILE']);
  const applied = await runMigrations({ url: plainUrl, ssl, migrations: ALL_MIGRATIONS });
  if (applied.length > 0) {
    console.error(
      `applied ${applied.length} migration(s) to ${redactUrl(url)}: ${applied.join(', ')}`,
    );
  }

  const dataSource = createDataSource({
    url: plainUrl,
    ssl,
    migrations: ALL_MIGRATIONS,
    applicationName: 'hookline-keys-create',
    poolSize: 1,
  });
  await dataSource.initialize();
  try {
    const created = await new ApiKeyStore(dataSource).create(args);
    console.error(
      `Created API key ${created.id} (${created.prefix}…) "${created.name}" for company ` +
        `"${created.company}" with role ${created.role}.\n` +
        'The key is printed below ONCE. Store it now (e.g. in a secret manager): only its hash is ' +
        `kept, so it cannot be shown again. If it is lost, create a new key and revoke ${created.id}.\n`,
    );
    console.log(created.key);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof AccessError) {
    console.error(`keys:create: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(`keys:create: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
