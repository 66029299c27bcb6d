/**
 * Local Kafka and PostgreSQL for development and tests.
 *
 *   npm run infra:up       start (or reuse) both; prints KAFKA_BROKERS and DATABASE_URL
 *   npm run infra:status   what runs and serves
 *   npm run infra:down     stop what infra:up started
 *
 * `tsx tools/infra/cli.ts down kafka` (or `postgres`) stops one of them. `--instance <name>` first
 * acts on a second, separate pair of servers with state of its own (the fault suite's).
 */
import * as path from 'node:path';

import { ENV, parseInstanceName } from './config';
import {
  type InfraCommandOptions,
  infraDown,
  infraStatus,
  infraUp,
  type InfraSelection,
  type ServiceStatus,
} from './infra';
import { errorMessage, InfraError } from './infra-error';

const USAGE = 'usage: tsx tools/infra/cli.ts [--instance <name>] <up|down|status> [kafka|postgres]';

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
  const [command, target, ...rest] = argv;
  if (rest.length > 0 || (target !== undefined && target !== 'kafka' && target !== 'postgres')) {
    console.error(USAGE);
    return 2;
  }
  switch (command) {
    case 'up':
      return up(target, options);
    case 'down':
      return down(target === undefined ? undefined : { [target]: true }, options);
    case 'status':
      return status(options);
    default:
      console.error(USAGE);
      return 2;
  }
}

async function up(target: string | undefined, options: InfraCommandOptions): Promise<number> {
  if (target !== undefined) {
    console.error(
      'up always brings up both services (set KAFKA_BROKERS or DATABASE_URL to skip one)',
    );
    return 2;
  }
  const startedAt = Date.now();
  const result = await infraUp(options);
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
  await infraDown(which, options);
  return 0;
}

/** Exits 0 when both serve, 3 otherwise (as `pg_ctl status` does for "not running"). */
async function status(options: InfraCommandOptions): Promise<number> {
  const { kafka, postgres } = await infraStatus(options);
  console.log(describe('kafka', kafka));
  console.log(describe('postgres', postgres));
  return kafka.serving && postgres.serving ? 0 : 3;
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
