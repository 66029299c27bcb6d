/**
 * `npm run test:faults`: the fault suite (apps/platform-faults). It kills, stops and restarts a
 * Kafka broker and a PostgreSQL server, so it runs them itself, as a tools/infra instance of its
 * own (`.hookline/instances/faults/`, ports picked at run time), never the servers `npm test`
 * uses. The instance starts empty each run and is stopped at the end, its logs kept.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { infraDiscard, infraDown, infraUp, type InfraHandle } from '../infra';
import { isPortFree } from '../infra/ports';
import { nxEnv, run, runMain, secondsSince } from './run';

const root = path.resolve(__dirname, '../..');
const INSTANCE = 'faults';
const stateDir = path.join(root, '.hookline', 'instances', INSTANCE);
const summary = path.join(root, 'dist', 'test-reports', 'platform-faults_faults.json');

/**
 * Three free ports below the kernel's ephemeral range (32768 and up), where an outgoing
 * connection cannot take one while its server is down between a kill and a restart.
 */
async function pickPorts(): Promise<[number, number, number]> {
  const ports: number[] = [];
  let port = 20_000 + Math.floor(Math.random() * 10_000);
  while (ports.length < 3) {
    if (port >= 32_000) port = 20_000;
    if (await isPortFree(port, '127.0.0.1')) ports.push(port);
    port += 1;
  }
  return ports as [number, number, number];
}

async function main(): Promise<number> {
  const started = Date.now();
  await rm(summary, { force: true });
  const [kafkaPort, controllerPort, postgresPort] = await pickPorts();
  const ports = {
    HOOKLINE_KAFKA_PORT: String(kafkaPort),
    HOOKLINE_KAFKA_CONTROLLER_PORT: String(controllerPort),
    HOOKLINE_POSTGRES_PORT: String(postgresPort),
  };
  // The instance's own servers, whatever KAFKA_BROKERS or DATABASE_URL say.
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports };
  delete env['KAFKA_BROKERS'];
  delete env['DATABASE_URL'];
  const options = { instance: INSTANCE, env, rootDir: root };

  let handle: InfraHandle | undefined;
  let stopping: Promise<unknown> | undefined;
  const stopInfra = () => (stopping ??= infraDown(undefined, options));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void stopInfra().finally(() => process.exit(130)));
  }

  try {
    let phase = Date.now();
    // Left over by an interrupted run, or data from the last one: the suite starts empty.
    await infraDiscard({ ...options, quiet: true });
    handle = await infraUp(options);
    console.log(
      `== the suite's own servers ready in ${secondsSince(phase)}: Kafka ${handle.kafkaBrokers} ` +
        `(pid ${handle.pids.kafka}), PostgreSQL 127.0.0.1:${postgresPort} (pid ${handle.pids.postgres})`,
    );

    phase = Date.now();
    const code = await run(
      'npx',
      // Extra arguments go to jest, e.g. `-- --testNamePattern=PostgreSQL` for some cases only.
      [
        'nx',
        'run',
        'platform-faults:test-faults',
        '--outputStyle=stream',
        ...process.argv.slice(2),
      ],
      {
        cwd: root,
        env: nxEnv({
          ...ports,
          KAFKA_BROKERS: handle.kafkaBrokers,
          DATABASE_URL: handle.databaseUrl,
          HOOKLINE_FAULTS_INFRA_INSTANCE: INSTANCE,
          HOOKLINE_FAULTS_INFRA_STATE: path.join(stateDir, 'state.json'),
        }),
      },
    );
    console.log(`\n== fault cases: ${code === 0 ? 'ok' : 'FAILED'} (${secondsSince(phase)})`);

    const counts = await readFile(summary, 'utf8').then(
      (text) => JSON.parse(text) as { numPassedTests: number; numFailedTests: number },
      () => ({ numPassedTests: 0, numFailedTests: 0 }),
    );
    await stopInfra();
    const ok = code === 0 && counts.numFailedTests === 0 && counts.numPassedTests > 0;
    console.log(`\n== npm run test:faults ${ok ? 'passed' : 'FAILED'} in ${secondsSince(started)}`);
    console.log(
      `   table: dist/faults/report.md; server logs: ${path.relative(root, stateDir)}/logs/`,
    );
    console.log(`${counts.numPassedTests} passed, ${counts.numFailedTests} failed`);
    return ok ? 0 : 1;
  } finally {
    await stopInfra();
  }
}

runMain(main);
