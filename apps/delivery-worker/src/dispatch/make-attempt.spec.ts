import {
  deliveryIdFor,
  REQUEST_BODY_LOG_CAP,
  deliveryUuid,
  samplePayload,
  type EventEnvelope,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import { HttpSender, MASKED_VALUE } from '@hookline/deliveries-sender';
import {
  generateMasterKey,
  parseMasterKeys,
  webhookHeaderAad,
  webhookSecretAad,
} from '@hookline/shared-crypto';
import { generateSecret, verifyVendorSignature } from '@hookline/shared-signing';
import { MAX_OUTPUT_BYTES } from '@hookline/shared-templating';
import {
  createTestCa,
  startHttpsReceiver,
  type HttpsReceiver,
  type TestCa,
} from '@hookline/shared-testing';
import { createHash } from 'node:crypto';
import { loggedBody, makeAttempt, type AttemptInput } from './make-attempt';

const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const TOKEN_HEADER = 'X-Automation-Webhook-Token';
const SECRET = generateSecret();
const envelope = samplePayload('issue.status_changed');
const DELIVERY_ID = deliveryIdFor(envelope.event_id, WEBHOOK_ID);
const NOW = new Date('2025-01-15T14:30:01.000Z');

const keyRing = parseMasterKeys(generateMasterKey('k1'));

describe('makeAttempt', () => {
  let ca: TestCa;
  let receiver: HttpsReceiver;
  let sender: HttpSender;

  beforeAll(async () => {
    ca = await createTestCa();
    receiver = await startHttpsReceiver({ ca });
    sender = new HttpSender({ allowCidrs: ['127.0.0.1/32'], extraCa: ca.caPem, timeoutMs: 5000 });
  });

  afterAll(async () => {
    sender.close();
    await receiver.close();
  });

  function record(path: string, overrides: Partial<WebhookConfigRecord> = {}): WebhookConfigRecord {
    return {
      schemaVersion: 1,
      webhookId: WEBHOOK_ID,
      company: 'comp-uuid-1234',
      name: 'Accepted risks to Jira',
      url: receiver.url(path),
      type: 'other',
      events: ['issue.status_changed'],
      projectIds: [],
      statusFilter: [],
      status: 'active',
      version: 3,
      updatedAt: '2025-01-10T09:00:00.000Z',
      bodyTemplate: null,
      signingSecret: keyRing.seal(SECRET, webhookSecretAad(WEBHOOK_ID)),
      headers: [
        {
          name: TOKEN_HEADER,
          value: keyRing.seal(
            'token-123',
            webhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER, receiver.url(path)),
          ),
        },
      ],
      ...overrides,
    };
  }

  const input = (
    webhook: WebhookConfigRecord,
    overrides: Partial<AttemptInput> = {},
  ): AttemptInput => ({
    record: webhook,
    envelope,
    deliveryId: DELIVERY_ID,
    vendor: 'Corgea',
    keyRing,
    sender,
    now: NOW,
    ...overrides,
  });

  it('a 200 is an ok outcome, with what was sent (headers masked) and what came back', async () => {
    receiver.on('/ok', {
      status: 200,
      body: '{"received":true}',
      headers: { 'content-type': 'application/json' },
    });
    const webhook = record('/ok');

    const { outcome, details } = await makeAttempt(input(webhook));

    expect(outcome).toEqual({ ok: true, statusCode: 200, durationMs: expect.any(Number) });
    const [received] = receiver.requests('/ok');
    expect(received).toBeDefined();
    expect(details).toEqual({
      failureClass: null,
      url: webhook.url,
      requestHeaders: expect.objectContaining({
        'Content-Type': 'application/json',
        'User-Agent': 'Corgea-Webhooks/1.0',
        'X-Corgea-Event': 'issue.status_changed',
        'X-Corgea-Delivery': deliveryUuid(DELIVERY_ID),
        'X-Corgea-Timestamp': String(NOW.getTime() / 1000),
        'X-Corgea-Signature': MASKED_VALUE,
        [TOKEN_HEADER]: MASKED_VALUE,
        'webhook-signature': MASKED_VALUE,
      }),
      requestBody: received?.body,
      requestBodyBytes: Buffer.byteLength(received?.body ?? ''),
      requestBodySha256: createHash('sha256')
        .update(received?.body ?? '')
        .digest('hex'),
      requestBodyTruncated: false,
      responseHeaders: expect.objectContaining({ 'content-type': 'application/json' }),
      responseBody: '{"received":true}',
      responseTruncated: false,
    });
    expect(JSON.parse(details.requestBody ?? '')).toEqual(envelope);
    // The opened secrets and header values reach the wire, never the details.
    expect(received?.headers[TOKEN_HEADER.toLowerCase()]).toBe('token-123');
    expect(
      verifyVendorSignature(
        received?.rawBody ?? Buffer.alloc(0),
        received?.headers['x-corgea-signature'] as string,
        SECRET,
      ),
    ).toBe(true);
    expect(JSON.stringify(details)).not.toContain('token-123');
    expect(JSON.stringify(details)).not.toContain(SECRET);
    expect(outcome).not.toHaveProperty('responseBody');
    expect(outcome).not.toHaveProperty('responseHeaders');
  });

  it('a 503 with Retry-After is an http_5xx failure carrying retryAfterSeconds', async () => {
    receiver.on('/busy', { status: 503, body: 'try later', headers: { 'Retry-After': '7' } });

    const { outcome, details } = await makeAttempt(input(record('/busy')));

    expect(outcome).toEqual({
      ok: false,
      failure: 'http_5xx',
      statusCode: 503,
      message: 'HTTP 503 Service Unavailable',
      retryAfterSeconds: 7,
      durationMs: expect.any(Number),
    });
    expect(details).toMatchObject({
      url: receiver.url('/busy'),
      requestBody: receiver.requests('/busy')[0]?.body,
      responseBody: 'try later',
      responseTruncated: false,
      responseHeaders: expect.objectContaining({ 'retry-after': '7' }),
    });
    expect(receiver.requests('/busy')).toHaveLength(1);
  });

  it('a body that cannot be rendered is invalid_template, and nothing is sent', async () => {
    const big = {
      ...envelope,
      data: { ...envelope.data, notes: 'x'.repeat(600_000) },
    } as EventEnvelope;
    const webhook = record('/too-large', {
      bodyTemplate: '{"a": {{payload}}, "b": {{payload}}}',
    });

    const { outcome, details } = await makeAttempt(input(webhook, { envelope: big }));

    expect(outcome).toEqual({
      ok: false,
      failure: 'invalid_template',
      message: expect.stringContaining(String(MAX_OUTPUT_BYTES)),
      durationMs: 0,
    });
    expect(details).toEqual({
      failureClass: null,
      url: webhook.url,
      requestHeaders: null,
      requestBody: null,
      responseHeaders: null,
      responseBody: null,
      responseTruncated: null,
    });
    expect(receiver.requests('/too-large')).toEqual([]);
  });

  it('a secret sealed under another key ring is an `other` failure, and nothing is sent', async () => {
    const otherRing = parseMasterKeys(generateMasterKey('k1'));
    const webhook = record('/foreign-key', {
      signingSecret: otherRing.seal(SECRET, webhookSecretAad(WEBHOOK_ID)),
    });

    const { outcome, details } = await makeAttempt(input(webhook));

    expect(outcome).toEqual({
      ok: false,
      failure: 'other',
      message: expect.stringContaining('did not authenticate'),
      durationMs: 0,
    });
    expect(outcome).not.toHaveProperty('statusCode');
    expect(details).toMatchObject({ url: webhook.url, requestBody: null, requestHeaders: null });
    expect(receiver.requests('/foreign-key')).toEqual([]);
  });

  it('a custom header value that HTTP cannot carry is an `other` failure, and nothing is sent', async () => {
    const webhook = record('/bad-header', {
      headers: [
        {
          name: 'X-Tenant',
          value: keyRing.seal(
            'a\r\nX-Injected: 1',
            webhookHeaderAad(WEBHOOK_ID, 'X-Tenant', receiver.url('/bad-header')),
          ),
        },
      ],
    });

    const { outcome, details } = await makeAttempt(input(webhook));

    expect(outcome).toMatchObject({ ok: false, failure: 'other', durationMs: 0 });
    expect(details.requestBody).toBeNull();
    expect(receiver.requests('/bad-header')).toEqual([]);
  });

  it('without an allow list a call to 127.0.0.1 is blocked_by_policy and never arrives', async () => {
    const strict = new HttpSender({ allowCidrs: [], extraCa: ca.caPem, timeoutMs: 5000 });
    try {
      const webhook = record('/private');

      const { outcome, details } = await makeAttempt(input(webhook, { sender: strict }));

      expect(outcome).toMatchObject({ ok: false, failure: 'blocked_by_policy' });
      expect(outcome).not.toHaveProperty('statusCode');
      expect(details).toMatchObject({
        url: webhook.url,
        requestBody: JSON.stringify(envelope),
        responseHeaders: null,
        responseBody: null,
        responseTruncated: null,
      });
      expect(receiver.requests('/private')).toEqual([]);
    } finally {
      strict.close();
    }
  });
});

describe('loggedBody', () => {
  it('keeps a body up to the cap whole, with its length and SHA-256', () => {
    const body = Buffer.from('{"ok":true}');
    expect(loggedBody(body)).toEqual({
      requestBody: '{"ok":true}',
      requestBodyBytes: 11,
      requestBodySha256: createHash('sha256').update(body).digest('hex'),
      requestBodyTruncated: false,
    });
  });

  it('cuts a larger body at the cap, never inside a character, and proves the whole', () => {
    // "é" is two bytes: with one ASCII byte first, the cap falls inside a character.
    const body = Buffer.from('x' + 'é'.repeat(REQUEST_BODY_LOG_CAP));
    const logged = loggedBody(body);
    expect(logged.requestBodyTruncated).toBe(true);
    expect(logged.requestBodyBytes).toBe(body.byteLength);
    expect(logged.requestBodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(Buffer.byteLength(logged.requestBody ?? '')).toBe(REQUEST_BODY_LOG_CAP - 1);
    expect(logged.requestBody).not.toContain('\ufffd');
  });
});
