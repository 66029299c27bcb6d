import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  defaultRootDir,
  ENV,
  HOST,
  type InfraConfig,
  type InfraPaths,
  infraPaths,
  postgresHome,
  loadInfraConfig,
  managedDatabaseUrl,
  redactDatabaseUrl,
} from './config';
import { errorMessage, InfraError } from './infra-error';
import {
  ensureKafkaJars,
  ensureKafkaStorage,
  kafkaProcessMarker,
  prepareKafkaLog,
  readPinnedKafkaVersion,
  startKafkaBroker,
  writeKafkaConfig,
} from './kafka-broker';
import { splitHostPort, waitForKafka } from './kafka-readiness';
import { describeLogTail, rotateLog } from './logs';
import { withInfraLock } from './lock';
import { assertPortsFree, isPortServing } from './ports';
import {
  ensureDatabase,
  ensurePostgresInitialised,
  postgresBinaries,
  postgresProcessMarker,
  postgresUserIds,
  startPostgres,
  unreachableAncestor,
  waitForPostgres,
} from './postgres-server';
import {
  isOurProcess,
  isProcessAlive,
  type StopOutcome,
  type StopPlan,
  stopProcess,
} from './processes';
import { type InfraState, readState, writeState } from './state';
import { resolveJava, resolveMaven } from './executables';

export interface InfraCommandOptions {
  /** The repository root holding `.hookline/`; defaults to this checkout. */
  readonly rootDir?: string;
  /** Where settings are read from; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines; defaults to stderr. */
  readonly log?: (line: string) => void;
  /** Only failures (with their log's tail) are printed. */
  readonly quiet?: boolean;
  /**
   * A second, separate pair of servers of this checkout, with state, data and logs of its own
   * (see `parseInstanceName` in config.ts); its ports come from the same variables.
   */
  readonly instance?: string;
}

export interface InfraUpOptions extends InfraCommandOptions {
  /** How long to wait for each service to serve; defaults to HOOKLINE_INFRA_READY_TIMEOUT_S. */
  readonly readyTimeoutMs?: number;
}

export interface InfraUpResult {
  /** `host:port[,host:port]` for kafkajs. */
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  /** True for a service this call started; false when it reused one or used the environment's. */
  readonly started: { readonly kafka: boolean; readonly postgres: boolean };
  /** The server processes started or reused (the postmaster for PostgreSQL); none for the environment's. */
  readonly pids: { readonly kafka: number | undefined; readonly postgres: number | undefined };
}

/** What the test runner and the start script hold on to; `infraDown(handle.started)` undoes it. */
export type InfraHandle = InfraUpResult;

export interface InfraSelection {
  readonly kafka?: boolean;
  readonly postgres?: boolean;
}

/** `not-ours`: the recorded pid now belongs to another program, which was left alone. */
export type InfraStopOutcome = StopOutcome | 'not-ours' | 'not-recorded' | 'skipped';

export interface InfraDownResult {
  readonly kafka: InfraStopOutcome;
  readonly postgres: InfraStopOutcome;
}

export interface ServiceStatus {
  /** `env`: named by KAFKA_BROKERS / DATABASE_URL; `managed`: started by `up`; `none`: neither. */
  readonly source: 'env' | 'managed' | 'none';
  /** A broker list, or a database URL without its password. */
  readonly address: string | undefined;
  readonly pid: number | undefined;
  /** For `managed`: the recorded process is alive and still ours. */
  readonly running: boolean;
  /** Something accepts TCP connections at the address. */
  readonly serving: boolean;
}

export interface InfraStatus {
  readonly kafka: ServiceStatus;
  readonly postgres: ServiceStatus;
}

// Kafka stops cleanly on SIGTERM (a controlled shutdown).
const KAFKA_STOP: StopPlan = { signals: ['SIGTERM'], graceMs: 30_000 };
// PostgreSQL's SIGTERM is a "smart" shutdown that waits for every client to disconnect, and a
// SIGKILLed postmaster leaves its backends behind; SIGINT (fast: disconnects clients, then
// checkpoints) and then SIGQUIT (immediate) are the documented ways to stop it.
const POSTGRES_STOP: StopPlan = { signals: ['SIGINT', 'SIGQUIT'], graceMs: 20_000 };

