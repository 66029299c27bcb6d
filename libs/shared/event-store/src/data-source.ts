import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { DatabaseConnectRefusedError, explainDatabaseConnectError } from './database-tls';
import { DataSource, type LoggerOptions, type MigrationInterface } from 'typeorm';

export interface DataSourceOptions {
  readonly url: string;
  /** pg's TLS options, from {@link databaseConnection}; plaintext when omitted. */
  readonly ssl?: ConnectionOptions | false;
  /** Migration classes, in any order: TypeORM sorts them by the timestamp in their name. */
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  readonly applicationName?: string;
  readonly poolSize?: number;
  /**
   * Connections the pool keeps open while idle (pg-pool's `min`); default 0. Above it, a
   * connection idle for `idleTimeoutMs` is closed, and the next burst opens it again: a TCP
   * connect, the server forking a backend and SCRAM authentication, 10 to 30 ms on the bench
   * machine, paid by the first statement after a quiet spell.
   */
  readonly keepConnections?: number;
  /** How long a connection above `keepConnections` may sit idle before it is closed; 10 s. */
  readonly idleTimeoutMs?: number;
  /**
   * TypeORM's logging; default migrations only. Failed queries are thrown to their callers, which
   * log or answer them: TypeORM's own error lines (query and parameters, to the console) would
   * repeat them outside the structured logs, even for an expected concurrency conflict.
   */
  readonly logging?: LoggerOptions;
  /** How long opening a connection may take before it fails; default 5 s. */
  readonly connectTimeoutMs?: number;
  /**
   * The server cancels a statement running longer (`statement_timeout`); default 30 s, 0 for
   * none (migrations). The client gives up `CLIENT_GRACE_MS` later on its own, so a server that
   * stopped answering altogether (hung, stopped, cut off) fails the query instead of hanging it.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Whether the client arms its own timer (`statementTimeoutMs + CLIENT_GRACE_MS`) on every query;
   * default true. False for a pool whose queries are cursors (the export's): pg clears that timer
   * only when a query's callback runs, which a cursor never calls, so each cursor would leave a
   * live timer behind that later fails whatever query its connection runs then.
   */
  readonly clientQueryTimeout?: boolean;
}

export const DATABASE_DEFAULTS = {
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  /** A transaction left open this long (a stuck caller) is ended by the server. */
  idleInTransactionTimeoutMs: 60_000,
  /** TCP keepalive probes start after this much silence, so a dead peer is noticed. */
  keepAliveInitialDelayMs: 10_000,
  idleTimeoutMs: 10_000,
} as const;

/**
 * Connections an app's pool keeps open when idle: what one lone event takes at once in the
 * worker (its intake, the delivery log's relay, the claim, the outcome's transaction). Opened
 * again after every quiet spell, they made the first call of a lone event 20 to 40 ms slower
 * than the next (56 to 81 ms against 27 to 45 in `bench:platform`).
 */
export const APP_KEPT_CONNECTIONS = 4;

/** What the client waits beyond the server's own statement timeout before it gives up. */
export const CLIENT_GRACE_MS = 5_000;

/** The pg pool settings behind {@link createDataSource}, for a plain pg Pool elsewhere. */
export function poolTimeouts(
  options: Pick<
    DataSourceOptions,
    'connectTimeoutMs' | 'statementTimeoutMs' | 'clientQueryTimeout'
  >,
) {
  const statementTimeoutMs = options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs;
  const clientTimeout = options.clientQueryTimeout ?? true;
  return {
    connectionTimeoutMillis: options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: DATABASE_DEFAULTS.keepAliveInitialDelayMs,
    idle_in_transaction_session_timeout: DATABASE_DEFAULTS.idleInTransactionTimeoutMs,
    ...(statementTimeoutMs > 0
      ? {
          statement_timeout: statementTimeoutMs,
          ...(clientTimeout ? { query_timeout: statementTimeoutMs + CLIENT_GRACE_MS } : {}),
        }
      : {}),
  };
}

/**
 * A PostgreSQL DataSource with the schema owned by migrations alone: `synchronize` is off
 * everywhere, and every migration runs in its own transaction.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const poolSize = options.poolSize ?? 10;
  return new DataSource({
    type: 'postgres',
    url: options.url,
    // pg passes the object to tls.connect, which takes checkServerIdentity (verify-ca).
    ...(options.ssl ? { ssl: options.ssl as TlsOptions } : {}),
    applicationName: options.applicationName ?? 'hookline',
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    migrationsTableName: 'typeorm_migrations',
    migrations: [...options.migrations],
    poolSize,
    logging: options.logging ?? ['migration'],
    connectTimeoutMS: options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs,
    // Passed to pg's Pool: every connection is opened with these.
    extra: {
      ...poolTimeouts(options),
      idleTimeoutMillis: options.idleTimeoutMs ?? DATABASE_DEFAULTS.idleTimeoutMs,
      min: Math.min(poolSize, options.keepConnections ?? 0),
    },
  });
}

/**
 * Opens the pool; a server that refuses this client (a wrong password, a certificate not
 * trusted) fails with a message naming the setting to fix.
 */
export async function initializeDataSource(dataSource: DataSource): Promise<DataSource> {
  try {
    return await dataSource.initialize();
  } catch (error) {
    const explained = explainDatabaseConnectError(error);
    if (explained === undefined) throw error;
    throw new DatabaseConnectRefusedError(explained, { cause: error });
  }
}

/** Opens an app's pool, named for the app: what `PlatformModule`'s `database` option takes. */
export type DataSourceOpener = (applicationName: string) => Promise<DataSource>;

/**
 * The {@link DataSourceOpener} of these options: an app's pool, which keeps
 * {@link APP_KEPT_CONNECTIONS} connections open through quiet spells unless told otherwise.
 */
export function dataSourceOpener(
  options: Omit<DataSourceOptions, 'applicationName'>,
): DataSourceOpener {
  return (applicationName) =>
    initializeDataSource(
      createDataSource({ keepConnections: APP_KEPT_CONNECTIONS, ...options, applicationName }),
    );
}

/** Applies every pending migration; returns the names applied by this call. */
export async function runMigrations(options: DataSourceOptions): Promise<string[]> {
  // A migration may rewrite a large table: no statement timeout of its own.
  const dataSource = await initializeDataSource(
    createDataSource({ statementTimeoutMs: 0, ...options }),
  );
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
