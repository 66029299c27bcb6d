import { deliveryUuid } from '@hookline/contracts';
import { uniqueName } from '@hookline/shared-testing';
import { Platform } from '@hookline/platform-testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AttemptBody {
  attempt: number;
  trigger: string;
  statusCode: number | null;
}
interface DeliveryBody {
  id: string;
  status: string;
  attemptCount: number;
  attempts: AttemptBody[];
}

/**
 * What an admin does with the delivery log over REST, against the three apps as processes and a
 * local HTTPS receiver: retry by hand, test an endpoint, replay what a pause held back, and
 * recover after an outage.
 */
describe('delivery actions over REST, end to end', () => {
  const platform = new Platform({
    worker: { HOOKLINE_RETRY_POLICY: 'attempts=2;delays=1' },
  });

  const scope = () => {
    const id = uniqueName('proj');
    return { projectIds: [id], data: { project: { id, name: `Project ${id}` } } };
  };

  const delivery = async (deliveryId: string) => {
    const { status, body } = await platform.api<DeliveryBody>(
      'GET',
      `/v1/deliveries/${deliveryId}`,
    );
    expect(status).toBe(200);
    return body;
  };

  beforeAll(async () => {
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
  });

  it('a manual retry of a failed delivery reaches the receiver and is logged with trigger manual', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/retry-me', { status: 500 });
    const webhook = await platform.createWebhook('/retry-me', { projectIds });
    const envelope = await platform.publish('scan.completed', data);
    const deliveryId = platform.deliveryId(envelope, webhook.id);
    await platform.waitForStatus(deliveryId, ['failed']);

    platform.receiver.on('/retry-me', { status: 200 });
    const retried = await platform.api<{ deliveryId: string; attempt: number }>(
      'POST',
      `/v1/deliveries/${deliveryId}/retry`,
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ deliveryId, attempt: 3 });

    await platform.waitForStatus(deliveryId, ['succeeded']);
    const requests = platform.receiver.requests('/retry-me');
    expect(requests).toHaveLength(3);
    expect(requests.at(-1)?.headers['x-corgea-delivery']).toBe(deliveryUuid(deliveryId));
    const body = await delivery(deliveryId);
    expect(body.attempts.map((a) => [a.attempt, a.trigger, a.statusCode])).toEqual([
      [1, 'first', 500],
      [2, 'retry', 500],
      [3, 'manual', 200],
    ]);
  });

  it('test webhook returns the receiver status, is in history, and works while paused', async () => {
    const { projectIds } = scope();
    platform.receiver.on('/tested', { status: 201, body: 'created it' });
    const webhook = await platform.createWebhook('/tested', { projectIds });
    const paused = await platform.api('POST', `/v1/webhooks/${webhook.id}/pause`);
    expect(paused.status).toBe(200);
    await sleep(1500);

    const tested = await platform.api<{
      deliveryId: string;
      success: boolean;
      statusCode: number;
      durationMs: number;
      responseSnippet: string;
      error: string | null;
    }>('POST', `/v1/webhooks/${webhook.id}/test`, { eventType: 'scan.completed' });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({
      success: true,
      statusCode: 201,
      responseSnippet: 'created it',
      error: null,
    });
    expect(platform.receiver.requests('/tested')).toHaveLength(1);
    const body = await delivery(tested.body.deliveryId);
    expect(body.attempts.map((a) => a.trigger)).toEqual(['test']);
  });

  it('test webhook against an address the SSRF guard refuses returns the refusal', async () => {
    const { projectIds } = scope();
    const created = await platform.api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'metadata',
      url: 'https://169.254.169.254/latest/meta-data',
      type: 'other',
      events: ['scan.completed'],
      projectIds,
    });
    expect(created.status).toBe(201);
    await sleep(1500);
    const tested = await platform.api<{ success: boolean; error: string }>(
      'POST',
      `/v1/webhooks/${created.body.id}/test`,
      {},
    );
    expect(tested.status).toBe(200);
    expect(tested.body.success).toBe(false);
    expect(tested.body.error).toMatch(/^blocked_by_policy: .*169\.254\.169\.254/);
  });

  it('activate with replayMissed delivers what the pause held back, in order', async () => {
    const { projectIds, data } = scope();
    const webhook = await platform.createWebhook('/replayed', { projectIds });
    expect((await platform.api('POST', `/v1/webhooks/${webhook.id}/pause`)).status).toBe(200);
    await sleep(1500);
    const held = [];
    for (let i = 0; i < 5; i += 1) held.push(await platform.publish('scan.completed', data));
    for (const envelope of held) {
      await platform.waitForStatus(platform.deliveryId(envelope, webhook.id), [
        'skipped_while_paused',
      ]);
    }
    expect(platform.receiver.requests('/replayed')).toHaveLength(0);

    const activated = await platform.api<{ replayed: number }>(
      'POST',
      `/v1/webhooks/${webhook.id}/activate`,
      { replayMissed: true },
    );
    expect(activated.status).toBe(200);
    expect(activated.body.replayed).toBe(5);
    const received = await platform.receiver.waitFor(5, { path: '/replayed' });
    expect(received.map((r) => JSON.parse(r.body).event_id)).toEqual(held.map((e) => e.event_id));
  });

  it('recover since an outage redelivers what failed in it', async () => {
    const { projectIds, data } = scope();
    platform.receiver.on('/outage', { status: 503 });
    const webhook = await platform.createWebhook('/outage', { projectIds });
    const since = new Date().toISOString();
    const lost = [];
    for (let i = 0; i < 3; i += 1) lost.push(await platform.publish('scan.completed', data));
    for (const envelope of lost) {
      await platform.waitForStatus(platform.deliveryId(envelope, webhook.id), ['failed']);
    }

    platform.receiver.on('/outage', { status: 200 });
    platform.receiver.reset();
    const recovered = await platform.api<{ queued: number }>(
      'POST',
      `/v1/webhooks/${webhook.id}/recover`,
      { since },
    );
    expect(recovered.status).toBe(202);
    expect(recovered.body.queued).toBe(3);
    const received = await platform.receiver.waitFor(3, { path: '/outage' });
    expect(new Set(received.map((r) => JSON.parse(r.body).event_id))).toEqual(
      new Set(lost.map((e) => e.event_id)),
    );
    for (const envelope of lost) {
      await platform.waitForStatus(platform.deliveryId(envelope, webhook.id), ['succeeded']);
    }
  });
});
