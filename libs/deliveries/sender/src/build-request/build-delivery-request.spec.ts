import { createHmac } from 'node:crypto';
import { customHeaderValueProblem, samplePayload, type EventEnvelope } from '@hookline/contracts';
import fc from 'fast-check';
import {
  SigningError,
  generateSecret,
  verifyStandardWebhook,
  verifyVendorSignature,
} from '@hookline/shared-signing';
import { TemplateRenderError } from '@hookline/shared-templating';
import { Webhook } from 'standardwebhooks';
import {
  MASKED_VALUE,
  buildDeliveryRequest,
  type DeliveryRequestInput,
  type DeliveryWebhook,
} from './build-delivery-request';
import { DeliveryRequestError } from './delivery-request.error';

const DELIVERY_UUID = '6f1d2c3b-4a59-5e6f-8a7b-9c0d1e2f3a4b';
const DELIVERY_ID = `dlv_${DELIVERY_UUID}`;
const NOW = new Date('2025-01-15T15:45:07.900Z');
const NOW_SECONDS = 1736955907;
const PLAIN_SECRET = 'plain-text-secret-0123456789';

function webhook(overrides: Partial<DeliveryWebhook> = {}): DeliveryWebhook {
  return {
    id: 'wh_0123456789abcdef',
    url: 'https://receiver.example.com/hooks',
    type: 'other',
    bodyTemplate: null,
    headers: [],
    secret: null,
    previousSecret: null,
    ...overrides,
  };
}

function input(overrides: Partial<DeliveryRequestInput> = {}): DeliveryRequestInput {
  return {
    webhook: webhook(),
    envelope: samplePayload('scan.completed'),
    deliveryId: DELIVERY_ID,
    now: NOW,
    vendor: 'Corgea',
    ...overrides,
  };
}

