/**
 * `npm test`: format check, lint, type-check, unit tests and app builds for every project, then
 * the integration tests and the dashboard's browser tests against a real Kafka broker and
 * PostgreSQL server. Starts the
 * infrastructure it needs (reusing what already runs) and stops only what it started.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { redactUrl } from '@hookline/shared-config';
import { infraDown, infraUp, type InfraHandle } from '../infra';
import { nxEnv, run, runMain, secondsSince } from './run';

const root = path.resolve(__dirname, '../..');
const reports = path.join(root, 'dist', 'test-reports');
// Nx keeps its task cache in the user's home, shared by every clone: CI must run each check
// itself rather than replay a result recorded by an earlier run on the same machine.
const cacheFlags = process.env['CI'] ? ['--skip-nx-cache'] : [];

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

async function tally(): Promise<{
  passed: number;
  failed: number;
  skipped: number;
  files: number;
}> {
  const total = { passed: 0, failed: 0, skipped: 0, files: 0 };
  const names = await readdir(reports).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const report = JSON.parse(await readFile(path.join(reports, name), 'utf8')) as JestReport;
    total.passed += report.numPassedTests;
    total.failed += report.numFailedTests;
    total.skipped += report.numPendingTests;
    total.files += 1;
  }
  return total;
}

async function main(): Promise<number> {
  const started = Date.now();
  await rm(reports, { recursive: true, force: true });

  // The broker and the database boot while the static checks run.
  const infra: Promise<InfraHandle> = infraUp({ quiet: false });
  infra.catch(() => undefined);
  let handle: InfraHandle | undefined;
  const stopInfra = async () => {
    if (handle) await infraDown(handle.started);
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: a terminal's Ctrl-C arrives twice (directly and relayed by tsx), and a
    // second signal without a handler would kill the process before it stops the infrastructure.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      void stopInfra().finally(() => process.exit(130));
    });
  }

  try {
    let phase = Date.now();
    const format = await run('npx', ['prettier', '--check', '.', '--log-level', 'warn'], {
      cwd: root,
    });
    console.log(`\n== format check: ${format === 0 ? 'ok' : 'FAILED'} (${secondsSince(phase)})`);

    phase = Date.now();
    const checks = await run(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'lint',
        'typecheck',
        'test',
        'build',
        '--outputStyle=stream',
        ...cacheFlags,
      ],
      { cwd: root, env: nxEnv() },
    );
    console.log(
      `\n== lint, typecheck, unit tests, builds: ${checks === 0 ? 'ok' : 'FAILED'} (${secondsSince(phase)})`,
    );

    phase = Date.now();
    handle = await infra;
    console.log(`== infrastructure ready (waited ${secondsSince(phase)} after the checks)`);
    console.log(`   KAFKA_BROKERS=${handle.kafkaBrokers}`);
    console.log(`   DATABASE_URL=${redactUrl(handle.databaseUrl)}`);

    phase = Date.now();
    const integration = await run(
      'npx',
      // test-browser: the dashboard in Chromium against the platform (apps/platform-e2e).
      ['nx', 'run-many', '-t', 'test-int', 'test-browser', '--parallel=1', '--outputStyle=stream'],
      {
        cwd: root,
        env: nxEnv({ KAFKA_BROKERS: handle.kafkaBrokers, DATABASE_URL: handle.databaseUrl }),
      },
    );
    console.log(
      `\n== integration tests: ${integration === 0 ? 'ok' : 'FAILED'} (${secondsSince(phase)})`,
    );

    const total = await tally();
    const ok = format === 0 && checks === 0 && integration === 0;
    console.log(
      `\n== npm test ${ok ? 'passed' : 'FAILED'} in ${secondsSince(started)} (${total.files} jest runs)`,
    );
    console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
    return ok && total.failed === 0 ? 0 : 1;
  } finally {
    handle ??= await infra.catch(() => undefined);
    await stopInfra();
  }
}

runMain(main);
