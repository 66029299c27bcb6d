import { randomUUID } from 'node:crypto';
import { uniqueName } from '@hookline/shared-testing';
import { DeliverySeeder, FAILED, ONE_SHOT, SUCCEEDED } from './testing/delivery-seeder';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

interface Summary {
  id: string;
  webhookId: string;
  eventType: string;
  status: string;
  attemptCount: number;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
interface Violations {
  error: string;
  violations: Array<{ field: string; rule: string }>;
}

const T0 = Date.parse('2026-02-01T10:00:00.000Z');
const minute = (n: number) => new Date(T0 + n * 60_000);

describe('delivery history, detail, CSV export and stats, read from the delivery log', () => {
  let api: ConfigApiHarness;
  let seeder: DeliverySeeder;
  const company = `comp-${uniqueName('hist')}`;
  const otherCompany = `comp-${uniqueName('other')}`;
  let key: string;
  let viewer: string;
  let otherKey: string;
  let whA: { id: string; company: string };
  let whB: { id: string; company: string };
  let whOther: { id: string; company: string };
  /** Delivery ids by name, seeded at minute(n). */
  const d: Record<string, string> = {};

  const get = <T = Page>(path: string, as = key) => api.request<T>('GET', path, { key: as });
  const ids = (page: { items: Summary[] }) => page.items.map((i) => i.id);

  async function createWebhook(apiKey: string, owner: string, name: string) {
    const { body } = await api.request<{ id: string }>('POST', '/v1/webhooks', {
      key: apiKey,
      body: validWebhook({
        name,
        events: ['scan.completed', 'issue.status_changed'],
        statusFilter: [],
        projectIds: [],
      }),
    });
    return { id: body.id, company: owner };
  }

  beforeAll(async () => {
    // The deliveries here were made in February: kept by a long window (retention-window.int.spec
    // holds the API to the default one).
    api = await ConfigApiHarness.start({ env: { HOOKLINE_RETENTION_DAYS: '3650' } });
    seeder = new DeliverySeeder(api.database);
    key = await api.key(company, 'integrations');
    viewer = await api.key(company, 'viewer');
    otherKey = await api.key(otherCompany, 'admin');
    whA = await createWebhook(key, company, 'A');
    whB = await createWebhook(key, company, 'B');
    whOther = await createWebhook(otherKey, otherCompany, 'other');

    const request = DeliverySeeder.request;
    d['delivered'] = await seeder.seed(request(whA), [SUCCEEDED], { at: minute(1) });
    d['failed'] = await seeder.seed(request(whA, 'issue.status_changed'), [FAILED], {
      at: minute(2),
      policy: ONE_SHOT,
      // What a hostile endpoint or URL could put in a cell a spreadsheet opens.
      details: { url: '=HYPERLINK("http://evil.example")' },
    });
    d['skipped'] = await seeder.seed(request(whB, 'scan.completed', { held: true }), [], {
      at: minute(3),
    });
    d['other'] = await seeder.seed(request(whOther), [SUCCEEDED], { at: minute(3) });
    d['pending'] = await seeder.seed(request(whA), [], { at: minute(4) });
    d['retrying'] = await seeder.seed(request(whB), [FAILED], { at: minute(5) });
    d['retried'] = await seeder.seed(request(whA), [FAILED, SUCCEEDED], {
      at: minute(6),
      details: { requestHeaders: { 'X-Automation-Webhook-Token': '********' } },
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('lists the company’s deliveries newest first, and none of another company', async () => {
    const { status, body } = await get('/v1/deliveries');
    expect(status).toBe(200);
    expect(ids(body)).toEqual([
      d['retried'],
      d['retrying'],
      d['pending'],
      d['skipped'],
      d['failed'],
      d['delivered'],
    ]);
    expect(body.nextCursor).toBeNull();
    expect(body.items[0]).toMatchObject({
      webhookId: whA.id,
      eventType: 'scan.completed',
      status: 'delivered',
      attemptCount: 2,
      test: false,
    });
    expect(ids((await get('/v1/deliveries', otherKey)).body)).toEqual([d['other']]);
    expect((await get('/v1/deliveries', viewer)).status).toBe(200);
  });

  it.each([
    ['webhookId', () => `webhookId=${whB.id}`, () => [d['retrying'], d['skipped']]],
    ['eventType', () => 'eventType=issue.status_changed', () => [d['failed']]],
    [
      'status=pending (retries waiting included)',
      () => 'status=pending',
      () => [d['retrying'], d['pending']],
    ],
    ['status=delivered', () => 'status=delivered', () => [d['retried'], d['delivered']]],
    ['status=failed', () => 'status=failed', () => [d['failed']]],
    ['status=skipped', () => 'status=skipped', () => [d['skipped']]],
    [
      'from (inclusive) and to (exclusive)',
      () => `from=${minute(2).toISOString()}&to=${minute(5).toISOString()}`,
      () => [d['pending'], d['skipped'], d['failed']],
    ],
    ['from alone', () => `from=${minute(5).toISOString()}`, () => [d['retried'], d['retrying']]],
    ['to alone', () => `to=${minute(2).toISOString()}`, () => [d['delivered']]],
    [
      'filters together',
      () => `webhookId=${whA.id}&status=delivered&from=${minute(2).toISOString()}`,
      () => [d['retried']],
    ],
    ['another company’s webhook', () => `webhookId=${whOther.id}`, () => []],
  ])('filters the history by %s', async (_name, query, expected) => {
    const { status, body } = await get(`/v1/deliveries?${query()}`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual(expected());
  });

  it.each([
    ['status=bogus', 'status', 'invalid_value'],
    ['eventType=scan.exploded', 'eventType', 'invalid_value'],
    ['from=yesterday', 'from', 'invalid_type'],
    ['to=2026-02-30T00:00:00Z', 'to', 'invalid_type'],
    // Rules the schema cannot state (to after from, a cursor a page returned) are 422s.
    ['from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z', 'to', 'out_of_range', 422],
    ['limit=0', 'limit', 'out_of_range'],
    ['limit=201', 'limit', 'out_of_range'],
    ['limit=ten', 'limit', 'invalid_type'],
    ['cursor=not-a-cursor', 'cursor', 'invalid_value', 422],
    ['colour=red', 'colour', 'unknown_field'],
  ])('answers %s with a 4xx naming the field', async (query, field, rule, expected = 400) => {
    for (const path of ['/v1/deliveries', '/v1/deliveries/export']) {
      if (path.endsWith('export') && /^(limit|cursor)=/.test(query)) continue;
      const { status, body } = await get<Violations>(`${path}?${query}`);
      expect({ path, status }).toEqual({ path, status: expected });
      expect(body.error).toBe('validation_failed');
      expect(body.violations).toContainEqual(expect.objectContaining({ field, rule }));
    }
  });

  it('pages with a cursor without gaps or repeats while new deliveries arrive', async () => {
    const owner = `comp-${uniqueName('pages')}`;
    const ownKey = await api.key(owner, 'viewer');
    const webhook = { id: `wh_${randomUUID().replace(/-/g, '')}`, company: owner };
    const seeded: string[] = [];
    for (let i = 0; i < 7; i++) {
      seeded.unshift(await seeder.seed(DeliverySeeder.request(webhook), [SUCCEEDED]));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=3&cursor=${encodeURIComponent(cursor)}` : 'limit=3';
      const { status, body } = await get(`/v1/deliveries?${query}`, ownKey);
      expect(status).toBe(200);
      seen.push(...ids(body));
      cursor = body.nextCursor;
      pages++;
      // Newer deliveries keep arriving between pages; they are on a fresh first page only.
      await seeder.seed(DeliverySeeder.request(webhook), []);
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(seeded);
    const first = await get(`/v1/deliveries?limit=3`, ownKey);
    expect(ids(first.body)).not.toContain(seeded[0]);
    expect(first.body.items).toHaveLength(3);
  });

  it('shows one delivery with every attempt, oldest first, and the request as accepted', async () => {
    const { status, body } = await get<Record<string, unknown>>(`/v1/deliveries/${d['retried']}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: d['retried'],
      webhookId: whA.id,
      status: 'delivered',
      attemptCount: 2,
      attempts: [
        {
          attempt: 1,
          trigger: 'first',
          url: 'https://hooks.example.com/hookline',
          requestHeaders: { 'X-Automation-Webhook-Token': '********' },
          statusCode: 500,
          failureClass: 'http_5xx',
          error: 'http_5xx: HTTP 500',
          durationMs: 12,
        },
        { attempt: 2, trigger: 'retry', statusCode: 200, failureClass: null, error: null },
      ],
      request: { deliveryId: d['retried'], webhookId: whA.id, trigger: 'first' },
    });
    expect((await get(`/v1/deliveries/${d['retried']}`, viewer)).status).toBe(200);
  });

  it('answers 404 for an unknown delivery and for another company’s', async () => {
    expect((await get('/v1/deliveries/dlv_unknown')).status).toBe(404);
    const theirs = await get<{ error: string }>(`/v1/deliveries/${d['other']}`);
    expect(theirs).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await get(`/v1/deliveries/${d['delivered']}`, otherKey)).status).toBe(404);
  });

  // An export covers a bounded window (the last 31 days by default): the seed's, unless given.
  const SEED_WINDOW = `from=${minute(-60).toISOString()}&to=${minute(60).toISOString()}`;

  async function exportCsv(query = '', as = key) {
    const window = query.includes('from=') ? '' : `${query ? '&' : ''}${SEED_WINDOW}`;
    const response = await fetch(`${api.baseUrl}/v1/deliveries/export?${query}${window}`, {
      headers: { authorization: `Bearer ${as}` },
    });
    return { response, text: await response.text() };
  }

  it('exports one CSV row per attempt, newest delivery first, with formulas neutralised', async () => {
    const { response, text } = await exportCsv(`webhookId=${whA.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="deliveries-.+\.csv"$/,
    );
    const at = (n: number, s: number) => new Date(minute(n).getTime() + s * 1000).toISOString();
    const [retried, failed, delivered] = [d['retried'], d['failed'], d['delivered']];
    const url = 'https://hooks.example.com/hookline';
    expect(text.split('\r\n')).toEqual([
      'deliveryId,webhookId,eventId,eventType,attempt,trigger,at,url,statusCode,outcome,failureClass,error,durationMs',
      expect.stringMatching(
        new RegExp(
          `^${retried},${whA.id},[0-9a-f-]{36},scan.completed,1,first,${at(6, 1)},${url},500,failed,http_5xx,http_5xx: HTTP 500,12$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^${retried},${whA.id},[0-9a-f-]{36},scan.completed,2,retry,${at(6, 2)},${url},200,succeeded,,,8$`,
        ),
      ),
      // The pending delivery has no attempt, so no row; the hostile URL is text, not a formula.
      `${failed},${whA.id},${await eventIdOf(failed)},issue.status_changed,1,first,${at(2, 1)},"'=HYPERLINK(""http://evil.example"")",500,failed,http_5xx,http_5xx: HTTP 500,12`,
      `${delivered},${whA.id},${await eventIdOf(delivered)},scan.completed,1,first,${at(1, 1)},${url},200,succeeded,,,8`,
      '',
    ]);
  });

  async function eventIdOf(deliveryId: string | undefined): Promise<string> {
    const { body } = await get<{ eventId: string }>(`/v1/deliveries/${deliveryId}`);
    return body.eventId;
  }

  it.each([
    ['webhookId', () => `webhookId=${whB.id}`],
    ['eventType', () => 'eventType=issue.status_changed'],
    ['status', () => 'status=delivered'],
    ['status pending', () => 'status=pending'],
    ['from and to', () => `from=${minute(2).toISOString()}&to=${minute(6).toISOString()}`],
    ['nothing', () => ''],
  ])('exports exactly the deliveries the history lists for the same %s filter', async (_n, q) => {
    const listed = (await get(`/v1/deliveries?${q()}`)).body.items.filter(
      (i) => i.attemptCount > 0,
    );
    const { text } = await exportCsv(q());
    const rows = text.split('\r\n').slice(1, -1);
    expect([...new Set(rows.map((r) => r.split(',')[0]))]).toEqual(listed.map((i) => i.id));
    expect(rows).toHaveLength(listed.reduce((n, i) => n + i.attemptCount, 0));
  });

  it('exports none of another company’s attempts', async () => {
    const { text } = await exportCsv('', otherKey);
    expect(
      text
        .split('\r\n')
        .slice(1, -1)
        .map((r) => r.split(',')[0]),
    ).toEqual([d['other']]);
    const theirs = await exportCsv(`webhookId=${whA.id}`, otherKey);
    expect(theirs.text.split('\r\n')).toEqual([expect.stringMatching(/^deliveryId,/), '']);
  });

  it('gives a webhook’s stats, and adds them to the list on request', async () => {
    const a = await get<Record<string, unknown>>(`/v1/webhooks/${whA.id}/stats`, viewer);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      webhookId: whA.id,
      totalCalls: 4,
      successfulCalls: 2,
      failedCalls: 2,
      consecutiveFailures: 0,
      lastTriggeredAt: new Date(minute(6).getTime() + 2000).toISOString(),
      totalDeliveries: 4,
      successfulDeliveries: 2,
      failedDeliveries: 1,
      successRate: 2 / 3,
      retention: { days: 3650, since: expect.any(String) },
    });
    const b = await get<Record<string, unknown>>(`/v1/webhooks/${whB.id}/stats`);
    expect(b.body).toMatchObject({
      totalCalls: 1,
      failedCalls: 1,
      consecutiveFailures: 1,
      successfulDeliveries: 0,
      failedDeliveries: 0,
      successRate: null,
    });

    type Listed = { items: Array<{ id: string; stats?: unknown }> };
    const plain = await get<Listed>('/v1/webhooks');
    expect(plain.body.items.every((w) => !('stats' in w))).toBe(true);
    const withStats = await get<Listed>('/v1/webhooks?includeStats=true');
    expect(withStats.status).toBe(200);
    // The same numbers as the stats endpoint, which adds the retention window.
    const numbers = ({ retention: _window, ...rest }: Record<string, unknown>) => rest;
    expect(Object.fromEntries(withStats.body.items.map((w) => [w.id, w.stats]))).toEqual({
      [whA.id]: numbers(a.body),
      [whB.id]: numbers(b.body),
    });
    const bad = await get<Violations>('/v1/webhooks?includeStats=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.violations).toContainEqual(expect.objectContaining({ field: 'includeStats' }));
  });

  it('answers 404 for another company’s webhook stats and lists only its own with stats', async () => {
    expect((await get(`/v1/webhooks/${whA.id}/stats`, otherKey)).status).toBe(404);
    expect((await get(`/v1/webhooks/wh_unknown/stats`)).status).toBe(404);
    const theirs = await get<{ items: Array<{ id: string; stats: { totalCalls: number } }> }>(
      '/v1/webhooks?includeStats=true',
      otherKey,
    );
    expect(theirs.body.items.map((w) => [w.id, w.stats.totalCalls])).toEqual([[whOther.id, 1]]);
  });

  it('counts deliveries per webhook and hour over the last hours, without tests', async () => {
    const whC = await createWebhook(key, company, 'C');
    const now = new Date();
    const request = DeliverySeeder.request;
    await seeder.seed(request(whC), [SUCCEEDED], { at: now });
    await seeder.seed(request(whC), [SUCCEEDED], { at: now });
    await seeder.seed(request(whC, 'issue.status_changed'), [FAILED], {
      at: now,
      policy: ONE_SHOT,
    });
    await seeder.seed(request(whC, 'scan.completed', { held: true }), [], { at: now });

    type Activity = {
      from: string;
      to: string;
      items: Array<{ webhookId: string; start: string } & Record<string, unknown>>;
    };
    const { status, body } = await get<Activity>(
      `/v1/deliveries/activity?hours=2&webhookId=${whC.id}`,
      viewer,
    );
    expect(status).toBe(200);
    const hour = new Date(now);
    hour.setUTCMinutes(0, 0, 0);
    expect(body.items).toEqual([
      {
        webhookId: whC.id,
        start: hour.toISOString(),
        delivered: 2,
        failed: 1,
        pending: 0,
        skipped: 1,
      },
    ]);
    expect(Date.parse(body.from)).toBe(hour.getTime() - 3_600_000);
    // Seeded in February: outside any window that ends now.
    const all = await get<Activity>('/v1/deliveries/activity');
    expect(all.body.items.map((i) => i.webhookId)).toEqual([whC.id]);
    expect((await get<Activity>('/v1/deliveries/activity', otherKey)).body.items).toEqual([]);

    const bad = await get<Violations>('/v1/deliveries/activity?hours=0');
    expect(bad.status).toBe(400);
    expect(bad.body.violations).toContainEqual(expect.objectContaining({ field: 'hours' }));
    expect((await get<Violations>('/v1/deliveries/activity?hours=169')).status).toBe(400);
  });
});
