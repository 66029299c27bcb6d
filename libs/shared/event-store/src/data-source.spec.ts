import {
  CLIENT_GRACE_MS,
  createDataSource,
  DATABASE_DEFAULTS,
  type DataSourceOptions,
  poolTimeouts,
} from './data-source';
import { EVENT_STORE_MIGRATIONS } from './migrations';

describe('createDataSource', () => {
  const dataSource = createDataSource({
    url: 'postgres://u:p@127.0.0.1:1/db',
    migrations: EVENT_STORE_MIGRATIONS,
  });

  it('never lets TypeORM synchronize the schema: migrations own it', () => {
    expect(dataSource.options.synchronize).toBe(false);
    expect(dataSource.options.migrationsRun).toBe(false);
  });

  it('runs each migration in its own transaction', () => {
    expect(dataSource.options.migrationsTransactionMode).toBe('each');
  });

  it('keeps no connection through a quiet spell unless asked, and never more than the pool', () => {
    const extra = (options: Partial<DataSourceOptions>) =>
      (
        createDataSource({ url: 'postgres://u:p@127.0.0.1:1/db', migrations: [], ...options })
          .options as { extra: { min: number; idleTimeoutMillis: number } }
      ).extra;
    expect(extra({})).toMatchObject({ min: 0, idleTimeoutMillis: DATABASE_DEFAULTS.idleTimeoutMs });
    expect(extra({ keepConnections: 4 }).min).toBe(4);
    expect(extra({ keepConnections: 4, poolSize: 3 }).min).toBe(3);
  });
});

describe('EVENT_STORE_MIGRATIONS', () => {
  it('names every migration with the timestamp its class name ends in, oldest first', () => {
    const stamps = EVENT_STORE_MIGRATIONS.map((Migration) => {
      const { name } = new Migration();
      expect(name).toBe(Migration.name);
      return Number(/(\d{13})$/.exec(name ?? '')?.[1]);
    });
    expect(stamps.every(Number.isFinite)).toBe(true);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });
});

describe('poolTimeouts', () => {
  it('has the server cancel a statement and the client give up a grace period later', () => {
    expect(poolTimeouts({ statementTimeoutMs: 2_000 })).toMatchObject({
      statement_timeout: 2_000,
      query_timeout: 2_000 + CLIENT_GRACE_MS,
      connectionTimeoutMillis: DATABASE_DEFAULTS.connectTimeoutMs,
      keepAlive: true,
    });
  });

  it('sets no timeout at all for statementTimeoutMs 0 (migrations)', () => {
    const timeouts = poolTimeouts({ statementTimeoutMs: 0 });
    expect(timeouts).not.toHaveProperty('statement_timeout');
    expect(timeouts).not.toHaveProperty('query_timeout');
  });

  it('keeps the server timeout but arms no client timer for a pool of cursors', () => {
    const timeouts = poolTimeouts({ statementTimeoutMs: 2_000, clientQueryTimeout: false });
    expect(timeouts).toMatchObject({ statement_timeout: 2_000 });
    expect(timeouts).not.toHaveProperty('query_timeout');
  });
});
