import type { SealedSecret } from '@hookline/contracts';
import {
  CryptoError,
  generateMasterKey,
  legacyWebhookHeaderAad,
  openWebhookHeader,
  parseMasterKeys,
  webhookHeaderAad,
  webhookSecretAad,
} from '@hookline/shared-crypto';
import {
  createDataSource,
  EVENT_STORE_MIGRATIONS,
  PostgresEventStore,
  runMigrations,
} from '@hookline/shared-event-store';
import { createTestDatabase, type TestDatabase } from '@hookline/shared-testing';
import type { CreateWebhook } from '@hookline/webhooks-domain';
import type { DataSource } from 'typeorm';
import { WEBHOOKS_MIGRATIONS } from '../migrations';
import { WebhookStore } from '../webhook.store';
import { resealWebhookSecrets } from './reseal-webhook-secrets';

const K1 = generateMasterKey('k1');
const K2 = generateMasterKey('k2');
const oldRing = parseMasterKeys(K1);
const bothRing = parseMasterKeys(`${K2},${K1}`);
const newRing = parseMasterKeys(K2);
const URL = 'https://hooks.example.com/scans';
const SECRET = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';

describe('resealWebhookSecrets', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: WebhookStore;

  beforeAll(async () => {
    db = await createTestDatabase('reseal');
    const migrations = [...EVENT_STORE_MIGRATIONS, ...WEBHOOKS_MIGRATIONS];
    await runMigrations({ url: db.url, migrations });
    dataSource = await createDataSource({ url: db.url, migrations }).initialize();
    store = new WebhookStore(dataSource, new PostgresEventStore(dataSource));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  function create(webhookId: string, headerAad: string, ring = oldRing): CreateWebhook {
    return {
      type: 'CreateWebhook',
      webhookId,
      company: 'comp-1',
      now: new Date().toISOString(),
      name: 'Production scan alerts',
      url: URL,
      webhookType: 'other',
      events: ['scan.completed'],
      projectIds: [],
      statusFilter: [],
      headers: [{ name: 'X-Api-Key', value: ring.seal('header-value', headerAad) as SealedSecret }],
      bodyTemplate: null,
      secret: ring.seal(SECRET, webhookSecretAad(webhookId)) as SealedSecret,
    };
  }

  it('moves every live value to the active key and binds unbound header values to their origin', async () => {
    const bound = 'wh_reseal0bound';
    const legacy = 'wh_reseal0legacy';
    await store.execute(create(bound, webhookHeaderAad(bound, 'X-Api-Key', URL)));
    await store.execute(create(legacy, legacyWebhookHeaderAad(legacy, 'X-Api-Key')));

    const report = await resealWebhookSecrets(dataSource, store, bothRing, {
      correlationId: 'test',
    });

    expect(report).toMatchObject({
      activeKeyId: 'k2',
      webhooks: 2,
      resealed: 2,
      values: 4,
      failures: [],
      liveValuesByOldKey: {},
      historicEventsByOldKey: { k1: 2 },
    });
    for (const id of [bound, legacy]) {
      const webhook = await store.get('comp-1', id);
      const [header] = webhook?.headers ?? [];
      if (!webhook?.secret || !header) throw new Error('missing');
      // The new key alone opens them; the header value only for its own origin.
      expect(newRing.open(webhook.secret, webhookSecretAad(id))).toBe(SECRET);
      expect(openWebhookHeader(newRing, id, URL, header)).toBe('header-value');
      expect(() => newRing.open(header.value, legacyWebhookHeaderAad(id, 'X-Api-Key'))).toThrow(
        CryptoError,
      );
      expect(() =>
        openWebhookHeader(newRing, id, 'https://elsewhere.example.com/', header),
      ).toThrow(CryptoError);
      expect(webhook.version).toBe(2);
    }
    const again = await resealWebhookSecrets(dataSource, store, bothRing, { correlationId: 'x' });
    expect(again).toMatchObject({ webhooks: 2, resealed: 0, values: 0 });
  });

  it('reports what it cannot open: those values still need a key the ring lacks', async () => {
    const foreign = parseMasterKeys(generateMasterKey('k0'));
    const id = 'wh_reseal0foreign';
    await store.execute(create(id, webhookHeaderAad(id, 'X-Api-Key', URL), foreign));

    const report = await resealWebhookSecrets(dataSource, store, bothRing, {
      correlationId: 'test',
    });

    expect(report.failures).toEqual([
      expect.objectContaining({ webhookId: id, reason: expect.stringContaining('UNKNOWN_KEY') }),
    ]);
    expect(report.liveValuesByOldKey).toEqual({ k0: 2 });
  });
});
