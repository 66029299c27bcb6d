import type { WebhookConfigRecord } from '@hookline/contracts';
import {
  CryptoError,
  generateMasterKey,
  openWebhookHeader,
  parseMasterKeys,
  webhookSecretAad,
} from '@hookline/shared-crypto';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

const MASTER_KEY = generateMasterKey('k1');
const keyRing = parseMasterKeys(MASTER_KEY);
const TOKEN = 'jira-automation-token-9f8e7d6c5b4a';
const SAVED_FOR = 'https://hooks.example.com/hookline';
const ELSEWHERE = 'https://collector.attacker.example/in';

interface Updated {
  headers: Record<string, string>;
  hasSecret: boolean;
  dropped: { headers: string[]; secret: boolean; reason: string } | null;
  secret?: string;
}

describe('a URL change to another origin never carries the secrets there', () => {
  let api: ConfigApiHarness;
  let integrations: string;
  let admin: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start({ env: { HOOKLINE_MASTER_KEY: MASTER_KEY } });
    integrations = await api.key('comp-a', 'integrations');
    admin = await api.key('comp-a', 'admin');
  });

  afterAll(async () => {
    await api?.stop();
  });

  async function createWebhook(): Promise<string> {
    const created = await api.request<{ id: string }>('POST', '/v1/webhooks', {
      key: integrations,
      body: validWebhook({
        url: SAVED_FOR,
        headers: { 'X-Automation-Webhook-Token': TOKEN },
        generateSecret: true,
      }),
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** The latest `webhooks.config` record the outbox holds: what the worker will send with. */
  async function latestRecord(webhookId: string): Promise<WebhookConfigRecord> {
    const [row]: Array<{ value: string }> = await api.database.query(
      `SELECT value FROM outbox WHERE message_key = $1 AND topic = 'webhooks.config'
        ORDER BY id DESC LIMIT 1`,
      [webhookId],
    );
    if (!row) throw new Error(`no config record of ${webhookId}`);
    return JSON.parse(row.value) as WebhookConfigRecord;
  }

  it('an integrations key moving the URL drops the header values and the secret, and says so', async () => {
    const id = await createWebhook();
    const moved = await api.request<Updated>('PATCH', `/v1/webhooks/${id}`, {
      key: integrations,
      body: { url: ELSEWHERE },
    });

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      url: ELSEWHERE,
      headers: {},
      hasSecret: false,
      dropped: {
        headers: ['X-Automation-Webhook-Token'],
        secret: true,
        reason: 'the url moved to another origin',
      },
    });
    const record = await latestRecord(id);
    expect(record).toMatchObject({ url: ELSEWHERE, headers: [], signingSecret: null });
    expect(record.previousSigningSecret ?? null).toBeNull();
  });

  it('a header value given again in the same request is kept, sealed for the new origin only', async () => {
    const id = await createWebhook();
    const moved = await api.request<Updated>('PATCH', `/v1/webhooks/${id}`, {
      key: integrations,
      body: {
        url: ELSEWHERE,
        headers: { 'X-Automation-Webhook-Token': 'new-token' },
        generateSecret: true,
      },
    });

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ hasSecret: true, dropped: null });
    expect(moved.body.secret).toMatch(/^whsec_/);
    const [header] = (await latestRecord(id)).headers;
    if (!header) throw new Error('header missing');
    expect(openWebhookHeader(keyRing, id, ELSEWHERE, header)).toBe('new-token');
    expect(() => openWebhookHeader(keyRing, id, SAVED_FOR, header)).toThrow(CryptoError);
  });

  it('a path change on the same origin keeps everything', async () => {
    const id = await createWebhook();
    const moved = await api.request<Updated>('PATCH', `/v1/webhooks/${id}`, {
      key: integrations,
      body: { url: 'https://hooks.example.com/elsewhere/on/the/same/host' },
    });

    expect(moved.body).toMatchObject({
      hasSecret: true,
      headers: { 'X-Automation-Webhook-Token': '********' },
      dropped: null,
    });
  });

  it('an admin key (which may reveal them) keeps them: re-sealed for the new origin, never the old', async () => {
    const id = await createWebhook();
    const before = await latestRecord(id);
    const moved = await api.request<Updated>('PATCH', `/v1/webhooks/${id}`, {
      key: admin,
      body: { url: ELSEWHERE },
    });

    expect(moved.body).toMatchObject({ hasSecret: true, dropped: null });
    const record = await latestRecord(id);
    const [header] = record.headers;
    if (!header || !record.signingSecret || !before.signingSecret) throw new Error('missing');
    expect(openWebhookHeader(keyRing, id, ELSEWHERE, header)).toBe(TOKEN);
    expect(() => openWebhookHeader(keyRing, id, SAVED_FOR, header)).toThrow(CryptoError);
    expect(keyRing.open(record.signingSecret, webhookSecretAad(id))).toBe(
      keyRing.open(before.signingSecret, webhookSecretAad(id)),
    );
  });

  it('the header values stored for one origin do not open for another', async () => {
    const id = await createWebhook();
    const [header] = (await latestRecord(id)).headers;
    if (!header) throw new Error('header missing');
    expect(openWebhookHeader(keyRing, id, SAVED_FOR, header)).toBe(TOKEN);
    expect(() => openWebhookHeader(keyRing, id, ELSEWHERE, header)).toThrow(CryptoError);
  });
});
