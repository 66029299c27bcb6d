import { deliveryUuid, EVENT_TYPES, type EventEnvelope, type EventType } from '@hookline/contracts';
import { type ReceivedRequest, uniqueName } from '@hookline/shared-testing';
import { Platform } from '@hookline/platform-testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AttemptBody {
  attempt: number;
  trigger: string;
  at: string;
  url: string | null;
  statusCode: number | null;
  failureClass: string | null;
  error: string | null;
  durationMs: number | null;
}
interface DeliverySummary {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attemptCount: number;
  lastStatusCode: number | null;
}
interface DeliveryDetail extends DeliverySummary {
  attempts: AttemptBody[];
}
interface WebhookBody {
  id: string;
  status: string;
  pausedReason?: string | null;
}
interface SlackBody {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/**
 * Parses RFC 4180 CSV strictly: CRLF-terminated records, fields quoted with `"` when they hold
 * a comma, a quote or a line break, quotes doubled inside. Anything else (a bare quote in an
 * unquoted field, text after a closing quote, an unterminated quote or record) throws.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid CSV at offset ${i}: ${why}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i += 1;
            break;
          }
        } else {
          field += text[i];
          i += 1;
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('quote inside an unquoted field');
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
      if (i >= text.length) fail('record ends with a comma');
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      fail(i >= text.length ? 'last record without CRLF' : `unexpected ${JSON.stringify(text[i])}`);
    }
  }
  return records;
}

/**
 * The seed's use cases, each as a customer would set it up: webhooks created through the config
 * API, events published to the ingest topic, and what an HTTPS endpoint receives and the delivery
 * history shows. The three apps run as processes against the real broker and database. Each test
 * scopes its webhooks to projects of its own; the unfiltered ones (dashboard, compliance log) are
 * deleted at the end of their test so later tests' events do not reach them.
 */
describe('use cases, end to end', () => {
  // Short retries keep the failure paths (auto-pause, manual retry, export) quick.
  const platform = new Platform({
    worker: { HOOKLINE_RETRY_POLICY: 'attempts=2;delays=1' },
  });

  /** A project of its own and the event data that names it. */
  const project = () => {
    const id = uniqueName('proj');
    const name = `Project ${id}`;
    return { id, name, data: { project: { id, name } } };
  };

  const detail = async (deliveryId: string) => {
    const { status, body } = await platform.api<DeliveryDetail>(
      'GET',
      `/v1/deliveries/${deliveryId}`,
    );
    expect(status).toBe(200);
    return body;
  };

  /** Polls `GET /v1/deliveries/:id` until the history shows `status`. */
  const waitForHistory = async (
    deliveryId: string,
    status: DeliverySummary['status'],
    timeoutMs = 30_000,
  ): Promise<DeliveryDetail> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await platform.api<DeliveryDetail>('GET', `/v1/deliveries/${deliveryId}`);
      if (response.status === 200 && response.body.status === status) return response.body;
      if (Date.now() > deadline) {
        throw new Error(
          `delivery ${deliveryId} is ${response.status === 200 ? response.body.status : `HTTP ${response.status}`} after ${timeoutMs} ms, expected ${status}`,
        );
      }
      await sleep(100);
    }
  };

  /** Every delivery of a webhook in the history, newest first. */
  const history = async (webhookId: string, status?: DeliverySummary['status']) => {
    const query = `webhookId=${encodeURIComponent(webhookId)}&limit=200${status ? `&status=${status}` : ''}`;
    const { status: code, body } = await platform.api<{ items: DeliverySummary[] }>(
      'GET',
      `/v1/deliveries?${query}`,
    );
    expect(code).toBe(200);
    return body.items;
  };

  /** The event was not matched to the webhook: the history has no delivery for the pair. */
  const expectNoDelivery = async (envelope: EventEnvelope, webhookId: string) => {
    const { status } = await platform.api(
      'GET',
      `/v1/deliveries/${platform.deliveryId(envelope, webhookId)}`,
    );
    expect([envelope.event_id, status]).toEqual([envelope.event_id, 404]);
  };

  const eventIds = (requests: readonly ReceivedRequest[]) =>
    requests.map((r) => (JSON.parse(r.body) as { event_id: string }).event_id).sort();

