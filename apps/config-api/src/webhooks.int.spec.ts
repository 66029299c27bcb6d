import { KAFKA_TOPICS, parseWebhookConfigRecord } from '@hookline/contracts';
import { createKafka } from '@hookline/shared-kafka';
import { integrationEnv, uniqueName } from '@hookline/shared-testing';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';

type WebhookBody = Record<string, unknown> & { id: string; version: number; status: string };

describe('config API webhooks end to end, with the outbox relay publishing webhooks.config', () => {
  let api: ConfigApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start({ relay: true });
    key = await api.key('comp-a', 'integrations');
  });

  afterAll(async () => {
    await api?.stop();
  });

  /** Every webhooks.config record of one webhook, read from the start of the topic. */
  async function configRecords(webhookId: string, count: number) {
    const kafka = createKafka({
      brokers: integrationEnv().kafkaBrokers,
      clientId: 'config-api-spec',
    });
    const consumer = kafka.consumer({
      groupId: uniqueName('config-api-spec'),
      maxWaitTimeInMs: 100,
    });
    const records: Array<Record<string, unknown> | null> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: KAFKA_TOPICS.webhooksConfig, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${records.length} of ${count}`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (String(message.key) !== webhookId) return;
            if (message.value === null) records.push(null);
            else {
              const parsed = parseWebhookConfigRecord(message.value);
              if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
              records.push(parsed.value as unknown as Record<string, unknown>);
            }
            if (records.length === count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return records;
  }

  it('creates, updates, pauses, activates, rotates and deletes, each reaching webhooks.config', async () => {
    const created = await api.request<WebhookBody>('POST', '/v1/webhooks', {
      key,
      body: validWebhook({ generateSecret: true }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      status: 'active',
      hasSecret: true,
      version: 1,
      headers: { 'X-Automation-Webhook-Token': '********' },
      secret: expect.stringMatching(/^whsec_/),
    });
    const id = created.body.id;
    const path = `/v1/webhooks/${id}`;

    const updated = await api.request<WebhookBody>('PATCH', path, {
      key,
      body: { name: 'Renamed', projectIds: [] },
    });
    expect(updated.body).toMatchObject({ name: 'Renamed', projectIds: [], version: 2 });
    expect(updated.body).not.toHaveProperty('secret');

    const paused = await api.request<WebhookBody>('POST', `${path}/pause`, { key });
    expect(paused.body).toMatchObject({
      status: 'paused',
      pausedReason: 'manual',
      pausedAt: expect.any(String),
    });

    const activated = await api.request<WebhookBody>('POST', `${path}/activate`, { key });
    expect(activated.body).toMatchObject({ status: 'active', pausedReason: null, version: 4 });

    const admin = await api.key('comp-a', 'admin');
    const rotated = await api.request<WebhookBody & { secret: string }>(
      'POST',
      `${path}/rotate-secret`,
      {
        key: admin,
        body: {},
      },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body['secret']);
    const revealed = await api.request<{
      secret: string;
      previousSecret: { secret: string } | null;
    }>('GET', `${path}/secret`, { key: admin });
    expect(revealed.body.secret).toBe(rotated.body.secret);
    expect(revealed.body.previousSecret?.secret).toBe(created.body['secret']);

    expect((await api.request('DELETE', path, { key })).status).toBe(204);
    expect((await api.request('GET', path, { key })).status).toBe(404);

    const records = await configRecords(id, 6);
    expect(records.map((r) => r && [r['name'], r['status'], r['version']])).toEqual([
      ['Production scan alerts', 'active', 1],
      ['Renamed', 'active', 2],
      ['Renamed', 'paused', 3],
      ['Renamed', 'active', 4],
      ['Renamed', 'active', 5],
      null,
    ]);
    // During the grace period the worker gets both secrets, sealed.
    expect(records[4]?.['previousSigningSecret']).toMatchObject({
      value: { alg: 'A256GCM' },
      validUntil: expect.any(String),
    });
    expect(records[3]?.['previousSigningSecret']).toBeNull();
  });

  it('answers exactly one of two concurrent updates of the same version with 409', async () => {
    const created = await api.request<WebhookBody>('POST', '/v1/webhooks', {
      key,
      body: validWebhook(),
    });
    const path = `/v1/webhooks/${created.body.id}`;
    // Both writers read version 1; whichever commits second must not overwrite the first.
    const results = await Promise.all(
      Array.from({ length: 2 }, (_, i) =>
        api.request('PATCH', path, {
          key,
          body: { name: `writer ${i}` },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body).toMatchObject({ error: 'conflict' });
    const winner = results.find((r) => r.status === 200)?.body as WebhookBody;
    expect((await api.request<WebhookBody>('GET', path, { key })).body).toMatchObject({
      version: 2,
      name: winner['name'],
    });
  });

  it('refuses a change at a stale version with 409 and a malformed If-Match with 400', async () => {
    const created = await api.request<WebhookBody>('POST', '/v1/webhooks', {
      key,
      body: validWebhook(),
    });
    const path = `/v1/webhooks/${created.body.id}`;
    expect(
      (await api.request('POST', `${path}/pause`, { key, headers: { 'if-match': '"1"' } })).status,
    ).toBe(200);
    const stale = await api.request('POST', `${path}/activate`, {
      key,
      headers: { 'if-match': '"1"' },
    });
    expect(stale).toMatchObject({ status: 409, body: { error: 'conflict' } });
    const malformed = await api.request('PATCH', path, {
      key,
      body: { name: 'x' },
      headers: { 'if-match': 'abc' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      violations: [expect.objectContaining({ field: 'If-Match' })],
    });
  });

  it('lists newest first with a cursor and filters by status, event type and project', async () => {
    const company = `comp-${uniqueName('list')}`;
    const own = await api.key(company, 'integrations');
    const ids: string[] = [];
    for (const [i, events] of [['scan.completed'], ['user.login'], ['scan.failed']].entries()) {
      const { body } = await api.request<WebhookBody>('POST', '/v1/webhooks', {
        key: own,
        body: validWebhook({
          name: `hook ${i}`,
          events,
          statusFilter: [],
          projectIds: i === 2 ? [] : [`p${i}`],
        }),
      });
      ids.push(body.id);
    }
    await api.request('POST', `/v1/webhooks/${ids[1]}/pause`, { key: own });

    type Page = { items: WebhookBody[]; nextCursor: string | null };
    const first = await api.request<Page>('GET', '/v1/webhooks?limit=2', { key: own });
    expect(first.body.items.map((w) => w.id)).toEqual([ids[2], ids[1]]);
    const second = await api.request<Page>(
      `GET`,
      `/v1/webhooks?limit=2&cursor=${first.body.nextCursor}`,
      { key: own },
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ id: ids[0] })],
      nextCursor: null,
    });

    const paused = await api.request<Page>('GET', '/v1/webhooks?status=paused', { key: own });
    expect(paused.body.items.map((w) => w.id)).toEqual([ids[1]]);
    const scans = await api.request<Page>('GET', '/v1/webhooks?eventType=scan.completed', {
      key: own,
    });
    expect(scans.body.items.map((w) => w.id)).toEqual([ids[0]]);
    const project = await api.request<Page>('GET', '/v1/webhooks?projectId=p0', { key: own });
    expect(project.body.items.map((w) => w.id)).toEqual([ids[2], ids[0]]);
  });
});
