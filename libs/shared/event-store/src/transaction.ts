import type { DataSource, EntityManager } from 'typeorm';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Runs `work` in one database transaction: commits when it resolves, rolls back when it throws.
 * Pass the manager to `append`, to your projection's writes and to `writeOutbox` so all of them
 * commit together or not at all.
 */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: { isolationLevel?: IsolationLevel } = {},
): Promise<T> {
  return options.isolationLevel
    ? dataSource.transaction(options.isolationLevel, work)
    : dataSource.transaction(work);
}