  const ids = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => e.event_id).sort();

  /** Waits for every delivery, then lets a wrongly matched one (published earlier) show up. */
  const settle = async (deliveries: ReadonlyArray<[EventEnvelope, string]>) => {
    for (const [envelope, webhookId] of deliveries) {
      await waitForHistory(platform.deliveryId(envelope, webhookId), 'delivered');
    }
    await sleep(500);
  };

  const deleteWebhook = async (webhookId: string) => {
    expect((await platform.api('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(204);
  };

  beforeAll(async () => {
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
  });

  it('a Slack webhook for two projects posts a Slack message for each of their scans and none for another project', async () => {
    const [critical, payments, other] = [project(), project(), project()];
    const webhook = await platform.createWebhook('/slack/security', {
      name: 'Slack Notifications',
      type: 'slack',
      events: ['scan.completed'],
      projectIds: [critical.id, payments.id],
    });
    const unrelated = await platform.publish('scan.completed', other.data);
    const sent = [
      await platform.publish('scan.completed', critical.data),
      await platform.publish('scan.completed', payments.data),
    ];
    await settle(sent.map((e) => [e, webhook.id]));

    const requests = platform.receiver.requests('/slack/security');
    expect(requests).toHaveLength(2);
    const targets = [critical, payments];
    for (const [i, envelope] of sent.entries()) {
      const name = targets[i]?.name;
      const deliveryId = platform.deliveryId(envelope, webhook.id);
      const request = requests.find(
        (r) => r.headers['x-corgea-delivery'] === deliveryUuid(deliveryId),
      );
      if (!request) throw new Error(`no Slack message for ${name}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-corgea-event']).toBe('scan.completed');
      const body = JSON.parse(request.body) as SlackBody;
      expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
      expect(body.text).toBe(`Scan completed for *${name}* on main: 8 issues found`);
      expect(body.blocks).toEqual([
        { type: 'section', text: { type: 'mrkdwn', text: body.text } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: expect.stringContaining(`event ${envelope.event_id}`),
            },
          ],
        },
      ]);
    }
    await expectNoDelivery(unrelated, webhook.id);
    expect((await history(webhook.id)).map((d) => d.eventId).sort()).toEqual(ids(sent));
  });

  it('a ticketing webhook filtered to status open gets open issues and scans, not fixed issues', async () => {
    const production = project();
    const other = project();
    const webhook = await platform.createWebhook('/tickets', {
      name: 'Jira tickets',
      type: 'other',
      events: ['scan.completed', 'issue.status_changed'],
      statusFilter: ['open'],
      projectIds: [production.id],
      headers: { 'X-Automation-Webhook-Token': 'jira-secret' },
    });
    const fixed = await platform.publish('issue.status_changed', {
      ...production.data,
      status: 'fixed',
      previous_status: 'open',
    });
    const elsewhere = await platform.publish('issue.status_changed', {
      ...other.data,
      status: 'open',
      previous_status: 'fixed',
    });
    const opened = await platform.publish('issue.status_changed', {
      ...production.data,
      status: 'open',
      previous_status: 'fixed',
    });
    const scanned = await platform.publish('scan.completed', production.data);
    await settle([
      [opened, webhook.id],
      [scanned, webhook.id],
    ]);

    const requests = platform.receiver.requests('/tickets');
    expect(eventIds(requests)).toEqual(ids([opened, scanned]));
    const ticket = requests.find((r) => r.headers['x-corgea-event'] === 'issue.status_changed');
    expect(JSON.parse(ticket?.body ?? '')).toEqual(opened);
    expect(ticket?.headers['x-automation-webhook-token']).toBe('jira-secret');
    await expectNoDelivery(fixed, webhook.id);
    await expectNoDelivery(elsewhere, webhook.id);
  });

  it('an accepted-risk webhook gets only issues whose status became accepted_risk, with their details', async () => {
    const compliance = project();
    const webhook = await platform.createWebhook('/accepted-risk', {
      name: 'Risk acceptance log',
      events: ['issue.status_changed'],
      statusFilter: ['accepted_risk'],
      projectIds: [compliance.id],
    });
    const others = [];
    for (const status of ['open', 'fixed', 'false_positive']) {
      others.push(
        await platform.publish('issue.status_changed', {
          ...compliance.data,
          status,
          previous_status: 'open',
        }),
      );
    }
    const accepted = await platform.publish('issue.status_changed', {
      ...compliance.data,
      status: 'accepted_risk',
      previous_status: 'open',
      classification: 'Hard-coded credentials',
      file_path: 'src/legacy/config.py',
      urgency: 'CR',
    });
    await settle([[accepted, webhook.id]]);

    const requests = platform.receiver.requests('/accepted-risk');
    expect(requests).toHaveLength(1);
    const body = JSON.parse(requests[0]?.body ?? '') as EventEnvelope<'issue.status_changed'>;
    expect(body).toEqual(accepted);
    expect(body.data).toMatchObject({
      status: 'accepted_risk',
      classification: 'Hard-coded credentials',
      file_path: 'src/legacy/config.py',
      urgency: 'CR',
    });
    for (const envelope of others) await expectNoDelivery(envelope, webhook.id);
  });

  it('a dashboard webhook without filters receives one event of every type, each named by X-Corgea-Event', async () => {
    const dashboard = project();
    const webhook = await platform.createWebhook('/dashboard', {
      name: 'Security dashboard',
      events: [...EVENT_TYPES],
    });
    try {
      const sent = new Map<EventType, EventEnvelope>();
      for (const type of EVENT_TYPES) {
        // User events have no project; the catalog ignores one given to them anyway.
        sent.set(
          type,
          await platform.publish(type, type.startsWith('user.') ? {} : dashboard.data),
        );
      }
      await settle([...sent.values()].map((e) => [e, webhook.id]));

      const requests = platform.receiver.requests('/dashboard');
      expect(requests).toHaveLength(EVENT_TYPES.length);
      const byType = new Map(
        requests.map((r) => [String(r.headers['x-corgea-event']), JSON.parse(r.body)]),
      );
      expect([...byType.keys()].sort()).toEqual([...EVENT_TYPES].sort());
      for (const [type, envelope] of sent)
        expect([type, byType.get(type)]).toEqual([type, envelope]);
      expect((await history(webhook.id)).map((d) => [d.eventType, d.status]).sort()).toEqual(
        [...EVENT_TYPES].sort().map((type) => [type, 'delivered']),
      );
    } finally {
      await deleteWebhook(webhook.id);
    }
  });

  it('three team webhooks filtered by project each get only their own projects’ events', async () => {
    const backend = [project(), project()];
    const frontend = [project()];
    const devops = [project()];
    const teams = [
      { path: '/teams/backend', projects: backend },
      { path: '/teams/frontend', projects: frontend },
      { path: '/teams/devops', projects: devops },
    ];
    const webhooks = await Promise.all(
      teams.map(({ path, projects }) =>
        platform.createWebhook(path, {
          name: `${path} security`,
          type: 'slack',
          events: ['scan.completed', 'issue.status_changed'],
          projectIds: projects.map((p) => p.id),
        }),
      ),
    );
    const sent = new Map<string, EventEnvelope[]>(teams.map((t) => [t.path, []]));
    for (const team of teams) {
      for (const p of team.projects) {
        sent.get(team.path)?.push(await platform.publish('scan.completed', p.data));
        sent
          .get(team.path)
          ?.push(await platform.publish('issue.status_changed', { ...p.data, status: 'open' }));
      }
    }
    const expected = teams.flatMap((team, i) =>
      (sent.get(team.path) ?? []).map((e): [EventEnvelope, string] => [e, webhooks[i]?.id ?? '']),
    );
    await settle(expected);

    for (const [i, team] of teams.entries()) {
      const webhookId = webhooks[i]?.id ?? '';
      const own = sent.get(team.path) ?? [];
      const received = platform.receiver
        .requests(team.path)
        .map((r) => String(r.headers['x-corgea-delivery']))
        .sort();
      expect([team.path, received]).toEqual([
        team.path,
        own.map((e) => deliveryUuid(platform.deliveryId(e, webhookId))).sort(),
      ]);
      expect([team.path, (await history(webhookId)).map((d) => d.eventId).sort()]).toEqual([
        team.path,
        ids(own),
      ]);
    }
  });

  it('a compliance webhook for every scan.completed gets each one, and the history shows each delivered', async () => {
    const projects = [project(), project(), project()];
    const webhook = await platform.createWebhook('/compliance', {
      name: 'Compliance log',
      events: ['scan.completed'],
    });
    try {
      const scans: EventEnvelope[] = [];
      for (let i = 0; i < 12; i += 1) {
        const { data } = projects[i % projects.length] ?? project();
        scans.push(await platform.publish('scan.completed', data));
      }
      const started = await platform.publish('scan.started', projects[0]?.data ?? {});
      await settle(scans.map((e) => [e, webhook.id]));

      expect(eventIds(platform.receiver.requests('/compliance'))).toEqual(ids(scans));
      const delivered = await history(webhook.id, 'delivered');
      expect(delivered.map((d) => d.eventId).sort()).toEqual(ids(scans));
      expect(delivered.every((d) => d.eventType === 'scan.completed' && d.attemptCount === 1)).toBe(
        true,
      );
      expect(await history(webhook.id)).toHaveLength(scans.length);
      await expectNoDelivery(started, webhook.id);
    } finally {
      await deleteWebhook(webhook.id);
    }
  });

  it('an auto-paused webhook skips events until it is activated by hand, then delivers new ones', async () => {
    const { id, data } = project();
    const path = '/auto-paused';
    platform.receiver.on(path, { status: 503, body: 'maintenance' });
    const webhook = await platform.createWebhook(path, { projectIds: [id] });
    // Two calls per event: the tenth consecutive failure pauses the webhook.
    const failing = [];
    for (let i = 0; i < 5; i += 1) failing.push(await platform.publish('scan.completed', data));

    const deadline = Date.now() + 30_000;
    let state: WebhookBody | undefined;
    while (Date.now() < deadline) {
      state = (await platform.api<WebhookBody>('GET', `/v1/webhooks/${webhook.id}`)).body;
      if (state.status === 'paused') break;
      await sleep(200);
    }
    expect(state).toMatchObject({ status: 'paused', pausedReason: 'auto' });
    for (const envelope of failing) {
      await waitForHistory(platform.deliveryId(envelope, webhook.id), 'failed');
    }
    // The endpoint is fixed, but a paused webhook stays paused until someone activates it.
    platform.receiver.on(path, { status: 200 });
    let record = await platform.configRecord(webhook.id);
    for (let i = 0; i < 20 && record?.status !== 'paused'; i += 1) {
      await sleep(250);
      record = await platform.configRecord(webhook.id);
    }
    expect(record?.status).toBe('paused');
    const callsWhilePaused = platform.receiver.requests(path).length;
    expect(callsWhilePaused).toBe(10);

    const held = await platform.publish('scan.completed', data);
    const heldId = platform.deliveryId(held, webhook.id);
    expect(await waitForHistory(heldId, 'skipped')).toMatchObject({ attemptCount: 0 });

    const activated = await platform.api<{ replayed: number }>(
      'POST',
      `/v1/webhooks/${webhook.id}/activate`,
    );
    expect(activated).toEqual({ status: 200, body: expect.objectContaining({ replayed: 0 }) });
    expect((await platform.api<WebhookBody>('GET', `/v1/webhooks/${webhook.id}`)).body.status).toBe(
      'active',
    );
    for (let i = 0; i < 20 && record?.status !== 'active'; i += 1) {
      await sleep(250);
      record = await platform.configRecord(webhook.id);
    }
    expect(record?.status).toBe('active');

    const next = await platform.publish('scan.completed', data);
    await waitForHistory(platform.deliveryId(next, webhook.id), 'delivered');
    const requests = platform.receiver.requests(path);
    expect(requests).toHaveLength(callsWhilePaused + 1);
    expect(JSON.parse(requests.at(-1)?.body ?? '')).toEqual(next);
    // Activating without replayMissed leaves what the pause held back as it was.
    expect((await detail(heldId)).status).toBe('skipped');
  });

  it('a delivery that failed against a broken endpoint reaches it by a manual retry once it is fixed', async () => {
    const { id, data } = project();
    const path = '/broken-then-fixed';
    platform.receiver.on(path, { status: 500, body: 'database unavailable' });
    const webhook = await platform.createWebhook(path, { projectIds: [id] });
    const envelope = await platform.publish('scan.completed', data);
    const deliveryId = platform.deliveryId(envelope, webhook.id);
    const failed = await waitForHistory(deliveryId, 'failed');
    expect(failed).toMatchObject({ attemptCount: 2, lastStatusCode: 500 });
    expect(platform.receiver.requests(path)).toHaveLength(2);

    platform.receiver.on(path, { status: 200 });
    const retried = await platform.api('POST', `/v1/deliveries/${deliveryId}/retry`);
    expect(retried).toEqual({ status: 202, body: { deliveryId, attempt: 3 } });

    const delivered = await waitForHistory(deliveryId, 'delivered');
    const requests = platform.receiver.requests(path);
    expect(requests).toHaveLength(3);
    expect(requests[2]?.headers['x-corgea-delivery']).toBe(deliveryUuid(deliveryId));
    expect(requests[2]?.body).toBe(requests[0]?.body);
    expect(JSON.parse(requests[2]?.body ?? '')).toEqual(envelope);
    expect(delivered.attempts.map((a) => [a.attempt, a.trigger, a.statusCode])).toEqual([
      [1, 'first', 500],
      [2, 'retry', 500],
      [3, 'manual', 200],
    ]);
  });

  it('the CSV export has a header and one row per attempt, each matching the history', async () => {
    const { id, data } = project();
    // A comma in the URL: the export must quote that field.
    const path = '/audit,export';
    // First delivery: 500 then 200. Second: 500, 500 (failed), then a manual retry.
    platform.receiver.on(path, {
      sequence: [{ status: 500 }, { status: 200 }, { status: 500 }],
    });
    const webhook = await platform.createWebhook(path, { projectIds: [id] });
    const first = await platform.publish('scan.completed', data);
    const firstId = platform.deliveryId(first, webhook.id);
    await waitForHistory(firstId, 'delivered');
    const second = await platform.publish('scan.completed', data);
    const secondId = platform.deliveryId(second, webhook.id);
    await waitForHistory(secondId, 'failed');
    platform.receiver.on(path, { status: 200 });
    expect((await platform.api('POST', `/v1/deliveries/${secondId}/retry`)).status).toBe(202);
    await waitForHistory(secondId, 'delivered');

    const exported = await platform.apiText(
      'GET',
      `/v1/deliveries/export?webhookId=${encodeURIComponent(webhook.id)}`,
    );
    expect(exported.status).toBe(200);
    expect(exported.contentType).toMatch(/^text\/csv/);
    const url = platform.receiver.url(path);
    expect(exported.text).toContain(`,"${url}",`);
    const [header, ...rows] = parseCsv(exported.text);
    expect(header).toEqual([
      'deliveryId',
      'webhookId',
      'eventId',
      'eventType',
      'attempt',
      'trigger',
      'at',
      'url',
      'statusCode',
      'outcome',
      'failureClass',
      'error',
      'durationMs',
    ]);

    // Newest delivery first, its attempts oldest first.
    const deliveries = await history(webhook.id);
    expect(deliveries.map((d) => d.id)).toEqual([secondId, firstId]);
    const expected: string[][] = [];
    for (const summary of deliveries) {
      const { attempts } = await detail(summary.id);
      for (const a of attempts) {
        expected.push([
          summary.id,
          summary.webhookId,
          summary.eventId,
          summary.eventType,
          String(a.attempt),
          a.trigger,
          a.at,
          a.url ?? '',
          a.statusCode === null ? '' : String(a.statusCode),
          a.failureClass === null ? 'succeeded' : 'failed',
          a.failureClass ?? '',
          a.error ?? '',
          a.durationMs === null ? '' : String(a.durationMs),
        ]);
      }
    }
    expect(rows).toEqual(expected);
    expect(
      rows.map(([deliveryId, , , , attempt, trigger, , rowUrl, statusCode, outcome]) => [
        deliveryId,
        attempt,
        trigger,
        rowUrl,
        statusCode,
        outcome,
      ]),
    ).toEqual([
      [secondId, '1', 'first', url, '500', 'failed'],
      [secondId, '2', 'retry', url, '500', 'failed'],
      [secondId, '3', 'manual', url, '200', 'succeeded'],
      [firstId, '1', 'first', url, '500', 'failed'],
      [firstId, '2', 'retry', url, '200', 'succeeded'],
    ]);
    for (const row of rows) {
      expect(row[2]).toBe(row[0] === firstId ? first.event_id : second.event_id);
      expect(Number(row[12])).toBeGreaterThanOrEqual(0);
    }
  });
});
