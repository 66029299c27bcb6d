import {
  deliveryIdFor,
  type DeliveryRequested,
  type EventType,
  samplePayload,
} from '@hookline/contracts';
import type { Webhook } from '@hookline/webhooks-domain';
import { randomUUID } from 'node:crypto';

/**
 * A `test` request for `webhook`: the sample envelope of `eventType` as a new event of the
 * webhook's company, happening now, so it is its own delivery in the log.
 */
export function testDeliveryRequest(
  webhook: Pick<Webhook, 'id' | 'company' | 'version'>,
  eventType: EventType,
  correlationId: string,
  now: Date,
): DeliveryRequested {
  const eventId = randomUUID();
  const envelope = samplePayload(eventType);
  envelope.event_id = eventId;
  envelope.timestamp = now.toISOString();
  envelope.data.company = webhook.company;
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(eventId, webhook.id),
    eventId,
    webhookId: webhook.id,
    webhookVersion: webhook.version,
    company: webhook.company,
    eventType,
    envelope,
    trigger: 'test',
    requestedAt: now.toISOString(),
    correlationId,
  };
}
