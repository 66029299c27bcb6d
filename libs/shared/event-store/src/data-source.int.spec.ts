import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

describe('a DataSource pool against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource | undefined;
  let observer: Client;

  beforeAll(async () => {
    db = await createTestDatabase('data_source_pool');
    observer = new Client({ connectionString: db.url, application_name: 'observer' });
    await observer.connect();
  });

  afterEach(async () => {
    await dataSource?.destroy();
    dataSource = undefined;
  });

  afterAll(async () => {
    await observer.end();
    await db.drop();
  });

  /** The server's sessions of this pool (its application name) in the test's database. */
  const sessions = async (applicationName: string) => {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = $1 AND datname = current_database()`,
      [applicationName],
    );
    return rows[0]?.n ?? 0;
  };

  /** Opens `n` connections at once (each holds its own for 50 ms), then leaves the pool idle. */
  const busyThenIdle = async (open: DataSource, n: number) => {
    await Promise.all(Array.from({ length: n }, () => open.query(`SELECT pg_sleep(0.05)`)));
  };

  const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('keeps keepConnections open through a quiet spell and closes the rest', async () => {
    dataSource = createDataSource({
      url: db.url,
      migrations: [],
      logging: false,
      applicationName: 'pool-keeps-two',
      poolSize: 6,
      keepConnections: 2,
      idleTimeoutMs: 200,
    });
    await dataSource.initialize();
    await busyThenIdle(dataSource, 5);
    expect(await sessions('pool-keeps-two')).toBe(5);
    await until(async () => (await sessions('pool-keeps-two')) <= 2, 5_000);
    // Well past the idle timeout: what is left stays.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await sessions('pool-keeps-two')).toBe(2);
  });

  it('closes every idle connection without keepConnections', async () => {
    dataSource = createDataSource({
      url: db.url,
      migrations: [],
      logging: false,
      applicationName: 'pool-keeps-none',
      poolSize: 6,
      idleTimeoutMs: 200,
    });
    await dataSource.initialize();
    await busyThenIdle(dataSource, 3);
    await until(async () => (await sessions('pool-keeps-none')) === 0, 5_000);
    expect(await sessions('pool-keeps-none')).toBe(0);
  });
});
