/**
 * Local Kafka and PostgreSQL for development and tests.
 *
 *   npm run infra:up       start (or reuse) both; prints KAFKA_BROKERS and DATABASE_URL
 *   npm run infra:status   what runs and serves
 *   npm run infra:down     stop what infra:up started
 *   npm run infra:up -- --brokers=3
 *                          a three-broker KRaft cluster instead of the single broker (kept in
 *                          .hookline/cluster/; node i on HOOKLINE_KAFKA_PORT + 2i and
 *                          HOOKLINE_KAFKA_CONTROLLER_PORT + 2i)
 *
 * `tsx tools/infra/cli.ts down kafka` (or `postgres`) stops one of them. `--instance <name>` first
 * acts on a second, separate pair of servers with state of its own (the fault suite's).
 */
import * as path from 'node:path';

import { defaultRootDir, ENV, loadInfraConfig, parseInstanceName } from './config';
import {
  type InfraCommandOptions,
  infraDown,
  infraStatus,
  infraUp,
  type InfraSelection,
  type ServiceStatus,
} from './infra';
import { errorMessage, InfraError } from './infra-error';
import { KafkaCluster, kafkaClusterStatus, stopKafkaCluster } from './kafka-cluster';

const USAGE =
  'usage: tsx tools/infra/cli.ts [--instance <name>] <up [--brokers=N]|down|status> [kafka|postgres]';

async function main(args: readonly string[]): Promise<number> {
  let argv = args;
  let options: InfraCommandOptions = {};
  if (argv[0] === '--instance') {
    if (argv[1] === undefined) {
      console.error(USAGE);
      return 2;
    }
    options = { instance: parseInstanceName(argv[1]) };
    argv = argv.slice(2);
  }
  let brokers = 1;
  const flag = argv.find((arg) => arg.startsWith('--brokers='));
  if (flag !== undefined) {
    brokers = Number(flag.slice('--brokers='.length));
    if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
      console.error(`--brokers takes 1 to 9, got "${flag.slice('--brokers='.length)}"`);
      return 2;
    }
    argv = argv.filter((arg) => arg !== flag);
  }
  const [command, target, ...rest] = argv;
  if (rest.length > 0 || (target !== undefined && target !== 'kafka' && target !== 'postgres')) {
    console.error(USAGE);
    return 2;
  }
  switch (command) {
    case 'up':
      return up(target, options, brokers);
    case 'down':
      return down(target === undefined ? undefined : { [target]: true }, options);
    case 'status':
      return status(options);
    default:
      console.error(USAGE);
      return 2;
  }
}

async function up(
  target: string | undefined,
  options: InfraCommandOptions,
  brokers: number,
): Promise<number> {
  if (target !== undefined) {
    console.error(
      'up always brings up both services (set KAFKA_BROKERS or DATABASE_URL to skip one)',
    );
    return 2;
  }
  const startedAt = Date.now();
  let env = process.env;
  if (brokers > 1) {
    // The cluster replaces the single broker; `up` then only checks it serves (as it does for
    // KAFKA_BROKERS) and starts PostgreSQL.
    const config = loadInfraConfig(env, defaultRootDir(), undefined, options.instance);
    if (config.kafka.external !== undefined) {
      console.error('--brokers starts a local cluster: unset KAFKA_BROKERS to use it');
      return 2;
    }
    const cluster = await KafkaCluster.start({
      dir: clusterDir(options),
      brokerPort: config.kafka.brokerPort,
      controllerPort: config.kafka.controllerPort,
      nodes: brokers,
      readyTimeoutMs: config.readyTimeoutMs,
      log: (line) => console.error(`[kafka cluster] ${line}`),
    });
    env = { ...env, [ENV.kafkaBrokers]: cluster.brokers };
  }
  const result = await infraUp({ ...options, env });
  const stateDir =
    options.instance === undefined
      ? '.hookline'
      : path.join('.hookline', 'instances', options.instance);
  console.error(
    `infra up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; written to ${path.join(stateDir, 'infra.env')}:`,
  );
  console.log(`${ENV.kafkaBrokers}=${result.kafkaBrokers}`);
  console.log(`${ENV.databaseUrl}=${result.databaseUrl}`);
  return 0;
}

async function down(
  which: InfraSelection | undefined,
  options: InfraCommandOptions,
): Promise<number> {
  if (which === undefined || which.kafka === true) {
    const stopped = await stopKafkaCluster(clusterDir(options));
    if (stopped > 0) console.error(`[kafka cluster] stopped ${stopped} nodes`);
  }
  await infraDown(which, options);
  return 0;
}

/** Exits 0 when both serve, 3 otherwise (as `pg_ctl status` does for "not running"). */
async function status(options: InfraCommandOptions): Promise<number> {
  const nodes = kafkaClusterStatus(clusterDir(options));
  const env =
    nodes.length > 0
      ? {
          ...process.env,
          [ENV.kafkaBrokers]: nodes.map((node) => `127.0.0.1:${node.brokerPort}`).join(','),
        }
      : process.env;
  const { kafka, postgres } = await infraStatus({ ...options, env });
  for (const node of nodes) {
    console.log(
      `kafka    cluster node ${node.nodeId}: pid ${node.pid} ${node.running ? 'running' : 'NOT running'}`,
    );
  }
  console.log(describe('kafka', kafka));
  console.log(describe('postgres', postgres));
  return kafka.serving && postgres.serving ? 0 : 3;
}

/** Where `up --brokers=N` keeps the cluster: `.hookline/cluster/` (or the instance's). */
function clusterDir(options: InfraCommandOptions): string {
  return path.join(
    loadInfraConfig(process.env, defaultRootDir(), undefined, options.instance).paths.stateDir,
    'cluster',
  );
}

function describe(name: string, status: ServiceStatus): string {
  const label = name.padEnd(9);
  switch (status.source) {
    case 'none':
      return `${label}not started by infra:up (would use ${status.address})`;
    case 'env':
      return `${label}from the environment: ${status.address} ${status.serving ? 'accepts connections' : 'DOES NOT accept connections'}`;
    case 'managed': {
      const process = status.running
        ? `pid ${status.pid} running`
        : `pid ${status.pid} NOT running (or no longer ours)`;
      const serving = status.serving ? 'serves' : 'NOT serving';
      return `${label}${process}, ${status.address} ${serving}`;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InfraError) console.error(`infra: ${error.message} [${error.code}]`);
    else console.error(error instanceof Error ? (error.stack ?? errorMessage(error)) : error);
    process.exitCode = 1;
  },
);
