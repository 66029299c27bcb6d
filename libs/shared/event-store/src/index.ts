export { checkPostgres, createDataSource, runMigrations } from './data-source';
export type { DataSourceOptions, PostgresHealth } from './data-source';
export { EVENT_STORE_MIGRATIONS } from './migrations';
