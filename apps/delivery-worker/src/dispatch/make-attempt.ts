import type {
  DeliveryAttemptDetails,
  EventEnvelope,
  WebhookConfigRecord,
} from '@hookline/contracts';
import type { AttemptOutcome } from '@hookline/deliveries-domain';
import { buildDeliveryRequest, type HttpSender } from '@hookline/deliveries-sender';
import type { KeyRing } from '@hookline/shared-crypto';
import { TemplateRenderError } from '@hookline/shared-templating';
import { openWebhook } from '../webhooks/open-webhook';

export interface AttemptInput {
  readonly record: WebhookConfigRecord;
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
      requestBody: request.body.toString('utf8'),
      responseHeaders: responseHeaders ?? null,
      responseBody: responseBody ?? null,
      responseTruncated: responseTruncated ?? null,
    },
  };
}
