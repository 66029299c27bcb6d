import { EVENT_TYPES, SAMPLE_ENVELOPES, validateDeliveryRequested } from '@hookline/contracts';
import { testDeliveryRequest } from './test-webhook.sample';

const webhook = { id: 'wh_2f7c1c9e0b6a4d3f8e5a1b2c3d4e5f60', company: 'comp-a', version: 7 };
const now = new Date('2026-03-04T05:06:07.000Z');

describe('test webhook request', () => {
  it.each(EVENT_TYPES)('is a valid DeliveryRequested of the sample %s', (eventType) => {
    const request = testDeliveryRequest(webhook, eventType, 'corr-1', now);
    expect(validateDeliveryRequested(request)).toMatchObject({ ok: true });
    expect(request).toMatchObject({
      trigger: 'test',
      webhookId: webhook.id,
      webhookVersion: 7,
      company: 'comp-a',
      eventType,
      requestedAt: now.toISOString(),
      correlationId: 'corr-1',
    });
    expect(request.envelope).toMatchObject({
      event_type: eventType,
      timestamp: now.toISOString(),
      data: { ...SAMPLE_ENVELOPES[eventType].data, company: 'comp-a' },
    });
    expect(request).not.toHaveProperty('held');
  });

  it('is a new event and delivery each time, leaving the shared samples untouched', () => {
    const a = testDeliveryRequest(webhook, 'scan.completed', 'c', now);
    const b = testDeliveryRequest(webhook, 'scan.completed', 'c', now);
    expect(a.eventId).not.toBe(b.eventId);
    expect(a.deliveryId).not.toBe(b.deliveryId);
    expect(a.envelope.event_id).toBe(a.eventId);
    expect(SAMPLE_ENVELOPES['scan.completed'].data.company).not.toBe('comp-a');
  });
});
