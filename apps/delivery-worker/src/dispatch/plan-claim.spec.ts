import { deliveryIdFor, type DeliveryRequested, SAMPLE_ENVELOPES } from '@hookline/contracts';
import {
  type DeliveryState,
  type DeliveryStatus,
  HELD_WHILE_PAUSED,
} from '@hookline/deliveries-domain';
import type { DeliveryTarget, WebhookLookup } from '../webhooks/webhook-directory';
import {
  CONFIG_NEVER_ARRIVED,
  CONFIG_RECHECK_MS,
  CONFIG_WAIT_MS,
  type ClaimPlanInput,
  planClaim,
  WEBHOOK_DELETED,
} from './plan-claim';

const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const envelope = SAMPLE_ENVELOPES['scan.completed'];
const DELIVERY_ID = deliveryIdFor(envelope.event_id, WEBHOOK_ID);
const REQUESTED_AT = new Date('2025-01-15T14:30:00.000Z');
const SOON = new Date(REQUESTED_AT.getTime() + 1_000);
const LATE = new Date(REQUESTED_AT.getTime() + CONFIG_WAIT_MS);

const request: DeliveryRequested = {
  schemaVersion: 1,
  deliveryId: DELIVERY_ID,
  eventId: envelope.event_id,
  webhookId: WEBHOOK_ID,
  webhookVersion: 2,
  company: envelope.data.company,
  eventType: 'scan.completed',
  envelope,
  trigger: 'first',
  requestedAt: REQUESTED_AT.toISOString(),
  correlationId: envelope.event_id,
};

function state(status: DeliveryStatus): DeliveryState {
  return {
    deliveryId: DELIVERY_ID,
    webhookId: WEBHOOK_ID,
    company: envelope.data.company,
    eventId: envelope.event_id,
    eventType: 'scan.completed',
    correlationId: envelope.event_id,
    trigger: 'first',
    status,
    attempts: 0,
    roundStart: 0,
    nextAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    lastManualRequestAt: null,
    updatedAt: REQUESTED_AT.toISOString(),
  };
}

function target(overrides: Partial<DeliveryTarget> = {}): DeliveryTarget {
  return {
    webhookId: WEBHOOK_ID,
    url: 'https://hooks.example.com/in',
    type: 'other',
    bodyTemplate: null,
    signingSecret: 'sealed',
    previousSigningSecret: null,
    headers: [],
    status: 'active',
    version: 2,
    ...overrides,
  } as DeliveryTarget;
}

const known = (overrides: Partial<DeliveryTarget> = {}): WebhookLookup => ({
  kind: 'known',
  record: target(overrides),
});

/** A pending first call of a known active webhook at the version matched, unless overridden. */
function input(
  overrides: {
    status?: DeliveryStatus;
    trigger?: DeliveryRequested['trigger'];
    hold?: ClaimPlanInput['claim']['hold'];
    webhookVersion?: number;
    lookup?: WebhookLookup;
    pausing?: boolean;
    now?: Date;
  } = {},
): ClaimPlanInput {
  return {
    claim: {
      request: { ...request, trigger: overrides.trigger ?? 'first' },
      state: state(overrides.status ?? 'pending'),
      hold: overrides.hold ?? 'send',
      ...(overrides.webhookVersion === undefined
        ? {}
        : { webhookVersion: overrides.webhookVersion }),
    },
    lookup: overrides.lookup ?? known(),
    pausing: overrides.pausing ?? false,
    now: overrides.now ?? SOON,
  };
}