interface UpContext {
  readonly config: InfraConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly state: InfraState;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  readonly save: () => void;
}

interface ServiceUp {
  readonly address: string;
  readonly started: boolean;
  readonly pid?: number;
}

/**
 * Makes sure a Kafka broker and a PostgreSQL server serve, starting them (detached) when they
 * do not: reuses what an earlier `up` started, uses KAFKA_BROKERS / DATABASE_URL when set, and
 * writes the result to `.hookline/infra.env`. On failure it prints the log's tail and stops
 * anything this call started, then throws an {@link InfraError}.
 */
export async function infraUp(options: InfraUpOptions = {}): Promise<InfraUpResult> {
  const env = options.env ?? process.env;
  const report = options.log ?? defaultLog;
  const log = options.quiet === true ? () => undefined : report;
  const config = loadInfraConfig(
    env,
    options.rootDir ?? defaultRootDir(),
    undefined,
    options.instance,
  );
  const timeoutMs = options.readyTimeoutMs ?? config.readyTimeoutMs;
  const { paths } = config;

  return withInfraLock(
    paths.lockFile,
    Math.max(300_000, 2 * timeoutMs + 120_000),
    (owner) => log(`waiting for another infra command (pid ${owner}) to finish...`),
    async () => {
      const state = readState(paths.stateFile);
      const context: UpContext = {
        config,
        env,
        state,
        timeoutMs,
        log,
        save: () => writeState(paths.stateFile, state),
      };
      const [kafka, postgres] = await Promise.allSettled([upKafka(context), upPostgres(context)]);
      const failures = [kafka, postgres].flatMap((result) =>
        result.status === 'rejected' ? [result.reason as unknown] : [],
      );
      // The first failure is thrown for the caller to print; any other is printed here.
      for (const [index, failure] of failures.entries()) {
        if (index > 0) report(`error: ${errorMessage(failure)}`);
        if (failure instanceof InfraError && failure.logFile !== undefined) {
          report(describeLogTail(failure.logFile));
        }
      }
      if (kafka.status === 'rejected' || postgres.status === 'rejected') {
        // Half an infrastructure is no use to the caller, who gets no handle to stop it with:
        // stop whatever this call did start before reporting the failure.
        const startedHere = (result: PromiseSettledResult<ServiceUp>) =>
          result.status === 'fulfilled' && result.value.started;
        await stopRecorded(
          paths,
          { kafka: startedHere(kafka), postgres: startedHere(postgres) },
          log,
        );
        throw failures[0];
      }

      const result: InfraUpResult = {
        kafkaBrokers: kafka.value.address,
        databaseUrl: postgres.value.address,
        started: { kafka: kafka.value.started, postgres: postgres.value.started },
        pids: { kafka: kafka.value.pid, postgres: postgres.value.pid },
      };
      fs.writeFileSync(paths.envFile, renderEnvFile(result, new Date()));
      return result;
    },
  );
}

/**
 * Stops what `up` started (both services unless `which` picks some), by recorded pid only, and
 * forgets it. A recorded process that has gone, or whose pid now belongs to something else, is
 * forgotten without a signal.
 */
export async function infraDown(
  which?: InfraSelection,
  options: InfraCommandOptions = {},
): Promise<InfraDownResult> {
  const log = options.quiet === true ? () => undefined : (options.log ?? defaultLog);
  // Only where PostgreSQL lives is read: a bad port variable must not keep anyone from stopping
  // the servers, and neither may a bad directory setting (the default place is used then).
  const rootDir = options.rootDir ?? defaultRootDir();
  const env = options.env ?? process.env;
  const asRoot = process.getuid?.() === 0;
  let home: ReturnType<typeof postgresHome>;
  try {
    home = postgresHome(rootDir, env, asRoot);
  } catch {
    home = postgresHome(rootDir, {}, asRoot);
  }
  const paths = infraPaths(rootDir, home, options.instance);
  const selected = {
    kafka: which === undefined || which.kafka === true,
    postgres: which === undefined || which.postgres === true,
  };

  return withInfraLock(
    paths.lockFile,
    300_000,
    (owner) => log(`waiting for another infra command (pid ${owner}) to finish...`),
    () => stopRecorded(paths, selected, log),
  );
}

