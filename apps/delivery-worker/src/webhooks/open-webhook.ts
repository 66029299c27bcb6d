import type { WebhookConfigRecord } from '@hookline/contracts';
import type { DeliveryWebhook } from '@hookline/deliveries-sender';
import { type KeyRing, webhookHeaderAad, webhookSecretAad } from '@hookline/shared-crypto';

/**
 * Opens a webhook's sealed signing secrets and custom header values for one attempt. The
 * plain values live only in the returned object, for as long as the call takes.
 * @throws CryptoError when a value does not open (an unknown key id, or a value sealed for
 *   another webhook or field).
 */
export function openWebhook(keyRing: KeyRing, record: WebhookConfigRecord): DeliveryWebhook {
  const { webhookId } = record;
  const previous = record.previousSigningSecret ?? null;
  return {
    id: webhookId,
    url: record.url,
    type: record.type,
    bodyTemplate: record.bodyTemplate,
    headers: record.headers.map((header) => ({
      name: header.name,
      value: keyRing.open(header.value, webhookHeaderAad(webhookId, header.name)),
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
