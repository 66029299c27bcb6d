import {
  customHeaderNameProblem,
  customHeaderValueProblem,
  deliveryUuid,
  type EventEnvelope,
  type WebhookType,
} from '@hookline/contracts';
import {
  parseSecret,
  signStandardWebhook,
  signVendorSignature,
  vendorHeaders,
} from '@hookline/shared-signing';
import { renderTemplate } from '@hookline/shared-templating';
import { DeliveryRequestError } from './delivery-request.error';
import { buildSlackMessage } from './slack-message';

/** What the sender needs of a webhook, with secrets and header values already opened. */
export interface DeliveryWebhook {
  readonly id: string;
  readonly url: string;
  readonly type: WebhookType;
  /** Custom Body template, or `null` (blank counts as none) for the default body. */
  readonly bodyTemplate: string | null;
  /** Custom headers in plain text; sent as they are, masked in the log. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** The current signing secret, or `null` for unsigned deliveries. */
  readonly secret: string | null;
  /** The secret being rotated out, still signed with (Standard Webhooks) until `validUntil`. */
  readonly previousSecret: { readonly value: string; readonly validUntil: string } | null;
}

export interface DeliveryRequestInput {
  readonly webhook: DeliveryWebhook;
  readonly envelope: EventEnvelope;
  readonly deliveryId: string;
  /** The attempt's time: `X-<Vendor>-Timestamp`, `webhook-timestamp` and `{{time}}`. */
  readonly now: Date;
  /** The vendor name of the header scheme (setting; default `Corgea`). */
  readonly vendor: string;
}

export interface DeliveryRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The exact bytes to send; every signature is over these. */
  readonly body: Buffer;
  /** `headers` for the delivery log: custom header values and signatures as `********`. */
  readonly maskedHeaders: Record<string, string>;
}

/** What a masked header value reads as in the delivery log. */
export const MASKED_VALUE = '********';

// Headers whose meaning belongs to the HTTP client: a custom value would corrupt the framing of
// the request or its destination.
const TRANSPORT_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
];

/**
 * Builds one delivery attempt's HTTP request: the body (custom template, Slack message for a
 * `slack` webhook, or the default envelope JSON), the wire-contract headers, the custom headers,
 * and, when the webhook has a secret, `X-<Vendor>-Signature` over the exact body bytes plus the
 * Standard Webhooks headers (for a `whsec_` secret; during a rotation both secrets, newest first).
 * Pure: no I/O, the same input gives the same request.
 * @throws TemplateRenderError (templating lib) when the custom body cannot be rendered.
 * @throws SigningError (signing lib) for an invalid vendor name or secret.
 * @throws DeliveryRequestError for a custom header that cannot be sent, or an invalid `now`.
 */
export function buildDeliveryRequest(input: DeliveryRequestInput): DeliveryRequest {
  const { webhook, envelope, deliveryId, now } = input;
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs) || nowMs < 0) {
    throw new DeliveryRequestError('invalid_time', 'the attempt time is not a valid date');
  }
  const timestamp = Math.floor(nowMs / 1000);
  const names = vendorHeaders(input.vendor);
  const body = Buffer.from(renderBody(webhook, envelope, timestamp), 'utf8');

  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': names.userAgent,
    [names.eventHeader]: envelope.event_type,
    // The product document's `<delivery-uuid>`: the id without its `dlv_` prefix.
    [names.deliveryHeader]: deliveryUuid(deliveryId),
    [names.timestampHeader]: String(timestamp),
  };
  const masked: Record<string, string> = { ...headers };

  const reserved = new Set(
    [
      ...Object.keys(headers),
      names.signatureHeader,
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      ...TRANSPORT_HEADERS,
    ].map((name) => name.toLowerCase()),
  );
  // One entry per name whatever its case; a later header replaces an earlier one.
  const custom = new Map<string, { name: string; value: string }>();
  for (const header of webhook.headers) {
    checkCustomHeader(header.name, header.value);
    const key = header.name.toLowerCase();
    // Validated at save time already; if one slips through, the reserved header wins.
    if (reserved.has(key)) continue;
    custom.delete(key);
    custom.set(key, { name: header.name, value: header.value });
  }
  for (const { name, value } of custom.values()) {
    headers[name] = value;
    masked[name] = MASKED_VALUE;
  }

  if (webhook.secret !== null) {
    const current = parseSecret(webhook.secret);
    headers[names.signatureHeader] = signVendorSignature(body, current.value);
    masked[names.signatureHeader] = MASKED_VALUE;
    if (current.standardKey !== undefined) {
      const secrets = [current.value];
      const previous = activePreviousSecret(webhook.previousSecret, nowMs);
      if (previous !== undefined) secrets.push(previous);
      const standard = signStandardWebhook(
        body,
        { id: deliveryUuid(deliveryId), timestamp },
        secrets,
      );
      Object.assign(headers, standard);
      Object.assign(masked, standard, { 'webhook-signature': MASKED_VALUE });
    }
  }

  return { url: webhook.url, headers, body, maskedHeaders: masked };
}

function renderBody(webhook: DeliveryWebhook, envelope: EventEnvelope, time: number): string {
  if (webhook.bodyTemplate !== null && webhook.bodyTemplate.trim() !== '') {
    return renderTemplate(webhook.bodyTemplate, envelope, { time });
  }
  if (webhook.type === 'slack') return JSON.stringify(buildSlackMessage(envelope));
  return JSON.stringify(envelope);
}

// The API's rule, checked again: a header saved before the rule held is refused here, not sent.
function checkCustomHeader(name: string, value: string): void {
  const problem = customHeaderNameProblem(name, null) ?? customHeaderValueProblem(name, value);
  // A sender-owned name is skipped by the caller (the reserved header wins), not refused.
  if (problem !== undefined && problem.rule !== 'forbidden_header') {
    throw new DeliveryRequestError(
      'invalid_header',
      `custom header ${JSON.stringify(name.slice(0, 64))}: ${problem.message}`,
    );
  }
}

/**
 * The previous secret while its grace period lasts, if it can sign Standard Webhooks. An
 * unreadable `validUntil` or a non-`whsec_` previous secret ends the grace period: the current
 * secret alone still signs.
 */
function activePreviousSecret(
  previous: DeliveryWebhook['previousSecret'],
  nowMs: number,
): string | undefined {
  if (previous === null) return undefined;
  const until = Date.parse(previous.validUntil);
  if (!Number.isFinite(until) || until <= nowMs) return undefined;
  try {
    const parsed = parseSecret(previous.value);
    return parsed.standardKey === undefined ? undefined : parsed.value;
  } catch {
    return undefined;
  }
}