/**
 * Stops a named instance's servers and deletes everything it kept (state, logs, Kafka and
 * PostgreSQL data), so its next `up` starts empty servers. Only for named instances: the
 * checkout's own servers and data are never thrown away by code.
 */
export async function infraDiscard(
  options: InfraCommandOptions & { readonly instance: string },
): Promise<InfraDownResult> {
  const log = options.quiet === true ? () => undefined : (options.log ?? defaultLog);
  const rootDir = options.rootDir ?? defaultRootDir();
  const asRoot = process.getuid?.() === 0;
  let home: ReturnType<typeof postgresHome>;
  try {
    home = postgresHome(rootDir, options.env ?? process.env, asRoot);
  } catch {
    home = postgresHome(rootDir, {}, asRoot);
  }
  const paths = infraPaths(rootDir, home, options.instance);
  return withInfraLock(
    paths.lockFile,
    300_000,
    (owner) => log(`waiting for another infra command (pid ${owner}) to finish...`),
    async () => {
      const stopped = await stopRecorded(paths, { kafka: true, postgres: true }, log);
      fs.rmSync(paths.postgresHome, { recursive: true, force: true });
      for (const entry of fs.readdirSync(paths.stateDir)) {
        // The lock file is released (and removed) by withInfraLock itself.
        if (path.join(paths.stateDir, entry) !== paths.lockFile) {
          fs.rmSync(path.join(paths.stateDir, entry), { recursive: true, force: true });
        }
      }
      return stopped;
    },
  );
}

/** Stops the selected services recorded as started by `up`; the caller holds the infra lock. */
async function stopRecorded(
  paths: InfraPaths,
  selected: { readonly kafka: boolean; readonly postgres: boolean },
  log: (line: string) => void,
): Promise<InfraDownResult> {
  const state = readState(paths.stateFile);
  const stop = async (
    service: 'kafka' | 'postgres',
    marker: string,
    plan: StopPlan,
  ): Promise<InfraStopOutcome> => {
    if (!selected[service]) return 'skipped';
    const recorded = state[service];
    if (recorded === undefined) {
      log(`[${service}] nothing recorded as started by infra:up`);
      return 'not-recorded';
    }
    let outcome: InfraStopOutcome;
    if (!isProcessAlive(recorded.pid)) {
      outcome = 'not-running';
      log(`[${service}] recorded pid ${recorded.pid} had already exited`);
    } else if (!isOurProcess(recorded.pid, marker)) {
      outcome = 'not-ours';
      log(`[${service}] pid ${recorded.pid} is now another program; left it alone`);
    } else {
      const startedAt = Date.now();
      outcome = await stopProcess(recorded.pid, plan);
      log(`[${service}] pid ${recorded.pid} ${outcome} in ${seconds(startedAt)}`);
    }
    delete state[service];
    writeState(paths.stateFile, state);
    return outcome;
  };
  const [kafka, postgres] = await Promise.all([
    stop('kafka', kafkaProcessMarker(paths), KAFKA_STOP),
    stop('postgres', postgresProcessMarker(paths), POSTGRES_STOP),
  ]);
  if (state.kafka === undefined && state.postgres === undefined) {
    fs.rmSync(paths.envFile, { force: true });
  }
  return { kafka, postgres };
}

