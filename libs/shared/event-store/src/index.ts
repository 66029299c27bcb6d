export {
  createDataSource,
  dataSourceOpener,
  initializeDataSource,
  runMigrations,
} from './data-source';
export {
  DatabaseConnectRefusedError,
  databaseConnection,
  explainDatabaseConnectError,
  SSL_MODES,
} from './database-tls';
export type { DatabaseConnection, SslMode } from './database-tls';
export type { DataSourceOpener, DataSourceOptions } from './data-source';
export { EVENT_STORE_MIGRATIONS } from './migrations';
export { validateTableName } from './table-name';
export {
  ConcurrencyConflictError,
  isStreamPositionViolation,
  translateAppendError,
} from './concurrency-conflict.error';
export { LOG_START, PostgresEventStore } from './event-store';
export type {
  AppendResult,
  EventMetadata,
  LogPosition,
  NewEvent,
  PostgresEventStoreOptions,
  ReadAllResult,
  StoredEvent,
} from './event-store';
export { inTransaction } from './transaction';
export type { IsolationLevel } from './transaction';
export { writeOutbox } from './outbox';
export type { OutboxMessage } from './outbox';
export {
  backoffMs,
  DEFAULT_OUTBOX_LOCK_ID,
  OutboxRelay,
  relayProducer,
  rowFault,
  splitByBytes,
} from './outbox-relay';
export type {
  OutboxBacklog,
  OutboxProducer,
  OutboxRelayLogger,
  OutboxRelayOptions,
  PollResult,
} from './outbox-relay';
export { jsonbSafe, jsonbSafeText } from './jsonb-safe';
export { readLogAfter, TAIL_HORIZON_SQL } from './tail-horizon';