describe('planClaim', () => {
  it('sends a pending delivery of a known active webhook with the record held', () => {
    expect(planClaim(input())).toEqual({ kind: 'send', webhook: target(), test: false });
  });

  it('sends a scheduled retry like a first call', () => {
    expect(planClaim(input({ status: 'retry_scheduled' })).kind).toBe('send');
  });

  it.each<DeliveryStatus>(['succeeded', 'failed', 'skipped_while_paused'])(
    'drops a delivery that already ended (%s), whatever holds its webhook',
    (status) => {
      expect(planClaim(input({ status }))).toEqual({ kind: 'drop' });
      expect(planClaim(input({ status, hold: 'deleted', lookup: { kind: 'deleted' } }))).toEqual({
        kind: 'drop',
      });
    },
  );

  describe('the database’s hold at the claim', () => {
    it('skips the work of a deleted webhook, test calls too, even if this worker knows it', () => {
      expect(planClaim(input({ hold: 'deleted' }))).toEqual({
        kind: 'skip',
        reason: WEBHOOK_DELETED,
      });
      expect(planClaim(input({ hold: 'deleted', trigger: 'test' }))).toEqual({
        kind: 'skip',
        reason: WEBHOOK_DELETED,
      });
    });

    it('skips the work of a paused webhook, though its config here still says active', () => {
      expect(planClaim(input({ hold: 'paused' }))).toEqual({
        kind: 'skip',
        reason: HELD_WHILE_PAUSED,
      });
    });

    it('sends a test call of a paused webhook', () => {
      expect(planClaim(input({ hold: 'paused', trigger: 'test' }))).toEqual({
        kind: 'send',
        webhook: target(),
        test: true,
      });
    });
  });

  it('skips the work of a webhook this worker saw deleted, test calls too', () => {
    for (const trigger of ['first', 'test'] as const) {
      expect(planClaim(input({ lookup: { kind: 'deleted' }, trigger }))).toEqual({
        kind: 'skip',
        reason: WEBHOOK_DELETED,
      });
    }
  });

  describe('a config that has not arrived', () => {
    const recheck = { kind: 'wait', until: new Date(SOON.getTime() + CONFIG_RECHECK_MS) };

    it('waits for an unknown webhook, looked at again after CONFIG_RECHECK_MS', () => {
      expect(planClaim(input({ lookup: { kind: 'unknown' } }))).toEqual(recheck);
    });

    it('waits for the version the request was matched against', () => {
      expect(planClaim(input({ lookup: known({ version: 1 }) }))).toEqual(recheck);
    });

    it('waits for a later version the database holds', () => {
      expect(planClaim(input({ webhookVersion: 3 }))).toEqual(recheck);
      expect(planClaim(input({ webhookVersion: 2 })).kind).toBe('send');
    });

    it('waits until CONFIG_WAIT_MS after the request, then skips an unknown webhook', () => {
      const justBefore = new Date(LATE.getTime() - 1);
      expect(planClaim(input({ lookup: { kind: 'unknown' }, now: justBefore })).kind).toBe('wait');
      expect(planClaim(input({ lookup: { kind: 'unknown' }, now: LATE }))).toEqual({
        kind: 'skip',
        reason: CONFIG_NEVER_ARRIVED,
      });
    });

    it('after CONFIG_WAIT_MS sends with the older version it has', () => {
      const older = target({ version: 1 });
      expect(planClaim(input({ lookup: known({ version: 1 }), now: LATE }))).toEqual({
        kind: 'send',
        webhook: older,
        test: false,
      });
    });

    it('after CONFIG_WAIT_MS still skips an older version that says paused', () => {
      const older = target({ version: 1, status: 'paused' });
      expect(
        planClaim(input({ lookup: known({ version: 1, status: 'paused' }), now: LATE })),
      ).toEqual({ kind: 'skip', reason: HELD_WHILE_PAUSED, webhook: older });
    });
  });

  describe('a pause this worker knows of', () => {
    it('skips the work of a webhook its config says paused, with the record', () => {
      const paused = target({ status: 'paused' });
      expect(planClaim(input({ lookup: known({ status: 'paused' }) }))).toEqual({
        kind: 'skip',
        reason: HELD_WHILE_PAUSED,
        webhook: paused,
      });
    });

    it('skips the work of a webhook this worker asked to pause', () => {
      expect(planClaim(input({ pausing: true }))).toEqual({
        kind: 'skip',
        reason: HELD_WHILE_PAUSED,
        webhook: target(),
      });
    });

    it('sends test calls all the same, once', () => {
      expect(planClaim(input({ lookup: known({ status: 'paused' }), trigger: 'test' }))).toEqual({
        kind: 'send',
        webhook: target({ status: 'paused' }),
        test: true,
      });
      expect(planClaim(input({ pausing: true, trigger: 'test' })).kind).toBe('send');
    });
  });
});