/** What runs and serves, without starting or stopping anything. */
export async function infraStatus(options: InfraCommandOptions = {}): Promise<InfraStatus> {
  const config = loadInfraConfig(
    options.env ?? process.env,
    options.rootDir ?? defaultRootDir(),
    undefined,
    options.instance,
  );
  const { paths } = config;
  const state = readState(paths.stateFile);

  const kafka = async (): Promise<ServiceStatus> => {
    if (config.kafka.external !== undefined) {
      const [host, port] = splitHostPort(config.kafka.external.split(',')[0] ?? '');
      const serving = await isPortServing(port, host);
      return {
        source: 'env',
        address: config.kafka.external,
        pid: undefined,
        running: serving,
        serving,
      };
    }
    const recorded = state.kafka;
    if (recorded === undefined) return none(`${HOST}:${config.kafka.brokerPort}`);
    return {
      source: 'managed',
      address: `${HOST}:${recorded.brokerPort}`,
      pid: recorded.pid,
      running: isOurProcess(recorded.pid, kafkaProcessMarker(paths)),
      serving: await isPortServing(recorded.brokerPort, HOST),
    };
  };
  const postgres = async (): Promise<ServiceStatus> => {
    if (config.postgres.external !== undefined) {
      const url = new URL(config.postgres.external);
      const serving = await isPortServing(Number(url.port || 5432), url.hostname || HOST);
      return {
        source: 'env',
        address: redactDatabaseUrl(config.postgres.external),
        pid: undefined,
        running: serving,
        serving,
      };
    }
    const recorded = state.postgres;
    const url = (port: number): string =>
      redactDatabaseUrl(managedDatabaseUrl(config.postgres, port));
    if (recorded === undefined) return none(url(config.postgres.port));
    return {
      source: 'managed',
      address: url(recorded.port),
      pid: recorded.pid,
      running: isOurProcess(recorded.pid, postgresProcessMarker(paths)),
      serving: await isPortServing(recorded.port, HOST),
    };
  };
  const [kafkaStatus, postgresStatus] = await Promise.all([kafka(), postgres()]);
  return { kafka: kafkaStatus, postgres: postgresStatus };
}

/** The `.hookline/infra.env` text: the two variables every app and test reads. */
export function renderEnvFile(result: Omit<InfraUpResult, 'pids'>, now: Date): string {
  return [
    `# Written by tools/infra (npm run infra:up) at ${now.toISOString()}; removed by infra:down.`,
    `${ENV.kafkaBrokers}=${result.kafkaBrokers}`,
    `${ENV.databaseUrl}=${result.databaseUrl}`,
    '',
  ].join('\n');
}

