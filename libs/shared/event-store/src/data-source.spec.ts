import { createDataSource } from './data-source';
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
