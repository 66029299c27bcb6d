import { KAFKA_TOPICS } from '@hookline/contracts';
import { uniqueName } from '@hookline/shared-testing';
import { Platform } from '@hookline/platform-testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Pause means pause, and nothing a receiver or a row can hold stops the line: the three apps as
 * processes against the real broker and database, a local HTTPS receiver.
 */
describe('pause and poison, end to end', () => {
  const platform = new Platform();

  const scope = () => {
    const id = uniqueName('proj');
    return { projectIds: [id], data: { project: { id, name: `Project ${id}` } } };
  };

  /** Requests to `path` whose body is the event `eventId`. */
  const callsFor = (path: string, eventId: string) =>
    platform.receiver
      .requests(path)
      .filter((r) => (JSON.parse(r.body) as { event_id?: string }).event_id === eventId);

  const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
  });

  it('auto-pauses under parallel retries, and an event published right after the pause is never sent', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/flaky-down', { status: 503 });
    const webhook = await platform.createWebhook('/flaky-down', { projectIds });
    // Eight events at once: their first calls and their retries run side by side, up to the
    // per-webhook limit, so the threshold is reached while other calls are in flight.
    const first = await Promise.all(
      Array.from({ length: 8 }, () => platform.publish('scan.completed', data)),
    );

    // The worker recorded the failure that reached the threshold (its own streak in the
    // database): from now on no call may start, even before the config API executed the pause.
    await waitUntil('the threshold failure recorded', async () => {
      const rows: Array<{ requested: boolean }> = await platform.dataSource.query(
        `SELECT (streak->>'pauseRequested')::boolean AS requested
           FROM webhook_failure_streaks WHERE webhook_id = $1`,
        [webhook.id],
      );
      return rows[0]?.requested === true;
    });
    const after = await platform.publish('scan.completed', data);
    const afterId = platform.deliveryId(after, webhook.id);
    const row = await platform.waitForStatus(afterId, ['skipped_while_paused']);
    expect(row.attempts).toBe(0);

    // Every retry left falls due after the pause and is skipped: the first eight end without
    // another call, and every call made is on record exactly once.
    for (const envelope of first) {
      await platform.waitForStatus(
        platform.deliveryId(envelope, webhook.id),
        ['failed', 'skipped_while_paused'],
        30_000,
      );
    }
    await sleep(1000);
    expect(callsFor('/flaky-down', after.event_id)).toHaveLength(0);
    const calls = platform.receiver.requests('/flaky-down').length;
    const [counted]: Array<{ attempts: number }> = await platform.dataSource.query(
      `SELECT count(*)::int AS attempts FROM delivery_events
        WHERE webhook_id = $1 AND type IN ('AttemptFailed', 'AttemptSucceeded')`,
      [webhook.id],
    );
    expect(counted?.attempts).toBe(calls);
    // The tenth call paused it; only calls already in flight then (at most the per-webhook
    // limit of 8 less the one that reached it) can have finished after.
    expect(calls).toBeGreaterThanOrEqual(10);
    expect(calls).toBeLessThanOrEqual(10 + 7);

    const { body } = await platform.api<{ status: string; pausedReason: string }>(
      'GET',
      `/v1/webhooks/${webhook.id}`,
    );
    expect([body.status, body.pausedReason]).toEqual(['paused', 'auto']);
  });

  it('a manual pause holds from the moment it returns: the next event is skipped, not sent', async () => {
    const { projectIds, data } = scope();
    const webhook = await platform.createWebhook('/paused-by-hand', { projectIds });
    const before = await platform.publish('scan.completed', data);
    await platform.waitForStatus(platform.deliveryId(before, webhook.id), ['succeeded']);

    const paused = await platform.api<{ status: string }>(
      'POST',
      `/v1/webhooks/${webhook.id}/pause`,
    );
    expect([paused.status, paused.body.status]).toEqual([200, 'paused']);
    // At once: the matcher and the worker have not heard of the pause from webhooks.config.
    const next = await platform.publish('scan.completed', data);
    const row = await platform.waitForStatus(platform.deliveryId(next, webhook.id), [
      'skipped_while_paused',
    ]);
    expect(row.attempts).toBe(0);
    await sleep(500);
    expect(callsFor('/paused-by-hand', next.event_id)).toHaveLength(0);

    const activated = await platform.api<{ status: string }>(
      'POST',
      `/v1/webhooks/${webhook.id}/activate`,
      {},
    );
    expect(activated.body.status).toBe('active');
    const later = await platform.publish('scan.completed', data);
    await platform.waitForStatus(platform.deliveryId(later, webhook.id), ['succeeded']);
    expect(callsFor('/paused-by-hand', later.event_id)).toHaveLength(1);
  });

  it('records a 2 MB response holding a NUL byte once, stored escaped, and never calls again', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/nul-answer', {
      status: 200,
      body: `head\u0000tail ${'x'.repeat(2 * 1024 * 1024)}`,
      headers: { 'content-type': 'text/plain' },
    });
    const webhook = await platform.createWebhook('/nul-answer', { projectIds });
    const envelope = await platform.publish('scan.completed', data);
    const deliveryId = platform.deliveryId(envelope, webhook.id);
    await platform.waitForStatus(deliveryId, ['succeeded']);
    const attempt = (await platform.log(deliveryId)).find((e) => e.type === 'AttemptSucceeded');
    expect(attempt?.responseBody?.startsWith('head\\u0000tail ')).toBe(true);
    expect(attempt?.responseTruncated).toBe(true);
    await sleep(2000);
    expect(callsFor('/nul-answer', envelope.event_id)).toHaveLength(1);
  });

  it('dead-letters an outbox row over the broker limit with the reason, and the rows behind it go on', async () => {
    const { projectIds, data } = scope();
    const webhook = await platform.createWebhook('/behind-a-big-row', { projectIds });
    // A row no broker takes (written by an older version, say), ahead of everything below.
    await platform.dataSource.query(
      `INSERT INTO outbox (topic, message_key, value, headers) VALUES ($1, $2, $3, '{}'::jsonb)`,
      [KAFKA_TOPICS.webhooksDeliveryLog, webhook.id, 'y'.repeat(2 * 1024 * 1024)],
    );
    // A change behind it: the worker only sends to the new path once webhooks.config has it.
    const moved = await platform.api('PATCH', `/v1/webhooks/${webhook.id}`, {
      url: platform.receiver.url('/moved-behind-a-big-row'),
    });
    expect(moved.status).toBe(200);
    await waitUntil('the change reaches webhooks.config', async () => {
      const record = await platform.configRecord(webhook.id);
      return record?.url.endsWith('/moved-behind-a-big-row') === true;
    });
    const envelope = await platform.publish('scan.completed', data);
    await platform.waitForStatus(platform.deliveryId(envelope, webhook.id), ['succeeded']);
    expect(callsFor('/moved-behind-a-big-row', envelope.event_id)).toHaveLength(1);

    const deadLetters = (): Promise<Array<{ topic: string; reason: string; bytes: number }>> =>
      platform.dataSource.query(
        `SELECT topic, reason, length(value) AS bytes FROM outbox_dead_letters WHERE message_key = $1`,
        [webhook.id],
      );
    await waitUntil('the big row dead-lettered', async () => (await deadLetters()).length > 0);
    expect(await deadLetters()).toEqual([
      {
        topic: KAFKA_TOPICS.webhooksDeliveryLog,
        reason: expect.stringMatching(/^MESSAGE_TOO_LARGE: /),
        bytes: 2 * 1024 * 1024,
      },
    ]);
    await waitUntil('the outbox drains', async () => {
      const [left]: Array<{ n: number }> = await platform.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox`,
      );
      return left?.n === 0;
    });
  });
});
