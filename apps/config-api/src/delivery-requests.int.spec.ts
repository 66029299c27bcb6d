import { type DeliveryRequested, KAFKA_HEADERS, parseDeliveryRequested } from '@hookline/contracts';
import { DeliveryWorkStore } from '@hookline/deliveries-data-access';
import { DEFAULT_RETRY_POLICY, recordAttempt } from '@hookline/deliveries-domain';
import { createKafka, ensureTopics } from '@hookline/shared-kafka';
import { integrationEnv, uniqueName } from '@hookline/shared-testing';
import type { Consumer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigApiHarness, validWebhook } from './testing/config-api.harness';
import { DeliverySeeder, FAILED, ONE_SHOT, SUCCEEDED } from './testing/delivery-seeder';

interface Produced {
  request: DeliveryRequested;
  headers: Record<string, string>;
}

type WebhookBody = { id: string; version: number; status: string };

const TEST_TIMEOUT_MS = 8000;

describe('manual retry, test webhook, replay and recovery, produced on the deliveries topic', () => {
  const topic = uniqueName('config-api-deliveries');
  let api: ConfigApiHarness;
  let seeder: DeliverySeeder;
  let consumer: Consumer;
  /** Every DeliveryRequested on the topic, in the order of arrival (one partition per webhook). */
  const produced: Produced[] = [];
  const company = `comp-${uniqueName('retry')}`;
  const otherCompany = `comp-${uniqueName('other')}`;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    api = await ConfigApiHarness.start({
      relay: true,
      env: {
        HOOKLINE_DELIVERIES_TOPIC: topic,
        HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: String(TEST_TIMEOUT_MS),
      },
    });
    seeder = new DeliverySeeder(api.database);
    key = await api.key(company, 'integrations');
    otherKey = await api.key(otherCompany, 'admin');
    const kafka = createKafka({
      brokers: integrationEnv().kafkaBrokers,
      clientId: 'config-api-spec',
    });
    // The topic exists before the reader joins: a consumer that subscribed to a topic not yet
    // created is assigned no partitions until its metadata refreshes, minutes later.
    await ensureTopics(kafka, [{ topic, numPartitions: 6 }]);
    consumer = kafka.consumer({ groupId: uniqueName('config-api-spec'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const parsed = parseDeliveryRequested(message.value);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
        expect(String(message.key)).toBe(parsed.value.webhookId);
        produced.push({
          request: parsed.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await api?.stop();
  });

  /** The requests produced for `webhookId`, once there are `count` of them. */
  async function producedFor(webhookId: string, count: number, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = produced.filter((p) => p.request.webhookId === webhookId);
      if (mine.length >= count || Date.now() > deadline) return mine;
      await sleep(100);
    }
  }

  async function createWebhook(apiKey = key, owner = company) {
    const { body } = await api.request<WebhookBody>('POST', '/v1/webhooks', {
      key: apiKey,
      body: validWebhook({ events: ['scan.completed', 'issue.status_changed'], statusFilter: [] }),
    });
    return { ...body, company: owner };
  }

  const post = <T = Record<string, unknown>>(path: string, body?: unknown, as = key) =>
    api.request<T>('POST', path, { key: as, ...(body !== undefined ? { body } : {}) });

  describe('POST /v1/deliveries/:id/retry', () => {
    it('queues the accepted request again with trigger manual at the webhook’s current version', async () => {
      const webhook = await createWebhook();
      const accepted = DeliverySeeder.request(webhook);
      await seeder.seed(accepted, [FAILED], { policy: ONE_SHOT });
      // The webhook changed since the event matched: the retry goes to its current version.
      await api.request('PATCH', `/v1/webhooks/${webhook.id}`, { key, body: { name: 'renamed' } });

      const retried = await post(`/v1/deliveries/${accepted.deliveryId}/retry`, undefined, key);
      expect(retried).toEqual({
        status: 202,
        body: { deliveryId: accepted.deliveryId, attempt: 2 },
      });

      const [message, ...more] = await producedFor(webhook.id, 1);
      expect(more).toEqual([]);
      const { requestedAt, ...rest } = message?.request ?? ({} as DeliveryRequested);
      const { requestedAt: acceptedAt, ...acceptedRest } = accepted;
      expect(rest).toEqual({ ...acceptedRest, trigger: 'manual', webhookVersion: 2 });
      expect(Date.parse(requestedAt)).toBeGreaterThan(Date.parse(acceptedAt));
      expect(message?.headers).toMatchObject({
        [KAFKA_HEADERS.messageType]: 'DeliveryRequested',
        [KAFKA_HEADERS.schemaVersion]: '1',
        [KAFKA_HEADERS.correlationId]: accepted.correlationId,
      });
    });

    it('resends a delivered delivery, numbering the new attempt after every earlier one', async () => {
      const webhook = await createWebhook();
      const accepted = DeliverySeeder.request(webhook);
      await seeder.seed(accepted, [FAILED, SUCCEEDED]);
      const retried = await post(`/v1/deliveries/${accepted.deliveryId}/retry`);
      expect(retried).toEqual({
        status: 202,
        body: { deliveryId: accepted.deliveryId, attempt: 3 },
      });
      expect((await producedFor(webhook.id, 1)).map((p) => p.request.trigger)).toEqual(['manual']);
    });

    it('refuses with 409 while the webhook is paused or the delivery pending, producing nothing', async () => {
      const webhook = await createWebhook();
      const failed = DeliverySeeder.request(webhook);
      await seeder.seed(failed, [FAILED], { policy: ONE_SHOT });
      const pending = DeliverySeeder.request(webhook);
      await seeder.seed(pending, [FAILED]);

      const stillPending = await post<{ error: string; message: string }>(
        `/v1/deliveries/${pending.deliveryId}/retry`,
      );
      expect(stillPending.status).toBe(409);
      expect(stillPending.body.message).toMatch(/still pending/);

      await post(`/v1/webhooks/${webhook.id}/pause`);
      const paused = await post<{ error: string; message: string }>(
        `/v1/deliveries/${failed.deliveryId}/retry`,
      );
      expect(paused.status).toBe(409);
      expect(paused.body).toMatchObject({ error: 'invalid_state' });
      expect(paused.body.message).toMatch(/is paused: activate it/);

      // Once active again the retry goes through: it is the first and only request produced.
      await post(`/v1/webhooks/${webhook.id}/activate`);
      expect((await post(`/v1/deliveries/${failed.deliveryId}/retry`)).status).toBe(202);
      const requests = (await producedFor(webhook.id, 1)).map((p) => p.request.deliveryId);
      await sleep(500);
      expect(produced.filter((p) => p.request.webhookId === webhook.id)).toHaveLength(1);
      expect(requests).toEqual([failed.deliveryId]);
    });

    it('answers 404 for an unknown delivery or another company’s, and 403 to a viewer', async () => {
      const webhook = await createWebhook();
      const accepted = DeliverySeeder.request(webhook);
      await seeder.seed(accepted, [FAILED], { policy: ONE_SHOT });
      expect((await post('/v1/deliveries/dlv_unknown/retry')).status).toBe(404);
      const theirs = await post(`/v1/deliveries/${accepted.deliveryId}/retry`, undefined, otherKey);
      expect(theirs).toMatchObject({ status: 404, body: { error: 'not_found' } });
      const viewer = await api.key(company, 'viewer');
      expect(
        (await post(`/v1/deliveries/${accepted.deliveryId}/retry`, undefined, viewer)).status,
      ).toBe(403);
    });
  });

  describe('POST /v1/webhooks/:id/test', () => {
    it('queues a test request of the first subscribed type and answers 504 with its id when no outcome comes', async () => {
      const webhook = await createWebhook();
      const started = Date.now();
      const tested = await post<{ error: string; deliveryId: string }>(
        `/v1/webhooks/${webhook.id}/test`,
        {},
      );
      expect(tested.status).toBe(504);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS);
      expect(tested.body).toMatchObject({
        error: 'test_outcome_timeout',
        deliveryId: expect.stringMatching(/^dlv_/),
      });
      const [message] = await producedFor(webhook.id, 1);
      expect(message?.request).toMatchObject({
        deliveryId: tested.body.deliveryId,
        trigger: 'test',
        eventType: 'scan.completed',
        webhookVersion: webhook.version,
        company,
        envelope: { event_type: 'scan.completed', data: { company } },
      });
      expect(message?.request.held).toBeUndefined();
    });

    it('returns the outcome the worker records, quoting 500 characters of the answer, also for a paused webhook', async () => {
      const webhook = await createWebhook();
      await post(`/v1/webhooks/${webhook.id}/pause`);
      const answer = post<Record<string, unknown>>(`/v1/webhooks/${webhook.id}/test`, {
        eventType: 'issue.status_changed',
      });
      // Acting as the delivery worker: take the request in, send it once, record the outcome.
      const [message] = await producedFor(webhook.id, 1, TEST_TIMEOUT_MS);
      if (!message) throw new Error('no test request produced');
      expect(message.request).toMatchObject({ trigger: 'test', eventType: 'issue.status_changed' });
      const work = new DeliveryWorkStore(api.database);
      await work.intake([message.request], new Date());
      const claims = await work.claim({
        limit: 1000,
        perWebhookLimit: 1000,
        skipWebhooks: [],
        leaseMs: 60_000,
      });
      const claim = claims.find((c) => c.deliveryId === message.request.deliveryId);
      await work.release(claims.filter((c) => c !== claim));
      if (!claim) throw new Error('test delivery not queued');
      await work.finish(claim, (state) =>
        recordAttempt(
          state,
          { ok: true, statusCode: 201, durationMs: 37 },
          DEFAULT_RETRY_POLICY,
          new Date(),
          {
            url: 'https://hooks.example.com/hookline',
            responseBody: 'x'.repeat(600),
          },
        ),
      );
      expect(await answer).toEqual({
        status: 200,
        body: {
          deliveryId: message.request.deliveryId,
          success: true,
          statusCode: 201,
          durationMs: 37,
          responseSnippet: 'x'.repeat(500),
          error: null,
        },
      });
    });

    it('answers 400 for an unknown event type, 404 for another company’s webhook, producing nothing', async () => {
      const webhook = await createWebhook();
      const bad = await post<{ violations: Array<{ field: string; rule: string }> }>(
        `/v1/webhooks/${webhook.id}/test`,
        { eventType: 'scan.exploded' },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.violations).toContainEqual(
        expect.objectContaining({ field: 'eventType', rule: 'invalid_value' }),
      );
      const unknownField = await post(`/v1/webhooks/${webhook.id}/test`, { url: 'https://x' });
      expect(unknownField.status).toBe(400);
      expect((await post(`/v1/webhooks/${webhook.id}/test`, {}, otherKey)).status).toBe(404);
      expect((await post('/v1/webhooks/wh_unknown/test', {})).status).toBe(404);
      await sleep(500);
      expect(produced.filter((p) => p.request.webhookId === webhook.id)).toEqual([]);
    });
  });

  describe('replay on activation and recovery', () => {
    it('activate with replayMissed queues what was skipped while paused, oldest first', async () => {
      const webhook = await createWebhook();
      await post(`/v1/webhooks/${webhook.id}/pause`);
      const held = [];
      for (let i = 0; i < 4; i++) {
        const request = DeliverySeeder.request(webhook, 'scan.completed', { held: true });
        await seeder.seed(request, [], {
          at: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000),
        });
        held.push(request);
      }
      // Failed, not skipped: recovery's job, not the replay's.
      await seeder.seed(DeliverySeeder.request(webhook), [FAILED], { policy: ONE_SHOT });

      const activated = await post<WebhookBody & { replayed: number }>(
        `/v1/webhooks/${webhook.id}/activate`,
        { replayMissed: true },
      );
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({
        id: webhook.id,
        status: 'active',
        replayed: 4,
        replayComplete: true,
      });

      const messages = await producedFor(webhook.id, 4);
      expect(messages.map((m) => m.request.deliveryId)).toEqual(held.map((r) => r.deliveryId));
      for (const { request } of messages) {
        expect(request).toMatchObject({
          trigger: 'manual',
          webhookVersion: activated.body.version,
          // Sent one at a time, in this order, by the worker.
          ordered: true,
        });
        expect(request.held).toBeUndefined();
      }
    });

    it('activate without replayMissed queues nothing; a bad replayMissed is a 400', async () => {
      const webhook = await createWebhook();
      await post(`/v1/webhooks/${webhook.id}/pause`);
      await seeder.seed(DeliverySeeder.request(webhook, 'scan.completed', { held: true }));
      const bad = await post<{ violations: Array<{ field: string }> }>(
        `/v1/webhooks/${webhook.id}/activate`,
        { replayMissed: 'yes' },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.violations).toContainEqual(
        expect.objectContaining({ field: 'replayMissed' }),
      );
      const activated = await post(`/v1/webhooks/${webhook.id}/activate`, { replayMissed: false });
      expect(activated).toMatchObject({ status: 200, body: { status: 'active', replayed: 0 } });
      await sleep(500);
      expect(produced.filter((p) => p.request.webhookId === webhook.id)).toEqual([]);
    });

    it('recover queues the failed and skipped deliveries created in the window, oldest first', async () => {
      const webhook = await createWebhook();
      // Inside the recovery window (HOOKLINE_RECOVER_MAX_WINDOW_DAYS, 30 by default).
      const start = Date.now() - 2 * 86_400_000;
      const at = (minute: number) => new Date(start + minute * 60_000);
      const seed = async (minute: number, kind: 'failed' | 'skipped' | 'delivered') => {
        const request = DeliverySeeder.request(webhook, 'scan.completed', {
          ...(kind === 'skipped' ? { held: true } : {}),
        });
        const outcomes = kind === 'failed' ? [FAILED] : kind === 'delivered' ? [SUCCEEDED] : [];
        await seeder.seed(request, outcomes, { at: at(minute), policy: ONE_SHOT });
        return request.deliveryId;
      };
      await seed(0, 'failed'); // before the window
      const inWindow = [await seed(1, 'failed'), await seed(2, 'skipped')];
      await seed(3, 'delivered');
      inWindow.push(await seed(4, 'failed'));
      await seed(5, 'failed'); // at until: excluded

      const recovered = await post(`/v1/webhooks/${webhook.id}/recover`, {
        since: at(1).toISOString(),
        until: at(5).toISOString(),
      });
      expect(recovered).toEqual({ status: 202, body: { queued: 3, complete: true } });
      const messages = await producedFor(webhook.id, 3);
      expect(messages.map((m) => m.request.deliveryId)).toEqual(inWindow);
      expect(messages.map((m) => m.request.trigger)).toEqual(['manual', 'manual', 'manual']);

      // Without until: everything since.
      const sinceOnly = await post(`/v1/webhooks/${webhook.id}/recover`, {
        since: at(4).toISOString(),
      });
      expect(sinceOnly).toEqual({ status: 202, body: { queued: 2, complete: true } });
    });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    it.each([
      [{}, 'since', 'required'],
      [{ since: 'yesterday' }, 'since', 'invalid_type'],
      [{ since: yesterday, until: 'soon' }, 'until', 'invalid_type'],
      // A cross-field rule, which the schema cannot state: 422.
      [{ since: yesterday, until: twoDaysAgo }, 'until', 'out_of_range', 422],
      // Further back than the window: bounded, whatever the outage.
      [{ since: '2020-01-01T00:00:00Z' }, 'since', 'out_of_range', 422],
    ])('recover answers %j with a 4xx naming %s', async (body, field, rule, expected = 400) => {
      const webhook = await createWebhook();
      const { status, body: error } = await post<{ violations: Array<{ field: string }> }>(
        `/v1/webhooks/${webhook.id}/recover`,
        body,
      );
      expect(status).toBe(expected);
      expect(error.violations).toContainEqual(expect.objectContaining({ field, rule }));
    });

    it('recover answers 409 while paused and 404 for another company’s webhook', async () => {
      const webhook = await createWebhook();
      await seeder.seed(DeliverySeeder.request(webhook), [FAILED], { policy: ONE_SHOT });
      const since = { since: twoDaysAgo };
      expect((await post(`/v1/webhooks/${webhook.id}/recover`, since, otherKey)).status).toBe(404);
      const theirs = await post(
        `/v1/webhooks/${webhook.id}/activate`,
        { replayMissed: true },
        otherKey,
      );
      expect(theirs.status).toBe(404);
      await post(`/v1/webhooks/${webhook.id}/pause`);
      const paused = await post<{ message: string }>(`/v1/webhooks/${webhook.id}/recover`, since);
      expect(paused.status).toBe(409);
      expect(paused.body.message).toMatch(/is paused/);
      await sleep(500);
      expect(produced.filter((p) => p.request.webhookId === webhook.id)).toEqual([]);
    });
  });
});
