import { ACCESS_MIGRATIONS, ApiKeyStore } from '@hookline/access-data-access';
import { createDataSource } from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ALL_MIGRATIONS } from './migrations';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const script = join(__dirname, 'keys-create.ts');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function keysCreate(args: string[], env: Record<string, string | undefined>): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [script, ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('keys:create', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('keys_create');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('migrates a fresh database, then prints a working key alone on stdout', async () => {
    const outcome = await keysCreate(
      ['--company', 'acme', '--role', 'integrations', '--name', 'CI'],
      {
        DATABASE_URL: db.url,
      },
    );
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^hk_[A-Za-z0-9_-]{43}\n$/);
    expect(outcome.stderr).toContain('ONCE');
    expect(outcome.stderr).toContain('CreateApiKeys1764201600000');
    expect(outcome.stderr).not.toContain(outcome.stdout.trim());

    const dataSource = createDataSource({
      url: db.url,
      migrations: [...ALL_MIGRATIONS, ...ACCESS_MIGRATIONS],
    });
    await dataSource.initialize();
    try {
      const store = new ApiKeyStore(dataSource);
      await expect(store.authenticate(outcome.stdout.trim())).resolves.toMatchObject({
        company: 'acme',
        role: 'integrations',
      });
      expect(await store.list('acme')).toEqual([expect.objectContaining({ name: 'CI' })]);
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([
    [['--role', 'admin'], '--company is required'],
    [['--company', 'acme'], '--role is required'],
    [['--company', 'acme', '--role', 'owner'], '--role must be one of admin, integrations, viewer'],
    [['--company', 'acme', '--role', 'admin', '--force'], "Unknown option '--force'"],
    [['--company', 'acme', '--role', 'admin', '--name', ' '], 'name must be 1-100 characters'],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    const outcome = await keysCreate(args, { DATABASE_URL: db.url });
    expect(outcome).toMatchObject({ code: 2, stdout: '' });
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).toContain('usage: npm run keys:create');
  });

  it('needs DATABASE_URL', async () => {
    const outcome = await keysCreate(['--company', 'acme', '--role', 'admin'], {
      DATABASE_URL: '',
    });
    expect(outcome).toMatchObject({ code: 1, stdout: '' });
    expect(outcome.stderr).toContain('DATABASE_URL is required');
  });
});
