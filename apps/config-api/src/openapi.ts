import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { methodNotAllowed } from './http/method-not-allowed';
import { describePlatformEndpoints } from './http/platform-endpoints.openapi';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type SchemaObject = Record<string, unknown>;

/**
 * Where an operation's answer leads: the document's links, which clients and the stateful
 * contract run follow with the ids the API returned. `from` is `<METHOD> <path> <status>`, each
 * target an operation on the same resource, with its `id` taken from `id` of the answer.
 */
const ONE_WEBHOOK = [
  'get /v1/webhooks/{id}',
  'patch /v1/webhooks/{id}',
  'delete /v1/webhooks/{id}',
  'post /v1/webhooks/{id}/pause',
  'post /v1/webhooks/{id}/activate',
  'post /v1/webhooks/{id}/recover',
  'post /v1/webhooks/{id}/test',
  'get /v1/webhooks/{id}/stats',
  'post /v1/webhooks/{id}/rotate-secret',
  'get /v1/webhooks/{id}/secret',
] as const;
const ONE_DELIVERY = ['get /v1/deliveries/{id}', 'post /v1/deliveries/{id}/retry'] as const;

const LINKS: ReadonlyArray<{ from: string; id: string; to: readonly string[] }> = [
  { from: 'post /v1/webhooks 201', id: '$response.body#/id', to: ONE_WEBHOOK },
  { from: 'get /v1/webhooks 200', id: '$response.body#/items/0/id', to: ONE_WEBHOOK },
  { from: 'get /v1/deliveries 200', id: '$response.body#/items/0/id', to: ONE_DELIVERY },
  {
    from: 'post /v1/webhooks/{id}/test 200',
    id: '$response.body#/deliveryId',
    to: ONE_DELIVERY,
  },
  {
    from: 'post /v1/api-keys 201',
    id: '$response.body#/id',
    to: ['delete /v1/api-keys/{id}'],
  },
];

/** The OpenAPI document of the app, made to say exactly what the API accepts. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  describePlatformEndpoints();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hookline config API')
      .setDescription(
        'Configure webhooks and API keys. Every request but the event catalog and the health ' +
          'checks carries `Authorization: Bearer <API key>`; errors share one body with the ' +
          'field and rule of each violation. A 400 means the request does not match the ' +
          "operation's schema; a 422 that it does, but breaks a rule the schema cannot state " +
          '(a cross-field rule, a URL, a template, header names, a quota), named in the ' +
          'violation. Methods a path does not have are a 405 with `Allow`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  closeRequestBodies(document);
  addLinks(document);
  return document;
}

/** Serves the OpenAPI document (the UI at /docs, the JSON at /docs-json) and 405s from it. */
export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  // Before the routes: a method the document does not list for a path is a 405, not a 404.
  app.use(methodNotAllowed(document));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * Every request body is a DTO checked with `forbidNonWhitelisted`: a property it does not
 * declare is a 400, so the schema allows none (`additionalProperties: false`).
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  for (const operation of operations(document)) {
    const body = operation.requestBody as { content?: Record<string, { schema?: SchemaObject }> };
    for (const media of Object.values(body?.content ?? {})) {
      const ref = media.schema?.['$ref'];
      const schema =
        typeof ref === 'string' ? schemas[ref.replace('#/components/schemas/', '')] : media.schema;
      if (schema && schema['type'] === 'object') schema['additionalProperties'] = false;
    }
  }
}

function addLinks(document: OpenAPIObject): void {
  for (const { from, id, to } of LINKS) {
    const [method, path, status] = from.split(' ') as [string, string, string];
    const response = operationAt(document, method, path)?.responses[status] as
      { links?: Record<string, unknown> } | undefined;
    if (!response) throw new Error(`OpenAPI links: no ${from}`);
    response.links = Object.fromEntries(
      to.map((target) => {
        const [toMethod, toPath] = target.split(' ') as [string, string];
        const operationId = operationAt(document, toMethod, toPath)?.operationId;
        if (!operationId) throw new Error(`OpenAPI links: no ${target}`);
        return [operationId, { operationId, parameters: { id } }];
      }),
    );
  }
}

function operationAt(document: OpenAPIObject, method: string, path: string): Operation | undefined {
  return (document.paths[path] as Record<string, Operation> | undefined)?.[method];
}

function operations(document: OpenAPIObject): Operation[] {
  return Object.values(document.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([, operation]) => operation as Operation),
  );
}

const HTTP_METHODS: ReadonlySet<string> = new Set([
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
]);