const hmacHex = (body: Buffer, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('hex');

describe('buildDeliveryRequest', () => {
  describe('body', () => {
    it('is the default envelope JSON for a webhook without a template', () => {
      const envelope = samplePayload('issue.status_changed');
      const request = buildDeliveryRequest(input({ envelope }));
      expect(request.body.toString('utf8')).toBe(JSON.stringify(envelope));
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(envelope);
      expect(request.url).toBe('https://receiver.example.com/hooks');
    });

    it('is the default envelope for a zapier webhook too', () => {
      const envelope = samplePayload('user.login');
      const request = buildDeliveryRequest(
        input({ webhook: webhook({ type: 'zapier' }), envelope }),
      );
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(envelope);
    });

    it('is a Slack message for a slack webhook without a template', () => {
      const request = buildDeliveryRequest(input({ webhook: webhook({ type: 'slack' }) }));
      const body = JSON.parse(request.body.toString('utf8')) as { text: string; blocks: unknown[] };
      expect(body.text).toBe('Scan completed for *Production API* on main: 8 issues found');
      expect(body.blocks.length).toBeGreaterThan(0);
    });

    it('is the rendered template, with {{time}} the attempt time, for any webhook type', () => {
      const bodyTemplate =
        '{"text": "Scan of {{payload.data.project.name}}: {{payload.data.issues_found}} issues", "t": {{time}}, "id": {{event_id}}}';
      for (const type of ['other', 'slack'] as const) {
        const envelope = samplePayload('scan.completed');
        const request = buildDeliveryRequest(
          input({ webhook: webhook({ type, bodyTemplate }), envelope }),
        );
        expect(JSON.parse(request.body.toString('utf8'))).toEqual({
          text: 'Scan of Production API: 8 issues',
          t: NOW_SECONDS,
          id: envelope.event_id,
        });
      }
    });

    it('treats a blank template as none', () => {
      const envelope = samplePayload('scan.completed');
      const request = buildDeliveryRequest(
        input({ webhook: webhook({ bodyTemplate: '  \n' }), envelope }),
      );
      expect(request.body.toString('utf8')).toBe(JSON.stringify(envelope));
    });

    it('surfaces a template that does not render as the templating lib’s TemplateRenderError', () => {
      for (const bodyTemplate of [
        '{"a": ',
        '{{payload.data.issues_found}}',
        '{{#if x}}{}{{/if}}',
      ]) {
        expect(() => buildDeliveryRequest(input({ webhook: webhook({ bodyTemplate }) }))).toThrow(
          TemplateRenderError,
        );
      }
    });
  });

  describe('headers', () => {
    it('carries the wire contract headers of the seed: the delivery’s UUID, the attempt time in unix seconds', () => {
      const request = buildDeliveryRequest(input());
      expect(request.headers).toEqual({
        'Content-Type': 'application/json',
        'User-Agent': 'Corgea-Webhooks/1.0',
        'X-Corgea-Event': 'scan.completed',
        'X-Corgea-Delivery': DELIVERY_UUID,
        'X-Corgea-Timestamp': String(NOW_SECONDS),
      });
    });

    it('names the headers after the configured vendor', () => {
      const request = buildDeliveryRequest(
        input({ vendor: 'Acme', webhook: webhook({ secret: PLAIN_SECRET }) }),
      );
      expect(Object.keys(request.headers)).toEqual([
        'Content-Type',
        'User-Agent',
        'X-Acme-Event',
        'X-Acme-Delivery',
        'X-Acme-Timestamp',
        'X-Acme-Signature',
      ]);
      expect(request.headers['User-Agent']).toBe('Acme-Webhooks/1.0');
    });

    it('rejects a vendor name that could inject headers (signing lib)', () => {
      expect(() => buildDeliveryRequest(input({ vendor: 'Acme\r\nX-Evil' }))).toThrow(SigningError);
    });

    it('sends the custom headers as configured', () => {
      const headers = [
        { name: 'Authorization', value: 'Bearer abc.def' },
        { name: 'X-Automation-Webhook-Token', value: 'jira-secret' },
      ];
      const request = buildDeliveryRequest(input({ webhook: webhook({ headers }) }));
      expect(request.headers['Authorization']).toBe('Bearer abc.def');
      expect(request.headers['X-Automation-Webhook-Token']).toBe('jira-secret');
    });

    it('never lets a custom header override a reserved or transport header, in any case', () => {
      const secret = generateSecret();
      const headers = [
        { name: 'content-type', value: 'text/plain' },
        { name: 'USER-AGENT', value: 'curl' },
        { name: 'x-corgea-event', value: 'forged' },
        { name: 'X-Corgea-Delivery', value: 'forged' },
        { name: 'x-corgea-timestamp', value: '0' },
        { name: 'X-CORGEA-SIGNATURE', value: 'forged' },
        { name: 'Webhook-Id', value: 'forged' },
        { name: 'webhook-timestamp', value: '0' },
        { name: 'WEBHOOK-SIGNATURE', value: 'v1,forged' },
        { name: 'Host', value: 'internal.example' },
        { name: 'Content-Length', value: '1' },
        { name: 'Transfer-Encoding', value: 'chunked' },
        { name: 'X-Kept', value: 'yes' },
      ];
      const request = buildDeliveryRequest(input({ webhook: webhook({ headers, secret }) }));
      const clean = buildDeliveryRequest(input({ webhook: webhook({ secret }) }));
      expect(request.headers).toEqual({ ...clean.headers, 'X-Kept': 'yes' });
      expect(Object.values(request.headers)).not.toContain('forged');
    });

    it('keeps one custom header per name, whatever its case: the last one wins', () => {
      const headers = [
        { name: 'X-Api-Key', value: 'first' },
        { name: 'x-api-key', value: 'second' },
      ];
      const request = buildDeliveryRequest(input({ webhook: webhook({ headers }) }));
      expect(request.headers['x-api-key']).toBe('second');
      expect(request.headers['X-Api-Key']).toBeUndefined();
    });

    it('refuses a custom header that would inject a line, without echoing its value', () => {
      const bad = [
        { name: 'X-Token', value: 'secret-value\r\nX-Evil: 1' },
        { name: 'X Token', value: 'secret-value' },
        { name: '', value: 'secret-value' },
      ];
      for (const header of bad) {
        const build = (): unknown =>
          buildDeliveryRequest(input({ webhook: webhook({ headers: [header] }) }));
        expect(build).toThrow(DeliveryRequestError);
        expect(build).not.toThrow(/secret-value/);
      }
    });

    it('sends exactly the header values the API accepts (one rule for both)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (value) => {
          const build = (): unknown =>
            buildDeliveryRequest(
              input({ webhook: webhook({ headers: [{ name: 'X-Token', value }] }) }),
            );
          if (customHeaderValueProblem('X-Token', value) === undefined) expect(build).not.toThrow();
          else expect(build).toThrow(DeliveryRequestError);
        }),
      );
    });

    it('refuses an invalid attempt time', () => {
      expect(() => buildDeliveryRequest(input({ now: new Date(Number.NaN) }))).toThrow(
        DeliveryRequestError,
      );
    });
  });

  describe('signatures', () => {
    it('adds no signature headers without a secret', () => {
      const request = buildDeliveryRequest(input());
      const names = Object.keys(request.headers).map((name) => name.toLowerCase());
      expect(names).not.toContain('x-corgea-signature');
      expect(names.filter((name) => name.startsWith('webhook-'))).toEqual([]);
    });

    it('signs the exact body bytes: X-<Vendor>-Signature is the hex HMAC with the secret string', () => {
      const envelope = samplePayload('issue.assigned') as EventEnvelope<'issue.assigned'>;
      envelope.data.project.name = 'Zürich ☃ 🚀 "quoted" \\ \u2028';
      for (const secret of [PLAIN_SECRET, generateSecret()]) {
        const request = buildDeliveryRequest(input({ envelope, webhook: webhook({ secret }) }));
        const signature = request.headers['X-Corgea-Signature'];
        expect(signature).toBe(hmacHex(request.body, secret));
        expect(signature).toMatch(/^[0-9a-f]{64}$/);
        expect(verifyVendorSignature(request.body, signature, secret)).toBe(true);
        expect(verifyVendorSignature(request.body.toString('utf8'), signature, secret)).toBe(true);
      }
    });

    it('signs a rendered template body, not the envelope', () => {
      const bodyTemplate = '{"event": {{payload}}, "t": {{time}}}';
      const request = buildDeliveryRequest(
        input({ webhook: webhook({ bodyTemplate, secret: PLAIN_SECRET }) }),
      );
      expect(request.headers['X-Corgea-Signature']).toBe(hmacHex(request.body, PLAIN_SECRET));
      expect(JSON.parse(request.body.toString('utf8'))).toHaveProperty('t', NOW_SECONDS);
    });

    it('sends only the vendor signature for a secret that is not whsec_', () => {
      const request = buildDeliveryRequest(input({ webhook: webhook({ secret: PLAIN_SECRET }) }));
      expect(request.headers['webhook-signature']).toBeUndefined();
      expect(request.headers['webhook-id']).toBeUndefined();
      expect(request.headers['webhook-timestamp']).toBeUndefined();
    });

    it('adds Standard Webhooks headers for a whsec_ secret, with the delivery UUID as webhook-id', () => {
      const secret = generateSecret();
      const request = buildDeliveryRequest(input({ webhook: webhook({ secret }) }));
      expect(request.headers['webhook-id']).toBe(DELIVERY_UUID);
      expect(request.headers['webhook-timestamp']).toBe(String(NOW_SECONDS));
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(
        verifyStandardWebhook(request.body, request.headers, secret, { nowSeconds: NOW_SECONDS }),
      ).toEqual({ ok: true, id: DELIVERY_UUID, timestamp: NOW_SECONDS });
    });

    it('uses the delivery id itself as webhook-id when it is not dlv_<uuid>', () => {
      const secret = generateSecret();
      const request = buildDeliveryRequest(
        input({ deliveryId: 'test-delivery-1', webhook: webhook({ secret }) }),
      );
      expect(request.headers['webhook-id']).toBe('test-delivery-1');
    });

    it('is verified by the standardwebhooks package', () => {
      const secret = generateSecret();
      const request = buildDeliveryRequest(
        input({ now: new Date(), webhook: webhook({ secret }) }),
      );
      const payload = new Webhook(secret).verify(request.body.toString('utf8'), request.headers);
      expect(payload).toEqual(samplePayload('scan.completed'));
    });

    describe('during a secret rotation', () => {
      const current = generateSecret();
      const previous = generateSecret();

      it('signs Standard Webhooks with both secrets, newest first, until validUntil', () => {
        const now = new Date();
        const validUntil = new Date(now.getTime() + 60_000).toISOString();
        const request = buildDeliveryRequest(
          input({
            now,
            webhook: webhook({ secret: current, previousSecret: { value: previous, validUntil } }),
          }),
        );
        const entries = (request.headers['webhook-signature'] ?? '').split(' ');
        expect(entries).toHaveLength(2);
        const nowSeconds = Math.floor(now.getTime() / 1000);
        const onlyCurrent = buildDeliveryRequest(
          input({ now, webhook: webhook({ secret: current }) }),
        );
        const onlyPrevious = buildDeliveryRequest(
          input({ now, webhook: webhook({ secret: previous }) }),
        );
        expect(entries).toEqual([
          onlyCurrent.headers['webhook-signature'],
          onlyPrevious.headers['webhook-signature'],
        ]);
        for (const secret of [current, previous]) {
          expect(
            verifyStandardWebhook(request.body, request.headers, secret, { nowSeconds }).ok,
          ).toBe(true);
          expect(() =>
            new Webhook(secret).verify(request.body.toString('utf8'), request.headers),
          ).not.toThrow();
        }
        // The vendor header stays one signature with the current secret (seed receivers).
        expect(request.headers['X-Corgea-Signature']).toBe(hmacHex(request.body, current));
      });

      it('drops the previous secret once validUntil is not after now', () => {
        for (const validUntil of [NOW.toISOString(), '2025-01-15T15:00:00.000Z', 'not a date']) {
          const request = buildDeliveryRequest(
            input({
              webhook: webhook({
                secret: current,
                previousSecret: { value: previous, validUntil },
              }),
            }),
          );
          expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(1);
          expect(
            verifyStandardWebhook(request.body, request.headers, previous, {
              nowSeconds: NOW_SECONDS,
            }),
          ).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
        }
      });

      it('ignores a previous secret that cannot sign Standard Webhooks', () => {
        const request = buildDeliveryRequest(
          input({
            webhook: webhook({
              secret: current,
              previousSecret: { value: PLAIN_SECRET, validUntil: '2099-01-01T00:00:00.000Z' },
            }),
          }),
        );
        expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(1);
      });
    });

    it('refuses a malformed secret with the signing lib’s SigningError', () => {
      expect(() => buildDeliveryRequest(input({ webhook: webhook({ secret: 'short' }) }))).toThrow(
        SigningError,
      );
    });
  });

  describe('maskedHeaders', () => {
    it('equals the headers with custom values and signatures replaced by ********', () => {
      const secret = generateSecret();
      const now = new Date();
      const headers = [
        { name: 'Authorization', value: 'Bearer top-secret' },
        { name: 'X-Api-Key', value: 'key-123' },
      ];
      const request = buildDeliveryRequest(
        input({
          now,
          webhook: webhook({
            headers,
            secret,
            previousSecret: {
              value: generateSecret(),
              validUntil: new Date(now.getTime() + 60_000).toISOString(),
            },
          }),
        }),
      );
      const masked = new Set([
        'Authorization',
        'X-Api-Key',
        'X-Corgea-Signature',
        'webhook-signature',
      ]);
      expect(Object.keys(request.maskedHeaders)).toEqual(Object.keys(request.headers));
      for (const [name, value] of Object.entries(request.headers)) {
        expect(request.maskedHeaders[name]).toBe(masked.has(name) ? MASKED_VALUE : value);
      }
      const logged = JSON.stringify(request.maskedHeaders);
      for (const hidden of ['top-secret', 'key-123', request.headers['X-Corgea-Signature'] ?? '']) {
        expect(logged).not.toContain(hidden);
      }
    });
  });
});
