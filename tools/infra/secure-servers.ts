import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import { defaultRootDir, HOST, loadInfraConfig, type InfraPaths } from './config';
import { resolveJava, resolveMaven } from './executables';
import { errorMessage, InfraError } from './infra-error';
import {
  ensureKafkaJars,
  ensureKafkaStorage,
  KAFKA_JVM_OPTIONS,
  readPinnedKafkaVersion,
} from './kafka-broker';
import {
  kafkaLog4jProperties,
  renderProperties,
  type SaslMechanism,
  scramFormatArguments,
  secureKafkaServerProperties,
} from './kafka-properties';
import {
  ensurePostgresInitialised,
  postgresBinaries,
  postgresUserIds,
  startPostgres,
} from './postgres-server';
import { isProcessAlive, sleep, spawnDetached, stopProcess } from './processes';

/** A server certificate and key (PEM) and the CA that signed it, e.g. the test CA's. */
export interface ServerTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface SaslUser {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface SecureServer {
  /** Where its configuration, data and log live; removed by `stop`. */
  readonly dir: string;
  readonly logFile: string;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

export interface SecureKafka extends SecureServer {
  readonly brokers: string[];
}

export interface SecureKafkaOptions {
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly tls: ServerTls;
  /** PLAIN users go to the listener's JAAS configuration, SCRAM users into the KRaft storage. */
  readonly users: readonly SaslUser[];
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

const STOP = { signals: ['SIGTERM'] as NodeJS.Signals[], graceMs: 10_000 };

function infra(env: NodeJS.ProcessEnv): InfraPaths {
  return loadInfraConfig(env, defaultRootDir()).paths;
}

function run(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args[0]} failed: ${stderr || error}`));
      else resolve();
    });
  });
}

/**
 * A throwaway single-node KRaft broker whose client listener is SASL_SSL, the way managed
 * clusters serve: the server certificate in a PKCS12 keystore (`openssl pkcs12`), the CA in a
 * PKCS12 truststore (Java's `keytool`), JAAS configuration per mechanism, and SCRAM users written
 * by Kafka's `StorageTool format --add-scram`. The jars are the ones `infra:up` caches. It runs in
 * a directory of its own under `.hookline/secure/`, apart from the development broker, and is
 * ready once an authenticated client lists its topics.
 */
export async function startSecureKafka(options: SecureKafkaOptions): Promise<SecureKafka> {
  const env = options.env ?? process.env;
  const paths = infra(env);
  const java = resolveJava(env);
  const version = readPinnedKafkaVersion(paths.kafkaPom);
  const { cacheDir } = await ensureKafkaJars(paths, version, () => resolveMaven(env), env);
  const dir = path.join(paths.stateDir, 'secure', `kafka-${options.brokerPort}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const password = randomBytes(12).toString('hex');
  let pid: number | undefined;
  const stop = async () => {
    if (pid !== undefined) await stopProcess(pid, STOP);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    fs.writeFileSync(file('ca.pem'), options.tls.caPem);
    fs.writeFileSync(file('cert.pem'), options.tls.certPem);
    fs.writeFileSync(file('key.pem'), options.tls.keyPem, { mode: 0o600 });
    await run('openssl', [
      'pkcs12',
      '-export',
      '-in',
      file('cert.pem'),
      '-inkey',
      file('key.pem'),
      '-name',
      'broker',
      '-out',
      file('keystore.p12'),
      '-passout',
      `pass:${password}`,
    ]);
    await run(path.join(path.dirname(java.file), 'keytool'), [
      '-importcert',
      '-noprompt',
      '-alias',
      'hookline-ca',
      '-file',
      file('ca.pem'),
      '-keystore',
      file('truststore.p12'),
      '-storetype',
      'PKCS12',
      '-storepass',
      password,
    ]);
    const interBroker = { username: 'broker', password: randomBytes(12).toString('hex') };
    const properties = secureKafkaServerProperties({
      host: HOST,
      brokerPort: options.brokerPort,
      controllerPort: options.controllerPort,
      dataDir: file('data'),
      keystoreFile: file('keystore.p12'),
      truststoreFile: file('truststore.p12'),
      storePassword: password,
      interBroker,
      plainUsers: options.users.filter((user) => user.mechanism === 'PLAIN'),
    });
    const brokerPaths: InfraPaths = {
      ...paths,
      kafkaDataDir: file('data'),
      kafkaProperties: file('server.properties'),
      kafkaLog4j: file('log4j.properties'),
      kafkaFormatLog4j: file('format-log4j.properties'),
      kafkaLog: file('kafka.log'),
      logsDir: dir,
    };
    fs.writeFileSync(brokerPaths.kafkaProperties, renderProperties(properties), { mode: 0o600 });
    fs.writeFileSync(brokerPaths.kafkaLog4j, renderProperties(kafkaLog4jProperties('INFO')));
    fs.writeFileSync(brokerPaths.kafkaFormatLog4j, renderProperties(kafkaLog4jProperties('WARN')));
    const launch = {
      java: java.file,
      cacheDir,
      brokerPort: options.brokerPort,
      controllerPort: options.controllerPort,
    };
    await ensureKafkaStorage(brokerPaths, launch, env, scramFormatArguments(options.users));
    pid = await spawnDetached({
      file: java.file,
      args: [
        ...KAFKA_JVM_OPTIONS,
        `-Dlog4j.configuration=${pathToFileURL(brokerPaths.kafkaLog4j).href}`,
        `-Dkafka.logs.dir=${dir}`,
        '-cp',
        path.join(cacheDir, '*'),
        'kafka.Kafka',
        brokerPaths.kafkaProperties,
      ],
      logFile: brokerPaths.kafkaLog,
      env,
      cwd: dir,
    });
    const brokers = [`${HOST}:${options.brokerPort}`];
    await waitForSecureKafka(brokers, options, pid, brokerPaths.kafkaLog);
    return { dir, logFile: brokerPaths.kafkaLog, pid, brokers, stop };
  } catch (error) {
    // The log goes with the directory: its last lines go into the error first.
    const log = tail(path.join(dir, 'kafka.log'));
    await stop();
    throw log === '' ? error : new Error(`${errorMessage(error)}\n${log}`);
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function waitForSecureKafka(
  brokers: string[],
  options: SecureKafkaOptions,
  pid: number,
  logFile: string,
): Promise<void> {
  const user = options.users[0];
  if (!user) throw new Error('startSecureKafka needs at least one user');
  const kafka = new Kafka({
    clientId: 'hookline-infra-secure',
    brokers,
    ssl: { ca: options.tls.caPem },
    sasl: {
      mechanism: user.mechanism.toLowerCase() as 'plain',
      username: user.username,
      password: user.password,
    },
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let last: unknown;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) break;
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      last = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new InfraError(
    'KAFKA_NOT_READY',
    `The SASL_SSL broker on ${brokers.join(',')} did not serve (${errorMessage(last)}).`,
    logFile,
  );
}

export interface TlsPostgres extends SecureServer {
  /** `postgres://user:password@127.0.0.1:<port>/hookline`, without sslmode: the caller adds it. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
}

export interface TlsPostgresOptions {
  readonly port: number;
  readonly tls: ServerTls;
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

/**
 * A throwaway PostgreSQL server that accepts TLS connections only (`ssl=on` with the given
 * certificate, `hostssl` lines in pg_hba.conf and every plaintext connection rejected), from
 * the binaries `infra:up` uses, with its data under the checkout's PostgreSQL home (reachable by
 * the `postgres` user when this runs as root). The database `hookline` is created.
 */
export async function startTlsPostgres(options: TlsPostgresOptions): Promise<TlsPostgres> {
  const env = options.env ?? process.env;
  const paths = infra(env);
  const binaries = await postgresBinaries(paths.postgresBinariesDir);
  const home = path.join(paths.postgresHome, `tls-${options.port}-${process.pid}`);
  const dataDir = path.join(home, 'data');
  const logFile = path.join(paths.stateDir, 'secure', `postgres-${options.port}.log`);
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(logFile, { force: true });
  const serverPaths: InfraPaths = { ...paths, postgresDataDir: dataDir, postgresLog: logFile };
  const settings = {
    external: undefined,
    port: options.port,
    user: 'hookline',
    password: randomBytes(12).toString('hex'),
    database: 'hookline',
  };
  let pid: number | undefined;
  const stop = async () => {
    if (pid !== undefined) {
      await stopProcess(pid, { signals: ['SIGINT', 'SIGQUIT'], graceMs: 10_000 });
    }
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(logFile, { force: true });
  };

  try {
    await ensurePostgresInitialised(serverPaths, binaries, settings);
    const ids = postgresUserIds();
    const own = (file: string, text: string, mode: number) => {
      fs.writeFileSync(file, text, { mode });
      fs.chmodSync(file, mode);
      if (ids) fs.chownSync(file, ids.uid, ids.gid);
    };
    // The key must be the server user's alone, or PostgreSQL refuses to start.
    own(path.join(dataDir, 'server.crt'), options.tls.certPem, 0o644);
    own(path.join(dataDir, 'server.key'), options.tls.keyPem, 0o600);
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      "\n# TLS only (tools/infra secure-servers)\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
    );
    own(
      path.join(dataDir, 'pg_hba.conf'),
      'hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n',
      0o600,
    );
    pid = await startPostgres(serverPaths, binaries, options.port);
    const base = `postgres://${settings.user}:${settings.password}@${HOST}:${options.port}`;
    await waitForTlsPostgres(`${base}/postgres`, options, pid, logFile);
    return {
      dir: home,
      logFile,
      pid,
      url: `${base}/hookline`,
      user: settings.user,
      password: settings.password,
      stop,
    };
  } catch (error) {
    const log = tail(logFile);
    await stop();
    throw log === '' ? error : new Error(`${errorMessage(error)}\n${log}`);
  }
}

async function waitForTlsPostgres(
  adminUrl: string,
  options: TlsPostgresOptions,
  pid: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let last: unknown;
  while (Date.now() < deadline && isProcessAlive(pid)) {
    const client = new Client({
      connectionString: adminUrl,
      ssl: { ca: options.tls.caPem },
      connectionTimeoutMillis: 3_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('create database hookline');
      return;
    } catch (error) {
      last = error;
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(300);
  }
  throw new InfraError(
    'POSTGRES_NOT_READY',
    `The TLS PostgreSQL server on port ${options.port} did not serve (${errorMessage(last)}).`,
    logFile,
  );
}
