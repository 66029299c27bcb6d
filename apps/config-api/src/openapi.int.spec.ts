import { ConfigApiHarness } from './testing/config-api.harness';

describe('config API OpenAPI document', () => {
  let api: ConfigApiHarness;

  beforeAll(async () => {
    api = await ConfigApiHarness.start();
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('is served at /docs-json and lists every endpoint with its error responses', async () => {
    const { status, body } = await api.request<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('GET', '/docs-json');
    expect(status).toBe(200);
    const operations = Object.entries(body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /health',
        'GET /ready',
        'GET /metrics',
        'GET /v1/event-types',
        'POST /v1/webhooks',
        'POST /v1/webhooks/preview-body',
        'GET /v1/webhooks',
        'GET /v1/webhooks/{id}',
        'PATCH /v1/webhooks/{id}',
        'DELETE /v1/webhooks/{id}',
        'POST /v1/webhooks/{id}/pause',
        'POST /v1/webhooks/{id}/activate',
        'POST /v1/webhooks/{id}/rotate-secret',
        'GET /v1/webhooks/{id}/secret',
        'GET /v1/webhooks/{id}/stats',
        'POST /v1/webhooks/{id}/test',
        'POST /v1/webhooks/{id}/recover',
        'GET /v1/deliveries',
        'GET /v1/deliveries/export',
        'GET /v1/deliveries/activity',
        'GET /v1/deliveries/{id}',
        'POST /v1/deliveries/{id}/retry',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{id}',
        'GET /v1/me',
      ].sort(),
    );
    const create = body.paths['/v1/webhooks']?.['post'];
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual(['201', '400', '401', '403']);
    const retry = body.paths['/v1/deliveries/{id}/retry']?.['post'];
    expect(Object.keys(retry?.responses ?? {}).sort()).toEqual(['202', '401', '403', '404', '409']);
    const test = body.paths['/v1/webhooks/{id}/test']?.['post'];
    expect(Object.keys(test?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '504',
    ]);
    const exported = body.paths['/v1/deliveries/export']?.['get'] as unknown as {
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(exported.responses['200']?.content ?? {})).toEqual(['text/csv']);
  });

  it('serves the UI at /docs', async () => {
    const response = await fetch(`${api.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });
});
