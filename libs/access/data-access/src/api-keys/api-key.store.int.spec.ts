import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import type { DataSource } from 'typeorm';
import { ACCESS_MIGRATIONS } from '../migrations';
import { CreateApiKeys1764201600000 } from '../migrations/1764201600000-create-api-keys';
import { hashApiKey } from './api-key';
import { ApiKeyStore } from './api-key.store';

const MIGRATIONS = [...EVENT_STORE_MIGRATIONS, ...ACCESS_MIGRATIONS];
const byTimestamp = (a: string, b: string) =>
  Number(a.match(/\d+$/)?.[0]) - Number(b.match(/\d+$/)?.[0]);

describe('ApiKeyStore against the real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: ApiKeyStore;

  beforeAll(async () => {
    db = await createTestDatabase('access_api_keys');
    await runMigrations({ url: db.url, migrations: MIGRATIONS });
    dataSource = createDataSource({ url: db.url, migrations: MIGRATIONS, poolSize: 2 });
    await dataSource.initialize();
    store = new ApiKeyStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('authenticates a new key as its company and role', async () => {
    const created = await store.create({ company: 'acme', role: 'integrations', name: 'CI' });
    expect(created).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{32}$/),
      key: expect.stringMatching(/^hk_[A-Za-z0-9_-]{43}$/),
      prefix: created.key.slice(0, 11),
      company: 'acme',
      role: 'integrations',
      name: 'CI',
      createdAt: expect.any(Date),
    });
    await expect(store.authenticate(created.key)).resolves.toEqual({
      keyId: created.id,
      company: 'acme',
      role: 'integrations',
    });
  });

  it('refuses unknown, malformed and almost-right keys', async () => {
    const { key } = await store.create({ company: 'acme', role: 'admin', name: 'almost' });
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const presented of [
      flipped,
      `${key} `,
      key.slice(0, -1),
      '',
      'Bearer x',
      null,
      undefined,
    ]) {
      await expect(store.authenticate(presented)).resolves.toBeNull();
    }
  });

  it('stops authenticating a key once it is revoked', async () => {
    const created = await store.create({ company: 'acme', role: 'admin', name: 'to revoke' });
    const revoked = await store.revoke(created.id, 'acme');
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expect(store.authenticate(created.key)).resolves.toBeNull();
    // revoking again changes nothing
    await expect(store.revoke(created.id, 'acme')).resolves.toEqual(revoked);
  });

  it('does not let one company revoke, or learn about, another company’s key', async () => {
    const theirs = await store.create({ company: 'globex', role: 'admin', name: 'theirs' });
    await expect(store.revoke(theirs.id, 'acme')).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    await expect(store.revoke('key_' + '0'.repeat(32), 'acme')).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    await expect(store.revoke('not an id', 'acme')).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    await expect(store.authenticate(theirs.key)).resolves.toMatchObject({ company: 'globex' });
    expect((await store.list('acme')).map((k) => k.id)).not.toContain(theirs.id);
  });

  it('lists a company’s keys without any key or hash in them', async () => {
    const company = 'initech';
    const a = await store.create({ company, role: 'viewer', name: 'dashboards' });
    const b = await store.create({ company, role: 'admin', name: 'ops' });
    await store.revoke(b.id, company);
    await store.authenticate(a.key);
    const listed = await store.list(company);
    expect(listed).toEqual([
      {
        id: a.id,
        prefix: a.prefix,
        company,
        role: 'viewer',
        name: 'dashboards',
        createdAt: a.createdAt,
        revokedAt: null,
        lastUsedAt: expect.any(Date),
      },
      {
        id: b.id,
        prefix: b.prefix,
        company,
        role: 'admin',
        name: 'ops',
        createdAt: b.createdAt,
        revokedAt: expect.any(Date),
        lastUsedAt: null,
      },
    ]);
    const text = JSON.stringify(listed);
    for (const { key } of [a, b]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(11));
      expect(text).not.toContain(hashApiKey(key).toString('hex'));
      expect(text).not.toContain(hashApiKey(key).toString('base64'));
    }
  });

  it('stores the SHA-256 of the key, never the key itself', async () => {
    const created = await store.create({ company: 'acme', role: 'viewer', name: 'stored' });
    const [row] = await dataSource.query(`SELECT * FROM api_keys WHERE id = $1`, [created.id]);
    expect(row.key_hash).toEqual(hashApiKey(created.key));
    const rowText = JSON.stringify(row) + Buffer.from(row.key_hash).toString('latin1');
    expect(rowText).not.toContain(created.key);
    expect(rowText).not.toContain(created.key.slice(11));
    expect(Object.keys(row).sort()).toEqual(
      [
        'company',
        'created_at',
        'id',
        'key_hash',
        'last_used_at',
        'name',
        'prefix',
        'revoked_at',
        'role',
      ].sort(),
    );
  });

  it('records last use at most once per resolution window', async () => {
    const created = await store.create({ company: 'acme', role: 'viewer', name: 'busy' });
    const lastUsed = async () =>
      (await dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [created.id]))[0]
        .last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    await store.authenticate(created.key);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await store.authenticate(created.key);
    expect(await lastUsed()).toEqual(first);
    await new ApiKeyStore(dataSource, { lastUsedResolutionMs: 0 }).authenticate(created.key);
    expect((await lastUsed())?.getTime()).toBeGreaterThan(first?.getTime() ?? Infinity);
  });

  it('refuses bad input with INVALID_API_KEY_REQUEST', async () => {
    const bad = [
      { company: '', role: 'admin', name: 'x' },
      { company: ' acme', role: 'admin', name: 'x' },
      { company: 'acme', role: 'owner', name: 'x' },
      { company: 'acme', role: 'admin', name: '  ' },
      { company: 'acme', role: 'admin', name: 'x'.repeat(101) },
      { company: 'acme', role: 'admin', name: 'line\nbreak' },
    ];
    for (const input of bad) {
      await expect(store.create(input as never)).rejects.toMatchObject({
        code: 'INVALID_API_KEY_REQUEST',
      });
    }
  });

  it('enforces one row per key hash in the database', async () => {
    const created = await store.create({ company: 'acme', role: 'viewer', name: 'unique' });
    await expect(
      dataSource.query(
        `INSERT INTO api_keys (id, company, role, name, prefix, key_hash)
         VALUES ($1, 'other', 'viewer', 'copy', 'hk_x', $2)`,
        ['key_' + 'f'.repeat(32), hashApiKey(created.key)],
      ),
    ).rejects.toMatchObject({ code: '23505', constraint: 'api_keys_key_hash_key' });
  });

  it('applies its migration once and reverts it cleanly', async () => {
    const fresh = await createTestDatabase('access_migrations');
    try {
      const options = { url: fresh.url, migrations: MIGRATIONS };
      const applied = await runMigrations(options);
      expect(applied).toEqual(MIGRATIONS.map((migration) => migration.name).sort(byTimestamp));
      expect(applied).toContain('CreateApiKeys1764201600000');
      expect(await runMigrations(options)).toEqual([]);
      const ds = createDataSource(options);
      await ds.initialize();
      try {
        // Other libs' migrations may be newer: run this one's down() directly.
        const runner = ds.createQueryRunner();
        try {
          await new CreateApiKeys1764201600000().down(runner);
        } finally {
          await runner.release();
        }
        const [row] = await ds.query(`SELECT to_regclass('api_keys') AS table`);
        expect(row.table).toBeNull();
      } finally {
        await ds.destroy();
      }
    } finally {
      await fresh.drop();
    }
  });
});
