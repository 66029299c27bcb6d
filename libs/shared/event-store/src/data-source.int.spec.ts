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

  /** A pool of six named `applicationName` whose idle connections close after 200 ms. */
  const openPool = async (applicationName: string, keepConnections?: number) => {
    dataSource = createDataSource({
      url: db.url,
      migrations: [],
      logging: false,
      applicationName,
      poolSize: 6,
      ...(keepConnections === undefined ? {} : { keepConnections }),
      idleTimeoutMs: 200,
    });
    return dataSource.initialize();
  };

  const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('keeps keepConnections open through a quiet spell and closes the rest', async () => {
    await busyThenIdle(await openPool('pool-keeps-two', 2), 5);
    expect(await sessions('pool-keeps-two')).toBe(5);
    await until(async () => (await sessions('pool-keeps-two')) <= 2, 5_000);
    // Well past the idle timeout: what is left stays.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await sessions('pool-keeps-two')).toBe(2);
  });

  it('closes every idle connection without keepConnections', async () => {
    await busyThenIdle(await openPool('pool-keeps-none'), 3);
    await until(async () => (await sessions('pool-keeps-none')) === 0, 5_000);
    expect(await sessions('pool-keeps-none')).toBe(0);
  });
});