async function upKafka(context: UpContext): Promise<ServiceUp> {
  const { config, env, state, timeoutMs, save } = context;
  const { paths } = config;
  const log = (line: string): void => context.log(`[kafka] ${line}`);
  const settings = config.kafka;

  if (settings.external !== undefined) {
    const checkedAt = Date.now();
    await waitForKafka(settings.external, { timeoutMs });
    log(
      `${ENV.kafkaBrokers} is set: using ${settings.external} (serves; checked in ${seconds(checkedAt)})`,
    );
    return { address: settings.external, started: false };
  }

  const recorded = state.kafka;
  if (recorded !== undefined) {
    if (isOurProcess(recorded.pid, kafkaProcessMarker(paths))) {
      const mismatches = [
        [ENV.kafkaPort, recorded.brokerPort, settings.brokerPort] as const,
        [ENV.kafkaControllerPort, recorded.controllerPort, settings.controllerPort] as const,
      ].filter(
        ([variable, running, wanted]) => config.explicitPorts.has(variable) && running !== wanted,
      );
      if (mismatches.length > 0) {
        const asked = mismatches.map(([variable, , wanted]) => `${variable}=${wanted}`).join(', ');
        throw new InfraError(
          'PORT_MISMATCH',
          `Kafka already runs (pid ${recorded.pid}) on ports ${recorded.brokerPort} (broker) and ` +
            `${recorded.controllerPort} (controller), but ${asked} asks for another. Run ` +
            '"npm run infra:down" first to move it, or unset the variable to reuse it.',
        );
      }
      const brokers = `${HOST}:${recorded.brokerPort}`;
      const checkedAt = Date.now();
      await waitForKafka(brokers, {
        timeoutMs,
        isAlive: () => isProcessAlive(recorded.pid),
        logFile: paths.kafkaLog,
      });
      log(
        `reusing Kafka ${recorded.version} (pid ${recorded.pid}) on ${brokers}; serves (checked in ${seconds(checkedAt)})`,
      );
      return { address: brokers, started: false, pid: recorded.pid };
    }
    log(`the broker recorded earlier (pid ${recorded.pid}) is gone; starting a new one`);
    delete state.kafka;
    save();
  }

  await assertPortsFree(
    [
      { service: 'Kafka (broker listener)', port: settings.brokerPort, variable: ENV.kafkaPort },
      {
        service: 'Kafka (controller listener)',
        port: settings.controllerPort,
        variable: ENV.kafkaControllerPort,
      },
    ],
    HOST,
    `Or, to use a Kafka that already runs, set ${ENV.kafkaBrokers}=<host:port>.`,
  );

  const java = resolveJava(env);
  const version = readPinnedKafkaVersion(paths.kafkaPom);
  const resolveStartedAt = Date.now();
  const jars = await ensureKafkaJars(paths, version, () => resolveMaven(env), env);
  if (jars.resolved) {
    log(
      `resolved the Kafka ${version} jars with Maven in ${seconds(resolveStartedAt)} (${jars.cacheDir})`,
    );
  }
  const launch = {
    java: java.file,
    cacheDir: jars.cacheDir,
    brokerPort: settings.brokerPort,
    controllerPort: settings.controllerPort,
  };
  writeKafkaConfig(paths, launch);
  prepareKafkaLog(paths);
  const formatStartedAt = Date.now();
  const storage = await ensureKafkaStorage(paths, launch, env);
  if (storage.formatted) {
    log(
      `formatted the KRaft storage (cluster id ${storage.clusterId}) in ${seconds(formatStartedAt)}`,
    );
  }

  const startedAt = Date.now();
  const pid = await startKafkaBroker(paths, launch, env);
  state.kafka = {
    pid,
    brokerPort: settings.brokerPort,
    controllerPort: settings.controllerPort,
    version,
    startedAt: new Date(startedAt).toISOString(),
  };
  save();
  const brokers = `${HOST}:${settings.brokerPort}`;
  log(`started Kafka ${version} (pid ${pid}, Java ${java.major}); waiting until it serves...`);
  try {
    await waitForKafka(brokers, {
      timeoutMs,
      isAlive: () => isProcessAlive(pid),
      logFile: paths.kafkaLog,
    });
  } catch (error) {
    await stopProcess(pid, KAFKA_STOP);
    delete state.kafka;
    save();
    throw error;
  }
  log(
    `ready on ${brokers} in ${seconds(startedAt)} (topic created, group joined, message consumed)`,
  );
  return { address: brokers, started: true, pid };
}

