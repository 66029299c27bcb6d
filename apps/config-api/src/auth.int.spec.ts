import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

describe('config API authentication and tenancy', () => {
  let api: ConfigApiHarness;
  let admin: string;
  let viewer: string;
  let integrations: string;
  let otherCompany: string;
  let webhookId: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start();
    admin = await api.key('comp-a', 'admin');
    viewer = await api.key('comp-a', 'viewer');
    integrations = await api.key('comp-a', 'integrations');
    otherCompany = await api.key('comp-b', 'admin');
    const created = await api.request<{ id: string }>('POST', '/v1/webhooks', {
      key: integrations,
      body: validWebhook(),
    });
    expect(created.status).toBe(201);
    webhookId = created.body.id;
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('answers 401 without a key', async () => {
    const { status, body } = await api.request('GET', '/v1/webhooks');
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'unauthorized' });
  });

  it('answers 401 to a malformed or unknown key', async () => {
    expect((await api.request('GET', '/v1/webhooks', { key: 'not-a-key' })).status).toBe(401);
    expect((await api.request('GET', '/v1/webhooks', { key: `hk_${'A'.repeat(43)}` })).status).toBe(
      401,
    );
  });

  it('answers 401 to a revoked key', async () => {
    const key = await api.key('comp-a', 'viewer');
    expect((await api.request('GET', '/v1/webhooks', { key })).status).toBe(200);
    await api.revoke('comp-a', key);
    expect((await api.request('GET', '/v1/webhooks', { key })).status).toBe(401);
  });

  it('hides another company’s webhook behind a 404, for reads and writes alike', async () => {
    const path = `/v1/webhooks/${webhookId}`;
    expect((await api.request('GET', path, { key: otherCompany })).status).toBe(404);
    expect(
      (await api.request('PATCH', path, { key: otherCompany, body: { name: 'mine now' } })).status,
    ).toBe(404);
    expect((await api.request('POST', `${path}/pause`, { key: otherCompany })).status).toBe(404);
    expect((await api.request('DELETE', path, { key: otherCompany })).status).toBe(404);
    const list = await api.request<{ items: unknown[] }>('GET', '/v1/webhooks', {
      key: otherCompany,
    });
    expect(list.body.items).toEqual([]);
    // Still there for its own company.
    expect((await api.request('GET', path, { key: viewer })).status).toBe(200);
  });

  it('answers 403 when a viewer writes, and lets it read', async () => {
    expect(
      (await api.request('POST', '/v1/webhooks', { key: viewer, body: validWebhook() })).status,
    ).toBe(403);
    expect(
      (
        await api.request('PATCH', `/v1/webhooks/${webhookId}`, {
          key: viewer,
          body: { name: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await api.request('POST', `/v1/webhooks/${webhookId}/pause`, { key: viewer })).status,
    ).toBe(403);
    expect((await api.request('DELETE', `/v1/webhooks/${webhookId}`, { key: viewer })).status).toBe(
      403,
    );
    expect((await api.request('GET', `/v1/webhooks/${webhookId}`, { key: viewer })).status).toBe(
      200,
    );
  });

  it('lets only admins reveal secrets and manage keys', async () => {
    for (const key of [viewer, integrations]) {
      expect((await api.request('GET', `/v1/webhooks/${webhookId}/secret`, { key })).status).toBe(
        403,
      );
      expect((await api.request('GET', '/v1/api-keys', { key })).status).toBe(403);
      expect(
        (await api.request('POST', '/v1/api-keys', { key, body: { name: 'x', role: 'admin' } }))
          .status,
      ).toBe(403);
    }
    expect(
      (await api.request('GET', `/v1/webhooks/${webhookId}/secret`, { key: admin })).status,
    ).toBe(200);
  });

  it('lets an admin create, list and revoke keys of its own company only', async () => {
    const created = await api.request<{ id: string; key: string; role: string }>(
      'POST',
      '/v1/api-keys',
      {
        key: admin,
        body: { name: 'CI deploys', role: 'integrations' },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hk_/);

    const listed = await api.request<Array<Record<string, unknown>>>('GET', '/v1/api-keys', {
      key: admin,
    });
    expect(listed.body.map((k) => k['id'])).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    expect(
      (await api.request('DELETE', `/v1/api-keys/${created.body.id}`, { key: otherCompany }))
        .status,
    ).toBe(404);
    expect((await api.request('GET', '/v1/webhooks', { key: created.body.key })).status).toBe(200);
    expect(
      (await api.request('DELETE', `/v1/api-keys/${created.body.id}`, { key: admin })).status,
    ).toBe(200);
    expect((await api.request('GET', '/v1/webhooks', { key: created.body.key })).status).toBe(401);
  });

  it('rejects an API key request naming the field', async () => {
    const { status, body } = await api.request('POST', '/v1/api-keys', {
      key: admin,
      body: { name: 'x', role: 'owner' },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ violations: [expect.objectContaining({ field: 'role' })] });
  });

  it('serves the event catalog without a key', async () => {
    const { status, body } = await api.request<Array<{ type: string; sample: object }>>(
      'GET',
      '/v1/event-types',
    );
    expect(status).toBe(200);
    expect(body.map((t) => t.type)).toEqual([
      'issue.status_changed',
      'issue.assigned',
      'scan.started',
      'scan.completed',
      'scan.failed',
      'user.login',
      'user.login_failed',
    ]);
  });
});
