import fc from 'fast-check';
import { ContractValidationError } from '../validation/contract-violation';
import {
  DELIVERY_ID_NAMESPACE,
  deliveryIdFor,
  deliveryUuid,
  isDeliveryId,
  isWebhookId,
  newWebhookId,
  uuidV5,
} from './ids';

const EVENT_ID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const webhookIds = fc.stringMatching(/^wh_[A-Za-z0-9]{1,64}$/);

describe('deliveryIdFor', () => {
  it('is dlv_ followed by a name-based (v5) UUID', () => {
    const id = deliveryIdFor(EVENT_ID, WEBHOOK_ID);
    expect(id).toMatch(/^dlv_[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isDeliveryId(id)).toBe(true);
  });

  it('is pinned: the same inputs give the same id in every release', () => {
    // Independently: python3 -c "import uuid; print(uuid.uuid5(uuid.UUID(NAMESPACE), NAME))"
    expect(deliveryIdFor(EVENT_ID, WEBHOOK_ID)).toBe('dlv_30a76eef-c72d-5ad9-ae4f-f748ebe5cbb0');
    expect(deliveryIdFor(EVENT_ID, WEBHOOK_ID)).toBe(
      `dlv_${uuidV5(`${EVENT_ID}:${WEBHOOK_ID}`, DELIVERY_ID_NAMESPACE)}`,
    );
  });

  it('is deterministic: a redelivered event maps to the same delivery', () => {
    fc.assert(
      fc.property(fc.uuid(), webhookIds, (eventId, webhookId) => {
        expect(deliveryIdFor(eventId, webhookId)).toBe(deliveryIdFor(eventId, webhookId));
      }),
    );
  });

  it('ignores the letter case of the event id (a UUID is case-insensitive)', () => {
    expect(deliveryIdFor(EVENT_ID.toUpperCase(), WEBHOOK_ID)).toBe(
      deliveryIdFor(EVENT_ID, WEBHOOK_ID),
    );
  });

  it('differs when the event or the webhook differs', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), webhookIds, webhookIds, (e1, e2, w1, w2) => {
        fc.pre(e1.toLowerCase() !== e2.toLowerCase() || w1 !== w2);
        expect(deliveryIdFor(e1, w1)).not.toBe(deliveryIdFor(e2, w2));
      }),
    );
    expect(deliveryIdFor(EVENT_ID, 'wh_a')).not.toBe(deliveryIdFor(EVENT_ID, 'wh_b'));
  });

  it('rejects an event id that is not a UUID or a webhook id without wh_', () => {
    expect(() => deliveryIdFor('evt-1', WEBHOOK_ID)).toThrow(ContractValidationError);
    expect(() => deliveryIdFor(EVENT_ID, 'webhook-1')).toThrow(
      'cannot derive a delivery id: /webhookId must be a webhook id (wh_…)',
    );
  });
});

describe('deliveryUuid', () => {
  it('is the UUID of a delivery id, what the delivery header carries', () => {
    const id = deliveryIdFor(EVENT_ID, WEBHOOK_ID);
    expect(deliveryUuid(id)).toBe(id.slice('dlv_'.length));
    expect(deliveryUuid(id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('leaves any other id as it is', () => {
    expect(deliveryUuid('bare-1')).toBe('bare-1');
    expect(deliveryUuid('dlv_not-a-uuid')).toBe('dlv_not-a-uuid');
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 name-based UUID of a known name', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('webhook ids', () => {
  it('newWebhookId makes distinct wh_ ids that isWebhookId accepts', () => {
    const ids = Array.from({ length: 100 }, newWebhookId);
    expect(ids.every(isWebhookId)).toBe(true);
    expect(ids[0]).toMatch(/^wh_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(100);
  });

  it.each(['wh_', 'wh-abc', 'WH_abc', 'dlv_abc', 'wh_a-b', `wh_${'a'.repeat(65)}`, 42])(
    '%j is not a webhook id',
    (value) => {
      expect(isWebhookId(value)).toBe(false);
    },
  );
});
