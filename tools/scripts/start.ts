/**
 * `npm start`: starts Kafka and PostgreSQL (reusing what already runs), applies the migrations,
 * builds and starts the three apps, and prints where each listens. Ctrl-C stops the apps and the
 * infrastructure this command started; an app that exits on its own stops the rest.
 *
 * For local development the delivery worker may call 127.0.0.1 and trusts a development CA kept
 * in `.hookline/dev-ca/`, so that `npm run demo` can receive webhooks on this machine. Setting
 * HOOKLINE_EGRESS_ALLOW_CIDRS or HOOKLINE_EXTRA_CA_FILE (even empty) replaces that allowance.
 */
import { appNodeFlags, redactUrl } from '@hookline/shared-config';
import { ApiKeyStore } from '@hookline/access-data-access';
import { DEFAULT_DEV_MASTER_KEY_FILE, loadOrCreateDevMasterKey } from '@hookline/shared-crypto';
import { createDataSource, runMigrations } from '@hookline/shared-event-store';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { infraDown, infraUp, type InfraHandle } from '../infra';
import { ensureDevCa } from './dev-ca';
import { ALL_MIGRATIONS } from './migrations';
import { nxEnv, run, secondsSince } from './run';

const root = path.resolve(__dirname, '../..');
const APPS = [
  {
    name: 'config-api',
    port: 'HOOKLINE_CONFIG_API_PORT',
    fallback: 3000,
    what: 'the dashboard at /, REST API, OpenAPI at /docs',
  },
  {
    name: 'event-matcher',
    port: 'HOOKLINE_EVENT_MATCHER_PORT',
    fallback: 3001,
    what: 'matches platform.events to webhooks; /ready once its index caught up',
  },
  {
    name: 'delivery-worker',
    port: 'HOOKLINE_DELIVERY_WORKER_PORT',
    fallback: 3002,
    what: 'delivers matched events; /ready once consuming and dispatching',
  },
] as const;

const DEMO_COMPANY = 'demo-company';
const BOOTSTRAP_KEY_FILE = path.join(root, '.hookline', 'bootstrap-admin-key');

const children: ChildProcess[] = [];
let infra: InfraHandle | undefined;
let infraStarting: Promise<InfraHandle> | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (children.length > 0) console.log('\nstopping the apps...');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  // Ctrl-C while the infrastructure is still starting: wait for it, then stop what was started.
  const started = infra ?? (await infraStarting?.catch(() => undefined));
  if (started) await infraDown(started.started);
  process.exit(code);
}

