import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

type ErrorBody = {
  error: string;
  message: string;
  violations?: Array<{ field: string; rule: string; message: string }>;
};

describe('one company cannot take more than its share: quotas and rate limits', () => {
  let api: ConfigApiHarness;

  beforeAll(async () => {
    api = await ConfigApiHarness.start({
      env: {
        HOOKLINE_QUOTA_WEBHOOKS_PER_COMPANY: '3',
        HOOKLINE_QUOTA_HEADERS_PER_WEBHOOK: '2',
        HOOKLINE_QUOTA_TEMPLATE_BYTES: '256',
        HOOKLINE_QUOTA_RECORD_BYTES: '8192',
        HOOKLINE_RATE_LIMIT_PER_MINUTE: '25',
        HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE: '2',
      },
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  const create = (key: string, overrides: Record<string, unknown> = {}) =>
    api.request<ErrorBody & { id: string }>('POST', '/v1/webhooks', {
      key,
      body: validWebhook(overrides),
    });

  describe('quotas', () => {
    it('a company past its webhook quota gets 422 quota_exceeded; another company does not', async () => {
      const key = await api.key('quota-a', 'integrations');
      for (let i = 0; i < 3; i += 1) expect((await create(key)).status).toBe(201);

      const refused = await create(key);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'quota_exceeded' });
      expect(refused.body.message).toContain('the most allowed is 3');

      const other = await api.key('quota-b', 'integrations');
      expect((await create(other)).status).toBe(201);
    });

    it('a deleted webhook frees its place', async () => {
      const key = await api.key('quota-c', 'integrations');
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push((await create(key)).body.id);
      expect((await create(key)).status).toBe(422);
      expect((await api.request('DELETE', `/v1/webhooks/${ids[0]}`, { key })).status).toBe(204);
      expect((await create(key)).status).toBe(201);
    });

    it('creates at once cannot both take the last place', async () => {
      const key = await api.key('quota-d', 'integrations');
      const results = await Promise.all(Array.from({ length: 6 }, () => create(key)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 422, 422, 422]);
    });

    it('headers and template past their quota are 422s naming the field', async () => {
      const key = await api.key('quota-e', 'integrations');
      const headers = await create(key, { headers: { 'X-A': '1', 'X-B': '2', 'X-C': '3' } });
      expect(headers.status).toBe(422);
      expect(headers.body.violations).toEqual([
        expect.objectContaining({ field: 'headers', rule: 'too_many' }),
      ]);
      const template = await create(key, {
        bodyTemplate: `{"text": "${'x'.repeat(300)}"}`,
      });
      expect(template.status).toBe(422);
      expect(template.body.violations).toEqual([
        expect.objectContaining({ field: 'bodyTemplate', rule: 'max_length' }),
      ]);
    });

    it('successive updates cannot grow one webhook past the record quota', async () => {
      const key = await api.key('quota-f', 'integrations');
      const { id } = (await create(key)).body;
      const projects = (from: number) =>
        Array.from({ length: 20 }, (_, i) => `project-${from + i}-${'p'.repeat(150)}`);
      let projectIds: string[] = [];
      let last = 200;
      for (let round = 0; round < 5 && last === 200; round += 1) {
        projectIds = [...projectIds, ...projects(round * 20)];
        last = (await api.request('PATCH', `/v1/webhooks/${id}`, { key, body: { projectIds } }))
          .status;
      }
      const refused = await api.request<ErrorBody>('PATCH', `/v1/webhooks/${id}`, {
        key,
        body: { projectIds },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.violations).toEqual([
        expect.objectContaining({ field: 'webhook', rule: 'too_large' }),
      ]);
      const stored = await api.request<{ projectIds: string[] }>('GET', `/v1/webhooks/${id}`, {
        key,
      });
      expect(stored.body.projectIds.length).toBeLessThan(projectIds.length);
    });
  });

  describe('rate limits per API key', () => {
    it('the costly routes have their own stricter budget: 429 with Retry-After past it', async () => {
      const key = await api.key('rate-a', 'integrations');
      const retry = () =>
        fetch(`${api.baseUrl}/v1/deliveries/dlv_00000000-0000-4000-8000-000000000000/retry`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
        });
      expect((await retry()).status).toBe(404);
      expect((await retry()).status).toBe(404);
      const limited = await retry();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await limited.json()).toMatchObject({
        statusCode: 429,
        error: 'rate_limited',
        message: expect.stringContaining('2 test, retry, recover and export requests per minute'),
      });

      // The rest of the API still answers that key, and the company's other keys are untouched.
      expect((await api.request('GET', '/v1/webhooks', { key })).status).toBe(200);
      const export1 = await api.request('GET', '/v1/deliveries/export', { key });
      expect(export1.status).toBe(429);
      const other = await api.key('rate-a', 'integrations');
      const export2 = await fetch(`${api.baseUrl}/v1/deliveries/export`, {
        headers: { authorization: `Bearer ${other}` },
      });
      expect(export2.status).toBe(200);
      await export2.text();
    });

    it('every route shares the default budget of the key', async () => {
      const key = await api.key('rate-b', 'viewer');
      const statuses: number[] = [];
      for (let i = 0; i < 26; i += 1) {
        statuses.push((await api.request('GET', '/v1/webhooks', { key })).status);
      }
      expect(statuses.slice(0, 25).every((s) => s === 200)).toBe(true);
      expect(statuses[25]).toBe(429);
      const other = await api.key('rate-b', 'viewer');
      expect((await api.request('GET', '/v1/webhooks', { key: other })).status).toBe(200);
    });
  });
});
