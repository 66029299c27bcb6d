import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

type Violation = { field: string; rule: string; message: string };

// A request that does not match its schema is a 400; one that does but breaks a rule of the
// domain (which the schema cannot state) is a 422. Both name the field and the rule.
const SCHEMA_CASES = new Set(['a url that is not a string', 'an unknown field']);

describe('config API validation: every bad field is a 400 or 422 naming the field and the rule', () => {
  let api: ConfigApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start();
    key = await api.key('comp-a', 'integrations');
  });

  afterAll(async () => {
    await api?.stop();
  });

  const create = (body: unknown) =>
    api.request<{ error: string; message: string; violations: Violation[] }>(
      'POST',
      '/v1/webhooks',
      {
        key,
        body,
      },
    );

  const headers = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`X-Custom-${i}`, 'v']));

  it.each<[string, Record<string, unknown>, string, string]>([
    ['an http:// url', { url: 'http://hooks.example.com/x' }, 'url', 'https_required'],
    ['a url that does not parse', { url: 'https://' }, 'url', 'invalid_url'],
    ['a url that is not a url', { url: 'hooks.example.com' }, 'url', 'invalid_url'],
    [
      'a url with a user and password',
      { url: 'https://user:pw@hooks.example.com/x' },
      'url',
      'credentials_not_allowed',
    ],
    [
      'a url over 2048 characters',
      { url: `https://hooks.example.com/${'a'.repeat(2040)}` },
      'url',
      'max_length',
    ],
    [
      'an event outside the catalog',
      { events: ['scan.completed', 'scan.exploded'] },
      'events[1]',
      'not_in_catalog',
    ],
    [
      'a duplicate event',
      { events: ['scan.completed', 'scan.completed'] },
      'events[1]',
      'duplicate',
    ],
    ['no events', { events: [] }, 'events', 'empty'],
    [
      'a status outside the catalog',
      { statusFilter: ['wontfix'] },
      'statusFilter[0]',
      'not_in_catalog',
    ],
    [
      'a status filter without issue.status_changed',
      { events: ['scan.completed'], statusFilter: ['fixed'] },
      'statusFilter',
      'requires_event',
    ],
    [
      'a project id that is not a string',
      { projectIds: ['p1', 42] },
      'projectIds[1]',
      'invalid_type',
    ],
    [
      'a header name that is not a token',
      { headers: { 'Bad Header': 'v' } },
      'headers.Bad Header',
      'invalid_token',
    ],
    [
      'a header value with CR LF',
      { headers: { 'X-Token': 'a\r\nX-Injected: 1' } },
      'headers.X-Token',
      'invalid_characters',
    ],
    [
      'a header value with NUL',
      { headers: { 'X-Token': 'a\u0000b' } },
      'headers.X-Token',
      'invalid_characters',
    ],
    // Values the delivery worker could not send: refused here, not failed on every delivery.
    [
      'a header value with another control character',
      { headers: { 'X-Token': 'a\u0007b' } },
      'headers.X-Token',
      'invalid_characters',
    ],
    [
      'a header value above U+00FF',
      { headers: { 'X-Token': 'snow \u2603' } },
      'headers.X-Token',
      'invalid_characters',
    ],
    [
      'a header value over 4 KB',
      { headers: { 'X-Token': 'v'.repeat(4097) } },
      'headers.X-Token',
      'max_length',
    ],
    ['more than 20 headers', { headers: headers(21) }, 'headers', 'too_many'],
    [
      'Content-Type',
      { headers: { 'Content-Type': 'text/plain' } },
      'headers.Content-Type',
      'forbidden_header',
    ],
    [
      'Content-Length',
      { headers: { 'content-length': '1' } },
      'headers.content-length',
      'forbidden_header',
    ],
    ['Host', { headers: { Host: 'evil.example.com' } }, 'headers.Host', 'forbidden_header'],
    [
      'Transfer-Encoding',
      { headers: { 'Transfer-Encoding': 'chunked' } },
      'headers.Transfer-Encoding',
      'forbidden_header',
    ],
    ['Connection', { headers: { Connection: 'close' } }, 'headers.Connection', 'forbidden_header'],
    ['User-Agent', { headers: { 'User-Agent': 'x' } }, 'headers.User-Agent', 'forbidden_header'],
    [
      'an X-Corgea-* header',
      { headers: { 'X-Corgea-Signature': 'x' } },
      'headers.X-Corgea-Signature',
      'forbidden_header',
    ],
    [
      'a webhook-* header',
      { headers: { 'webhook-signature': 'x' } },
      'headers.webhook-signature',
      'forbidden_header',
    ],
    [
      'a body template that is not JSON',
      { bodyTemplate: '{"text": {{event_type}}' },
      'bodyTemplate',
      'invalid_template',
    ],
    [
      'a body template with an unknown placeholder',
      { bodyTemplate: '{"x": {{secrets}}}' },
      'bodyTemplate',
      'invalid_template',
    ],
    ['an unknown type', { type: 'teams' }, 'type', 'invalid_value'],
    ['a missing name', { name: undefined }, 'name', 'required'],
    ['a missing url', { url: undefined }, 'url', 'required'],
    ['a url that is not a string', { url: 42 }, 'url', 'invalid_type'],
    ['an unknown field', { colour: 'blue' }, 'colour', 'unknown_field'],
    [
      'both secret and generateSecret',
      { secret: 'a-very-long-secret-1234', generateSecret: true },
      'secret',
      'invalid_value',
    ],
    ['a secret that is too short', { secret: 'short' }, 'secret', 'invalid_value'],
  ])('%s', async (name, override, field, rule) => {
    const { status, body } = await create(validWebhook(override));
    expect(status).toBe(SCHEMA_CASES.has(name) ? 400 : 422);
    expect(body.error).toBe('validation_failed');
    expect(body.violations).toContainEqual(expect.objectContaining({ field, rule }));
    expect(body.message).toContain(field);
  });

  it('reports the template error itself', async () => {
    const { body } = await create(validWebhook({ bodyTemplate: '{"text": "{{#each x}}"}' }));
    const violation = body.violations.find((v) => v.field === 'bodyTemplate');
    expect(violation?.message).toMatch(/\S/);
  });

  it('validates an update the same way, and rejects unknown fields there too', async () => {
    const created = await create(validWebhook());
    expect(created.status).toBe(201);
    const id = (created.body as unknown as { id: string }).id;
    const patch = (body: unknown) =>
      api.request<{ violations: Violation[] }>('PATCH', `/v1/webhooks/${id}`, { key, body });

    const http = await patch({ url: 'http://x.example.com' });
    expect(http.status).toBe(422);
    expect(http.body.violations).toContainEqual(
      expect.objectContaining({ field: 'url', rule: 'https_required' }),
    );

    const unknown = await patch({ signingSecret: 'sneaky-secret-value-123' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.violations).toContainEqual(
      expect.objectContaining({ field: 'signingSecret', rule: 'unknown_field' }),
    );

    // A secret may be given again with a URL change (it is checked like one on create).
    const short = await patch({ secret: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.violations).toContainEqual(
      expect.objectContaining({ field: 'secret', rule: 'invalid_value' }),
    );

    const dropping = await patch({ events: ['scan.completed'] });
    expect(dropping.status).toBe(422);
    expect(dropping.body.violations).toContainEqual(
      expect.objectContaining({ field: 'statusFilter', rule: 'requires_event' }),
    );
  });

  it('rejects a bad list query naming the parameter', async () => {
    const limit = await api.request<{ violations: Violation[] }>('GET', '/v1/webhooks?limit=1000', {
      key,
    });
    expect(limit.status).toBe(400);
    expect(limit.body.violations).toContainEqual(expect.objectContaining({ field: 'limit' }));
    const cursor = await api.request<{ violations: Violation[] }>(
      'GET',
      '/v1/webhooks?cursor=garbage',
      { key },
    );
    expect(cursor.status).toBe(422);
    expect(cursor.body.violations).toContainEqual(expect.objectContaining({ field: 'cursor' }));
  });
});