/** Resolves once the app answers its liveness probe; rejects after `timeoutMs`. */
async function waitUntilLive(name: string, port: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer on port ${port} within ${timeoutMs / 1000} s`);
}

/** Whether something accepts connections on the port (e.g. the apps of another `npm start`). */
function isPortTaken(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function startApp(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    [...appNodeFlags(name), path.join(root, 'dist/apps', name, 'main.js')],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void stop(1);
    }
  });
  return child;
}

/**
 * An admin key for the local demo company, kept in a git-ignored file so every start prints the
 * same one until it is revoked.
 */
async function bootstrapAdminKey(databaseUrl: string): Promise<string> {
  const dataSource = await createDataSource({ url: databaseUrl, migrations: [] }).initialize();
  try {
    const keys = new ApiKeyStore(dataSource);
    let saved: string | undefined;
    try {
      saved = readFileSync(BOOTSTRAP_KEY_FILE, 'utf8').trim();
    } catch {
      saved = undefined;
    }
    if (saved && (await keys.authenticate(saved))?.company === DEMO_COMPANY) return saved;
    const created = await keys.create({
      company: DEMO_COMPANY,
      role: 'admin',
      name: 'npm start bootstrap',
    });
    writeFileSync(BOOTSTRAP_KEY_FILE, `${created.key}\n`, { mode: 0o600 });
    chmodSync(BOOTSTRAP_KEY_FILE, 0o600);
    return created.key;
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // A terminal's Ctrl-C reaches this process twice (directly and relayed by tsx): keep handling it.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // Checked first: the health probes below would otherwise be answered by whatever holds them.
  const ports = APPS.map((app) => process.env[app.port] ?? String(app.fallback));
  const taken = await Promise.all(ports.map((port) => isPortTaken(port)));
  const busy = APPS.flatMap((app, i) =>
    taken[i] ? [`port ${ports[i]} of ${app.name} (${app.port})`] : [],
  );
  if (busy.length > 0) {
    throw new Error(
      `already in use: ${busy.join(', ')}. Is another \`npm start\` running? Stop it, or set the port variables.`,
    );
  }

  infraStarting = infraUp({ quiet: false });
  infra = await infraStarting;
  if (stopping) return;

  const applied = await runMigrations({ url: infra.databaseUrl, migrations: ALL_MIGRATIONS });
  console.log(
    `migrations: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`,
  );

  const built = await run(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...APPS.map((app) => app.name), '--outputStyle=static'],
    { cwd: root, env: nxEnv() },
  );
  if (built !== 0) throw new Error('building the apps failed');

  const adminKey = await bootstrapAdminKey(infra.databaseUrl);
  const devCa = await ensureDevCa(root);
  if (devCa.created) console.log(`created a development CA in ${path.relative(root, devCa.dir)}`);

  // Without a master key of the operator's, a development key is kept in a git-ignored file.
  const masterKey =
    process.env['HOOKLINE_MASTER_KEY'] ||
    loadOrCreateDevMasterKey(path.join(root, DEFAULT_DEV_MASTER_KEY_FILE));
  const env = {
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers,
    DATABASE_URL: infra.databaseUrl,
    HOOKLINE_MASTER_KEY: masterKey,
  };
  // Unset, not empty: an operator's explicit empty value means "allow nothing" and is kept.
  const allowance: Record<string, string> = {};
  if (process.env['HOOKLINE_EGRESS_ALLOW_CIDRS'] === undefined) {
    allowance['HOOKLINE_EGRESS_ALLOW_CIDRS'] = '127.0.0.1/32';
  }
  if (process.env['HOOKLINE_EXTRA_CA_FILE'] === undefined) {
    allowance['HOOKLINE_EXTRA_CA_FILE'] = devCa.caFile;
  }
  for (const app of APPS) {
    children.push(
      startApp(app.name, app.name === 'delivery-worker' ? { ...env, ...allowance } : env),
    );
  }

  await Promise.all(APPS.map((app, i) => waitUntilLive(app.name, ports[i] ?? '')));
  if (stopping) return;
  console.log(`\nHookline is running (started in ${secondsSince(started)}):`);
  console.log(
    `\n  Open the dashboard: http://127.0.0.1:${ports[0]}/  (sign in with the admin key below)\n`,
  );
  for (const [i, app] of APPS.entries()) {
    const port = ports[i];
    console.log(`  ${app.name.padEnd(16)} http://127.0.0.1:${port}  (${app.what})`);
  }
  console.log(`  kafka            ${infra.kafkaBrokers}`);
  console.log(`  postgres         ${redactUrl(infra.databaseUrl)}`);
  if (Object.keys(allowance).length > 0) {
    console.log('\nLocal-development allowance of the delivery worker (not for production):');
    if (allowance['HOOKLINE_EGRESS_ALLOW_CIDRS']) {
      console.log(
        `  HOOKLINE_EGRESS_ALLOW_CIDRS=${allowance['HOOKLINE_EGRESS_ALLOW_CIDRS']}  the worker may call 127.0.0.1 for the demo`,
      );
    }
    if (allowance['HOOKLINE_EXTRA_CA_FILE']) {
      console.log(
        `  HOOKLINE_EXTRA_CA_FILE=${path.relative(root, allowance['HOOKLINE_EXTRA_CA_FILE'])}  it trusts the development CA`,
      );
    }
    console.log('  Set either variable (even empty) to replace it.');
  }
  console.log(
    `\nAdmin API key of the local company "${DEMO_COMPANY}" (kept in ${path.relative(root, BOOTSTRAP_KEY_FILE)}):`,
  );
  console.log(`  ${adminKey}`);
  console.log(
    `  curl -H "Authorization: Bearer ${adminKey}" http://127.0.0.1:${ports[0]}/v1/webhooks`,
  );
  console.log('\nTry it: npm run demo (in another terminal). Press Ctrl-C to stop.\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stop(1);
});
