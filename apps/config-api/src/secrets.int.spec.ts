import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

const SIGNING_SECRET = 'my-own-signing-secret-0123456789';
const HEADER_VALUE = 'jira-automation-token-9f8e7d6c5b4a';
const NEW_HEADER_VALUE = 'rotated-header-value-a1b2c3d4e5';

describe('config API secrets at rest and in transit', () => {
  let api: ConfigApiHarness;
  let admin: string;
  let webhookId: string;
  let rejected: { status: number; body: unknown };

  beforeAll(async () => {
    api = await ConfigApiHarness.start();
    admin = await api.key('comp-a', 'admin');
    const created = await api.request<{ id: string; secret: string }>('POST', '/v1/webhooks', {
      key: admin,
      body: validWebhook({ secret: SIGNING_SECRET, headers: { 'X-Api-Key': HEADER_VALUE } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(SIGNING_SECRET);
    webhookId = created.body.id;
    await api.request('PATCH', `/v1/webhooks/${webhookId}`, {
      key: admin,
      body: { headers: { 'X-Api-Key': NEW_HEADER_VALUE } },
    });
    // A failing request too: errors must not echo values either.
    rejected = await api.request('PATCH', `/v1/webhooks/${webhookId}`, {
      key: admin,
      body: { headers: { 'X-Api-Key': `${HEADER_VALUE}\r\n` } },
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  const values = [SIGNING_SECRET, HEADER_VALUE, NEW_HEADER_VALUE];

  it('never returns a secret or a header value from reads and lists', async () => {
    const list = await api.request('GET', '/v1/webhooks', { key: admin });
    const one = await api.request('GET', `/v1/webhooks/${webhookId}`, { key: admin });
    expect(one.body).toMatchObject({ hasSecret: true, headers: { 'X-Api-Key': '********' } });
    for (const value of values) {
      expect(JSON.stringify(list.body)).not.toContain(value);
      expect(JSON.stringify(one.body)).not.toContain(value);
    }
  });

  it('never echoes a header value in an error', () => {
    expect(rejected.status).toBe(422);
    expect(JSON.stringify(rejected.body)).toContain('headers.X-Api-Key');
    expect(JSON.stringify(rejected.body)).not.toContain(HEADER_VALUE);
  });

  it('never writes a secret, a header value or an API key to the logs', async () => {
    const logs = api.logs.join('');
    expect(logs).toContain('"url":"/v1/webhooks"'); // the request lines are there
    for (const value of [...values, admin]) expect(logs).not.toContain(value);
  });

  it('stores secrets and header values encrypted, never in plaintext', async () => {
    const dump = async (table: string) =>
      JSON.stringify(await api.database.query(`SELECT * FROM ${table}`));
    for (const table of ['webhook_events', 'webhooks', 'outbox', 'api_keys']) {
      const rows = await dump(table);
      for (const value of [...values, admin]) expect(rows).not.toContain(value);
    }
    // Base64 of the values would be a plaintext in disguise.
    const events = await dump('webhook_events');
    for (const value of values) {
      expect(events).not.toContain(Buffer.from(value).toString('base64').slice(0, 20));
    }
    expect(events).toContain('"alg":"A256GCM"');
  });

  it('reveals the secret in clear to an admin, from the encrypted copy', async () => {
    const { status, body } = await api.request('GET', `/v1/webhooks/${webhookId}/secret`, {
      key: admin,
    });
    expect(status).toBe(200);
    expect(body).toEqual({ secret: SIGNING_SECRET, previousSecret: null });
  });
});
