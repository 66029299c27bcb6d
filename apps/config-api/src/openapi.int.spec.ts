import { getMetadataStorage } from 'class-validator';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
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
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '422',
      '429',
    ]);
    const retry = body.paths['/v1/deliveries/{id}/retry']?.['post'];
    expect(Object.keys(retry?.responses ?? {}).sort()).toEqual([
      '202',
      '401',
      '403',
      '404',
      '409',
      '429',
    ]);
    const test = body.paths['/v1/webhooks/{id}/test']?.['post'];
    expect(Object.keys(test?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '422',
      '429',
      '504',
    ]);
    const exported = body.paths['/v1/deliveries/export']?.['get'] as unknown as {
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(exported.responses['200']?.content ?? {})).toEqual(['text/csv']);
  });

  type Document = {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  const document = async () => (await api.request<Document>('GET', '/docs-json')).body;

  it('says what the validation says: no unknown properties, integer limits, the If-Match form', async () => {
    const doc = await document();
    for (const name of [
      'CreateWebhookRequestDto',
      'UpdateWebhookRequestDto',
      'RotateWebhookSecretRequestDto',
      'RecoverWebhookRequestDto',
      'CreateApiKeyRequestDto',
    ]) {
      expect({ name, closed: doc.components.schemas[name]?.['additionalProperties'] }).toEqual({
        name,
        closed: false,
      });
    }
    const parameter = (path: string, method: string, name: string) =>
      (doc.paths[path]?.[method]?.['parameters'] as Array<{ name: string; schema: unknown }>).find(
        (p) => p.name === name,
      )?.schema;
    expect(parameter('/v1/webhooks', 'get', 'limit')).toMatchObject({ type: 'integer' });
    expect(parameter('/v1/deliveries', 'get', 'limit')).toMatchObject({ type: 'integer' });
    for (const [path, method] of [
      ['/v1/webhooks/{id}', 'delete'],
      ['/v1/webhooks/{id}/pause', 'post'],
    ] as const) {
      expect(parameter(path, method, 'If-Match')).toMatchObject({
        type: 'string',
        pattern: '^(W/)?"?[1-9][0-9]{0,8}"?$',
      });
      expect(Object.keys(doc.paths[path]?.[method]?.['responses'] ?? {})).toContain('400');
    }
    // The export's errors are JSON; only its 200 is CSV.
    const exported = doc.paths['/v1/deliveries/export']?.['get']?.['responses'] as Record<
      string,
      { content?: Record<string, unknown> }
    >;
    expect(Object.keys(exported['400']?.content ?? {})).toEqual(['application/json']);
  });

  it('states every integer, count, bound and length rule of the validation, for bodies and queries', async () => {
    const doc = await document();
    const schemas = doc.components.schemas as Record<
      string,
      { properties?: Record<string, Record<string, unknown>> }
    >;
    // A query DTO's rules go to the operations whose handler takes it (operationId is
    // `<Controller>_<method>`).
    const controllers = new Map(exportedClasses(/\.controller\.ts$/).map((c) => [c.name, c]));
    const queryParameters = new Map<
      unknown,
      Array<{ name: string; schema: Record<string, unknown> }>
    >();
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(
        item as Record<string, { operationId?: string; parameters?: unknown[] }>,
      )) {
        const [controllerName, method] = (operation.operationId ?? '').split('_');
        const controller = controllers.get(controllerName ?? '');
        if (!controller || !method) continue;
        const parameterTypes: unknown[] =
          Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? [];
        const query = (
          (operation.parameters ?? []) as Array<{
            in: string;
            name: string;
            schema: Record<string, unknown>;
          }>
        ).filter((p) => p.in === 'query');
        for (const type of parameterTypes) {
          if (typeof type === 'function') {
            queryParameters.set(type, [...(queryParameters.get(type) ?? []), ...query]);
          }
        }
      }
    }
    const disagreements: string[] = [];
    const checked = new Set<string>();
    for (const dto of exportedClasses(/\.(request|query)\.dto\.ts$/)) {
      const bodySchema = schemas[dto.name]?.properties;
      for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
        const expected = documentedAs(rule.name, rule.constraints);
        if (!expected) continue;
        const targets = bodySchema
          ? [bodySchema[rule.propertyName]]
          : (queryParameters.get(dto) ?? [])
              .filter((p) => p.name === rule.propertyName)
              .map((p) => p.schema);
        for (const target of targets) {
          checked.add(`${dto.name}.${rule.propertyName} ${rule.name}`);
          const [key, value] = expected;
          if (target?.[key] !== value) {
            disagreements.push(
              `${dto.name}.${rule.propertyName}: ${rule.name} wants ${key} ${String(value)}, documented ${String(target?.[key])}`,
            );
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    // The walk saw the rules it is there for (a broken walk would check nothing).
    expect([...checked]).toEqual(
      expect.arrayContaining([
        'GetDeliveryActivityQueryDto.hours isInt',
        'PreviewBodyTemplateRequestDto.events arrayNotEmpty',
        'ListDeliveriesQueryDto.limit isInt',
      ]),
    );
  });

  it('links a created or listed webhook to the operations on it, with its id', async () => {
    const doc = await document();
    const created = doc.paths['/v1/webhooks']?.['post']?.['responses'] as Record<
      string,
      { links?: Record<string, { operationId: string; parameters: Record<string, string> }> }
    >;
    const links = Object.values(created['201']?.links ?? {});
    expect(links).toHaveLength(10);
    expect(links).toContainEqual({
      operationId: 'DeleteWebhookHttpController_delete',
      parameters: { id: '$response.body#/id' },
    });
  });

  /** Any method, TRACE included (fetch refuses to send it). */
  const send = (method: string, path: string) =>
    new Promise<{ status: number; allow: string | undefined; body: string }>((resolve, reject) => {
      const request = httpRequest(`${api.baseUrl}${path}`, { method }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body }),
        );
      });
      request.on('error', reject);
      request.end();
    });

  it('answers a method a path does not have with 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['TRACE', '/v1/webhooks', 'GET, POST'],
      ['PUT', '/v1/webhooks/wh_x', 'GET, DELETE, PATCH'],
      ['POST', '/v1/deliveries/export', 'GET'],
      ['DELETE', '/health', 'GET'],
    ] as const) {
      const response = await send(method, path);
      expect({ path, method, status: response.status, allow: response.allow }).toEqual({
        path,
        method,
        status: 405,
        allow,
      });
      expect(JSON.parse(response.body)).toMatchObject({ error: 'method_not_allowed' });
    }
    // A path the API does not have is still a 404.
    expect((await send('TRACE', '/v1/nothing')).status).toBe(404);
  });

  it('serves the UI at /docs', async () => {
    const response = await fetch(`${api.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });
});

/** The classes exported by the app's files (under src) whose names match. */
function exportedClasses(files: RegExp): Array<new () => object> {
  const found: Array<new () => object> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (files.test(entry.name) && !entry.name.includes('.spec.')) {
        for (const value of Object.values(require(file) as Record<string, unknown>)) {
          if (typeof value === 'function') found.push(value as new () => object);
        }
      }
    }
  };
  walk(__dirname);
  return found;
}

/** What a class-validator rule must read as in the document: the key and value it implies. */
function documentedAs(name: string | undefined, constraints: unknown[]): [string, unknown] | null {
  switch (name) {
    case 'isInt':
      return ['type', 'integer'];
    case 'arrayNotEmpty':
      return ['minItems', 1];
    case 'min':
      return ['minimum', constraints[0]];
    case 'max':
      return ['maximum', constraints[0]];
    case 'maxLength':
      return ['maxLength', constraints[0]];
    case 'arrayMaxSize':
      return ['maxItems', constraints[0]];
    default:
      return null;
  }
}
