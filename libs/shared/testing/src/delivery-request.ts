import {
  deliveryIdFor,
  type DeliveryRequested,
  type EventType,
  samplePayload,
} from '@hookline/contracts';
import { randomUUID } from 'node:crypto';

/**
 * A request for a new event of `eventType` (its sample, with a fresh id) to `webhook`, as the
 * event matcher sends it.
 */
export function sampleDeliveryRequest(
  webhook: { readonly id: string; readonly company: string },
  eventType: EventType = 'scan.completed',
  overrides: Partial<DeliveryRequested> = {},
): DeliveryRequested {
  const eventId = randomUUID();
  const envelope = samplePayload(eventType);
  envelope.event_id = eventId;
  envelope.data.company = webhook.company;
  return {
    schemaVersion: 1,
    deliveryId: deliveryIdFor(eventId, webhook.id),
    eventId,
    webhookId: webhook.id,
    webhookVersion: 1,
    company: webhook.company,
    eventType,
    envelope,
    trigger: 'first',
    requestedAt: new Date().toISOString(),
    correlationId: eventId,
    ...overrides,
  };
}
