import { DataSource, type LoggerOptions, type MigrationInterface } from 'typeorm';

export interface DataSourceOptions {
  readonly url: string;
  /** Migration classes, in any order: TypeORM sorts them by the timestamp in their name. */
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  readonly applicationName?: string;
  readonly poolSize?: number;
  /** Session `statement_timeout` of every connection (ms); none when absent. */
  readonly statementTimeoutMs?: number;
  /**
   * TypeORM's logging; default migrations only. Failed queries are thrown to their callers, which
   * log or answer them: TypeORM's own error lines (query and parameters, to the console) would
   * repeat them outside the structured logs, even for an expected concurrency conflict.
   */
  readonly logging?: LoggerOptions;
}

/**
 * A PostgreSQL DataSource with the schema owned by migrations alone: `synchronize` is off
 * everywhere, and every migration runs in its own transaction.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName ?? 'hookline',
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    migrationsTableName: 'typeorm_migrations',
    migrations: [...options.migrations],
    poolSize: options.poolSize ?? 10,
    logging: options.logging ?? ['migration'],
    extra:
      options.statementTimeoutMs !== undefined
        ? { statement_timeout: options.statementTimeoutMs }
        : {},
  });
}

/** Applies every pending migration; returns the names applied by this call. */
export async function runMigrations(options: DataSourceOptions): Promise<string[]> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

export interface PostgresHealth {
  readonly ok: boolean;
  readonly error?: string;
}

/** Runs `select 1` on the data source's pool; a health endpoint's view of the database. */
export async function checkPostgres(dataSource: DataSource): Promise<PostgresHealth> {
  try {
    await dataSource.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
