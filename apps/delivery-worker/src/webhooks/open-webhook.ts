import type { DeliveryWebhook } from '@hookline/deliveries-sender';
import { type KeyRing, openWebhookHeader, webhookSecretAad } from '@hookline/shared-crypto';
import type { DeliveryTarget } from './webhook-directory';

/**
 * Opens a webhook's sealed signing secrets and custom header values for one attempt. The
 * plain values live only in the returned object, for as long as the call takes.
 *
 * A header value opens only for the origin of the URL it was saved for (see
 * `openWebhookHeader`): one saved for another origin fails here and is never sent.
 * @throws CryptoError when a value does not open (an unknown key id, a value sealed for
 *   another webhook, field or origin).
 */
export function openWebhook(keyRing: KeyRing, record: DeliveryTarget): DeliveryWebhook {
  const { webhookId } = record;
  const previous = record.previousSigningSecret ?? null;
  return {
    id: webhookId,
    url: record.url,
    type: record.type,
    bodyTemplate: record.bodyTemplate,
    headers: record.headers.map((header) => ({
      name: header.name,
      value: openWebhookHeader(keyRing, webhookId, record.url, header),
    })),
    secret: record.signingSecret
      ? keyRing.open(record.signingSecret, webhookSecretAad(webhookId))
      : null,
    previousSecret: previous
      ? {
          value: keyRing.open(previous.value, webhookSecretAad(webhookId)),
          validUntil: previous.validUntil,
        }
      : null,
  };
}