async function upPostgres(context: UpContext): Promise<ServiceUp> {
  const { config, state, timeoutMs, save } = context;
  const { paths } = config;
  const log = (line: string): void => context.log(`[postgres] ${line}`);
  const settings = config.postgres;

  if (settings.external !== undefined) {
    const checkedAt = Date.now();
    const display = redactDatabaseUrl(settings.external);
    await waitForPostgres(settings.external, display, { timeoutMs });
    log(`${ENV.databaseUrl} is set: using ${display} (serves; checked in ${seconds(checkedAt)})`);
    return { address: settings.external, started: false };
  }

  const recorded = state.postgres;
  if (recorded !== undefined) {
    if (isOurProcess(recorded.pid, postgresProcessMarker(paths))) {
      if (config.explicitPorts.has(ENV.postgresPort) && recorded.port !== settings.port) {
        throw new InfraError(
          'PORT_MISMATCH',
          `PostgreSQL already runs (pid ${recorded.pid}) on port ${recorded.port}, but ` +
            `${ENV.postgresPort}=${settings.port} asks for another. Run "npm run infra:down" ` +
            'first to move it, or unset the variable to reuse it.',
        );
      }
      const databaseUrl = managedDatabaseUrl(settings, recorded.port);
      const checkedAt = Date.now();
      await waitForPostgres(databaseUrl, redactDatabaseUrl(databaseUrl), {
        timeoutMs,
        isAlive: () => isProcessAlive(recorded.pid),
        logFile: paths.postgresLog,
      });
      log(
        `reusing PostgreSQL (pid ${recorded.pid}) on ${HOST}:${recorded.port}; serves (checked in ${seconds(checkedAt)})`,
      );
      return { address: databaseUrl, started: false, pid: recorded.pid };
    }
    log(`the server recorded earlier (pid ${recorded.pid}) is gone; starting a new one`);
    delete state.postgres;
    save();
  }

  await assertPortsFree(
    [{ service: 'PostgreSQL', port: settings.port, variable: ENV.postgresPort }],
    HOST,
    `Or, to use a PostgreSQL that already runs, set ${ENV.databaseUrl}=postgres://...`,
  );

  const ids = postgresUserIds();
  if (paths.postgresBinariesDir !== undefined) {
    // The system directory for this checkout (config.ts, postgresHome): root-owned, open to the
    // `postgres` user; the data directory inside is that user's alone.
    fs.mkdirSync(paths.postgresHome, { recursive: true, mode: 0o755 });
    log(`PostgreSQL's binaries and data: ${paths.postgresHome}`);
  }
  const binaries = await postgresBinaries(paths.postgresBinariesDir);
  rotateLog(paths.postgresLog);
  if (ids !== undefined) {
    const blocked = unreachableAncestor(paths.postgresDataDir, ids.uid);
    if (blocked !== undefined) {
      throw new InfraError(
        'POSTGRES_INIT_FAILED',
        `Running as root, PostgreSQL runs as the "postgres" user, which cannot enter ${blocked}. ` +
          `Allow it (chmod o+x ${blocked}), or set ${ENV.postgresDir} to a directory it can reach, ` +
          `or set ${ENV.databaseUrl}.`,
      );
    }
  }
  const initStartedAt = Date.now();
  if (await ensurePostgresInitialised(paths, binaries, settings)) {
    log(`created the data directory with initdb in ${seconds(initStartedAt)}`);
  }

  const startedAt = Date.now();
  const pid = await startPostgres(paths, binaries, settings.port);
  state.postgres = { pid, port: settings.port, startedAt: new Date(startedAt).toISOString() };
  save();
  log(`started PostgreSQL (pid ${pid}); waiting until it serves...`);
  const databaseUrl = managedDatabaseUrl(settings, settings.port);
  const adminUrl = managedDatabaseUrl({ ...settings, database: 'postgres' }, settings.port);
  try {
    const readiness = { timeoutMs, isAlive: () => isProcessAlive(pid), logFile: paths.postgresLog };
    await waitForPostgres(adminUrl, redactDatabaseUrl(adminUrl), readiness);
    if (await ensureDatabase(adminUrl, settings.database)) {
      log(`created the database "${settings.database}"`);
    }
    await waitForPostgres(databaseUrl, redactDatabaseUrl(databaseUrl), readiness);
  } catch (error) {
    await stopProcess(pid, POSTGRES_STOP);
    delete state.postgres;
    save();
    throw error instanceof InfraError
      ? error
      : new InfraError('POSTGRES_NOT_READY', errorMessage(error), paths.postgresLog, {
          cause: error,
        });
  }
  log(`ready on ${HOST}:${settings.port} in ${seconds(startedAt)} (select 1 works)`);
  return { address: databaseUrl, started: true, pid };
}

function none(address: string): ServiceStatus {
  return { source: 'none', address, pid: undefined, running: false, serving: false };
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function defaultLog(line: string): void {
  console.error(line);
}
