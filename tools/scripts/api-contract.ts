/**
 * `npm run test:api-contract`: the config API's OpenAPI document against what the API does.
 * Installs schemathesis (a pinned version, from PyPI) into a virtualenv of the project
 * (`.hookline/schemathesis-venv`), starts the local broker and database when none runs, builds
 * and starts the config API on a fresh database with an admin key, and runs schemathesis with
 * every check and every phase, the stateful one included (it follows the document's links with
 * the ids the API returns). Exits with schemathesis's code: 0 only without any failure. The JUnit
 * report and the API's log are left in `.hookline/api-contract/`.
 *
 *   npm run test:api-contract -- --max-examples=30 --seed=1
 */
import { ApiKeyStore } from '@hookline/access-data-access';
import { DeliveryWorkStore } from '@hookline/deliveries-data-access';
import { generateMasterKey } from '@hookline/shared-crypto';
import { createDataSource, runMigrations } from '@hookline/shared-event-store';
import {
  createTestDatabase,
  freePort,
  sampleDeliveryRequest,
  startAppProcess,
} from '@hookline/shared-testing';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { infraDown, infraUp } from '../infra';
import { ALL_MIGRATIONS } from './migrations';
import { nxEnv, run } from './run';

const COMPANY = 'contract-company';
const SEEDED_WEBHOOKS = 5;

/** The schemathesis release the document is checked with; raise it on purpose, not by drift. */
const SCHEMATHESIS = 'schemathesis==4.32.5';

const root = path.resolve(__dirname, '..', '..');
const venv = path.join(root, '.hookline', 'schemathesis-venv');
const bin = (name: string) => path.join(venv, 'bin', name);
/** The run's JUnit report and the config API's log. */
const reports = path.join(root, '.hookline', 'api-contract');

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

async function ensureSchemathesis(): Promise<void> {
  if (!existsSync(bin('python'))) {
    if ((await run('python3', ['-m', 'venv', venv], { cwd: root })) !== 0) {
      throw new Error('python3 -m venv failed: install python3 with the venv module');
    }
  }
  const installed = await run(
    bin('python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS],
    { cwd: root },
  );
  if (installed !== 0) throw new Error(`pip install ${SCHEMATHESIS} failed`);
}

/**
 * Webhooks (through the API) and an accepted delivery of each (as the worker takes one in), so
 * the stateful phase, which starts from the lists and follows their links, works on real ids.
 */
async function seed(base: string, key: string, databaseUrl: string): Promise<void> {
  const dataSource = await createDataSource({ url: databaseUrl, migrations: [] }).initialize();
  try {
    const work = new DeliveryWorkStore(dataSource);
    for (let i = 0; i < SEEDED_WEBHOOKS; i += 1) {
      const response = await fetch(`${base}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Contract webhook ${i}`,
          url: `https://hooks.example.com/contract/${i}`,
          type: 'other',
          events: ['scan.completed'],
          headers: { 'X-Automation-Webhook-Token': `token-${i}` },
          generateSecret: true,
        }),
      });
      if (response.status !== 201) throw new Error(`seeding a webhook: ${response.status}`);
      const webhook = (await response.json()) as { id: string };
      await work.intake([sampleDeliveryRequest({ id: webhook.id, company: COMPANY })], new Date());
    }
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<number> {
  await ensureSchemathesis();
  const infra = await infraUp({ quiet: true });
  // createTestDatabase reads the server from the environment, as integration specs do.
  process.env['DATABASE_URL'] = infra.databaseUrl;
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  const db = await createTestDatabase('api_contract');
  let api: ReturnType<typeof startAppProcess> | undefined;
  try {
    await runMigrations({ url: db.url, migrations: ALL_MIGRATIONS });
    const dataSource = await createDataSource({
      url: db.url,
      migrations: ALL_MIGRATIONS,
    }).initialize();
    const key = await new ApiKeyStore(dataSource)
      .create({ company: COMPANY, role: 'admin', name: 'api contract' })
      .finally(() => dataSource.destroy());

    const built = await run('npx', ['nx', 'run', 'config-api:build', '--outputStyle=static'], {
      cwd: root,
      env: nxEnv(),
    });
    if (built !== 0) throw new Error('building the config API failed');
    const port = await freePort();
    api = startAppProcess(
      'config-api',
      {
        KAFKA_BROKERS: infra.kafkaBrokers,
        DATABASE_URL: db.url,
        HOOKLINE_MASTER_KEY: generateMasterKey('contract'),
        HOOKLINE_CONFIG_API_PORT: String(port),
        HOOKLINE_LOG_LEVEL: 'warn',
        // No worker runs: a test call answers 504 (documented) at once instead of waiting.
        HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: '1',
        // The run is one key making thousands of requests; the limits have their own specs.
        HOOKLINE_RATE_LIMIT_PER_MINUTE: '1000000',
        HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE: '1000000',
        HOOKLINE_QUOTA_WEBHOOKS_PER_COMPANY: '100000',
        HOOKLINE_EXPORT_CONCURRENCY_PER_COMPANY: '4',
      },
      port,
    );
    await api.waitForHttp('/ready', 90_000);
    const base = `http://127.0.0.1:${port}`;
    await seed(base, key.key, db.url);
    mkdirSync(reports, { recursive: true });
    return await run(
      bin('schemathesis'),
      [
        '--config-file',
        path.join(root, 'tools', 'api-contract', 'schemathesis.toml'),
        'run',
        `${base}/docs-json`,
        '--url',
        base,
        '--checks',
        'all',
        '--phases',
        'examples,coverage,fuzzing,stateful',
        '--header',
        `Authorization: Bearer ${key.key}`,
        '--max-examples',
        option('max-examples', '30'),
        '--seed',
        option('seed', '1'),
        '--workers',
        '1',
        '--request-timeout',
        '20',
        '--report',
        'junit',
        '--report-dir',
        reports,
        '--no-color',
      ],
      // Its example database and crash files go with the reports, not into the work tree.
      { cwd: reports },
    );
  } finally {
    await api?.kill('SIGTERM');
    if (api) {
      // What the API logged (its unhandled errors name their class and frames), for a failure.
      mkdirSync(reports, { recursive: true });
      writeFileSync(path.join(reports, 'config-api.log'), api.output());
    }
    await db.drop();
    await infraDown(infra.started, { quiet: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`test:api-contract: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
