import {
  type DeliveryAttemptDetails,
  type EventEnvelope,
  REQUEST_BODY_LOG_CAP,
} from '@hookline/contracts';
import type { AttemptOutcome } from '@hookline/deliveries-domain';
import { buildDeliveryRequest, type HttpSender } from '@hookline/deliveries-sender';
import type { KeyRing } from '@hookline/shared-crypto';
import { TemplateRenderError } from '@hookline/shared-templating';
import { createHash } from 'node:crypto';
import { openWebhook } from '../webhooks/open-webhook';
import type { DeliveryTarget } from '../webhooks/webhook-directory';

export interface AttemptInput {
  readonly record: DeliveryTarget;
  readonly envelope: EventEnvelope;
  readonly deliveryId: string;
  readonly vendor: string;
  readonly keyRing: KeyRing;
  readonly sender: HttpSender;
  readonly now: Date;
}

export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  readonly details: DeliveryAttemptDetails;
}

/**
 * Makes one call: opens the webhook's secrets, builds the signed request and sends it. Never
 * throws: a body that cannot be rendered is an `invalid_template` failure (permanent), a secret
 * that does not open or a header that cannot be sent is `other`, both without a call.
 */
export async function makeAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { record } = input;
  let request;
  try {
    request = buildDeliveryRequest({
      webhook: openWebhook(input.keyRing, record),
      envelope: input.envelope,
      deliveryId: input.deliveryId,
      now: input.now,
      vendor: input.vendor,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: {
        ok: false,
        failure: error instanceof TemplateRenderError ? 'invalid_template' : 'other',
        message,
        durationMs: 0,
      },
      details: {
        failureClass: null,
        url: record.url,
        requestHeaders: null,
        requestBody: null,
        responseHeaders: null,
        responseBody: null,
        responseTruncated: null,
      },
    };
  }
  const result = await input.sender.send({
    url: request.url,
    headers: request.headers,
    body: request.body,
  });
  const { responseBody, responseHeaders, responseTruncated, ...outcome } = result;
  return {
    outcome: outcome as AttemptOutcome,
    details: {
      failureClass: null,
      url: request.url,
      requestHeaders: request.maskedHeaders,
      ...loggedBody(request.body),
      responseHeaders: responseHeaders ?? null,
      responseBody: responseBody ?? null,
      responseTruncated: responseTruncated ?? null,
    },
  };
}

/**
 * The body as the log keeps it: at most REQUEST_BODY_LOG_CAP bytes (cut at a character
 * boundary), with the whole body's length and SHA-256, so a large custom body never makes a log
 * record too large for Kafka and what was sent can still be proven.
 */
export function loggedBody(
  body: Buffer,
): Pick<
  DeliveryAttemptDetails,
  'requestBody' | 'requestBodyBytes' | 'requestBodySha256' | 'requestBodyTruncated'
> {
  const requestBodySha256 = createHash('sha256').update(body).digest('hex');
  if (body.byteLength <= REQUEST_BODY_LOG_CAP) {
    return {
      requestBody: body.toString('utf8'),
      requestBodyBytes: body.byteLength,
      requestBodySha256,
      requestBodyTruncated: false,
    };
  }
  let end = REQUEST_BODY_LOG_CAP;
  // Back off continuation bytes (10xxxxxx) so the cut never splits a UTF-8 character.
  while (end > 0 && ((body[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return {
    requestBody: body.subarray(0, end).toString('utf8'),
    requestBodyBytes: body.byteLength,
    requestBodySha256,
    requestBodyTruncated: true,
  };
}
