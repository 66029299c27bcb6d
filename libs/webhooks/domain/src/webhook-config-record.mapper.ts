import type { WebhookConfigRecord } from '@hookline/contracts';
import type { Webhook } from './webhook';

/**
 * The `webhooks.config` record of a webhook's current state (v1). A deleted webhook has no
 * record: publish a tombstone instead.
 *
 * During a rotation's grace period the record carries the previous secret with its end, so the
 * delivery worker signs with both.
 *
 * @throws Error for a deleted webhook.
 */
export function toConfigRecord(webhook: Webhook): WebhookConfigRecord {
  if (webhook.deleted) {
    throw new Error(`webhook ${webhook.id} is deleted: publish a tombstone, not a record`);
  }
  return {
    schemaVersion: 1,
    webhookId: webhook.id,
    company: webhook.company,
    name: webhook.name,
    url: webhook.url,
    type: webhook.type,
    events: [...webhook.events],
    projectIds: [...webhook.projectIds],
    statusFilter: [...webhook.statusFilter],
    status: webhook.status,
    version: webhook.version,
    updatedAt: webhook.updatedAt,
    bodyTemplate: webhook.bodyTemplate,
    signingSecret: webhook.secret === null ? null : { ...webhook.secret },
    previousSigningSecret:
      webhook.previousSecret === null
        ? null
        : {
            value: { ...webhook.previousSecret.value },
            validUntil: webhook.previousSecret.validUntil,
          },
    headers: webhook.headers.map((h) => ({ name: h.name, value: { ...h.value } })),
  };
}
