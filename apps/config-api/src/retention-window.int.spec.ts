import { uniqueName } from '@hookline/shared-testing';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';
import { DeliverySeeder, SUCCEEDED } from './testing/delivery-seeder';

const DAY_MS = 86_400_000;

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
  retention: { days: number; since: string };
}

describe('history, export and stats within the retention window (HOOKLINE_RETENTION_DAYS)', () => {
  let api: ConfigApiHarness;
  let key: string;
  let webhookId: string;
  let recent: string;
  let expired: string;
  const company = `comp-${uniqueName('retention')}`;

  beforeAll(async () => {
    // The default window: 90 days.
    api = await ConfigApiHarness.start();
    key = await api.key(company, 'integrations');
    const { body } = await api.request<{ id: string }>('POST', '/v1/webhooks', {
      key,
      body: validWebhook({
        name: 'kept',
        events: ['scan.completed'],
        statusFilter: [],
        projectIds: [],
      }),
    });
    webhookId = body.id;
    const seeder = new DeliverySeeder(api.database);
    const webhook = { id: webhookId, company };
    recent = await seeder.seed(DeliverySeeder.request(webhook), [SUCCEEDED], {
      at: new Date(Date.now() - 10 * DAY_MS),
    });
    // Older than the window, in a week not dropped yet: the API no longer shows it.
    expired = await seeder.seed(DeliverySeeder.request(webhook), [SUCCEEDED], {
      at: new Date(Date.now() - 100 * DAY_MS),
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('lists only deliveries inside the window, and says what the window is', async () => {
    const { status, body } = await api.request<Page>(
      'GET',
      `/v1/deliveries?webhookId=${webhookId}`,
      {
        key,
      },
    );
    expect(status).toBe(200);
    expect(body.items.map((i) => i.id)).toEqual([recent]);
    expect(body.retention.days).toBe(90);
    expect(Math.abs(Date.parse(body.retention.since) - (Date.now() - 90 * DAY_MS))).toBeLessThan(
      60_000,
    );
    // A from before the window is answered from the window's start.
    const early = new Date(Date.now() - 200 * DAY_MS).toISOString();
    const wide = await api.request<Page>(
      'GET',
      `/v1/deliveries?webhookId=${webhookId}&from=${early}`,
      {
        key,
      },
    );
    expect(wide.body.items.map((i) => i.id)).toEqual([recent]);
    expect(expired).not.toBe(recent);
  });

  it('refuses a range that ends before the window with a 422 naming to', async () => {
    const to = new Date(Date.now() - 95 * DAY_MS).toISOString();
    for (const path of [`/v1/deliveries?to=${to}`, `/v1/deliveries/export?to=${to}`]) {
      const { status, body } = await api.request<{
        violations: Array<{ field: string; rule: string; message: string }>;
      }>('GET', path, { key });
      expect(status).toBe(422);
      expect(body.violations).toEqual([
        expect.objectContaining({
          field: 'to',
          rule: 'out_of_range',
          message: expect.stringContaining('kept 90 days (HOOKLINE_RETENTION_DAYS)'),
        }),
      ]);
    }
  });

  it('exports only deliveries inside the window, with the window in headers', async () => {
    const early = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const response = await fetch(
      `${api.baseUrl}/v1/deliveries/export?webhookId=${webhookId}&from=${early}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('hookline-retention-days')).toBe('90');
    expect(Date.parse(response.headers.get('hookline-retention-since') ?? '')).toBeGreaterThan(
      Date.now() - 91 * DAY_MS,
    );
    const csv = await response.text();
    expect(csv).toContain(recent);
    expect(csv).not.toContain(expired);
    // The export's own 31-day range ends today: a range reaching into the expired days is cut
    // at the window's start.
    const old = await fetch(
      `${api.baseUrl}/v1/deliveries/export?webhookId=${webhookId}&from=${new Date(Date.now() - 105 * DAY_MS).toISOString()}&to=${new Date(Date.now() - 80 * DAY_MS).toISOString()}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    expect(old.status).toBe(200);
    expect(await old.text()).not.toContain(expired);
  });

  it('gives the window with the stats: delivery counts cover it', async () => {
    const { status, body } = await api.request<{ retention: { days: number } }>(
      'GET',
      `/v1/webhooks/${webhookId}/stats`,
      { key },
    );
    expect(status).toBe(200);
    expect(body.retention.days).toBe(90);
  });

  it('documents the window in the OpenAPI document', async () => {
    const response = await fetch(`${api.baseUrl}/docs-json`);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const { schemas } = document.components;
    expect(schemas['RetentionWindowResponse']?.properties).toHaveProperty('since');
    expect(schemas['DeliveryPageResponse']?.properties).toHaveProperty('retention');
    expect(schemas['WebhookStatsWithRetentionResponse']?.properties).toHaveProperty('retention');
    expect(
      document.paths['/v1/deliveries/export']?.['get']?.responses['200']?.headers,
    ).toHaveProperty('Hookline-Retention-Days');
  });
});
