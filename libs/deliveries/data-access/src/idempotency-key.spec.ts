import type { DeliveryLogEvent } from '@hookline/contracts';
import { idempotencyKey } from './idempotency-key';

const base: DeliveryLogEvent = {
  schemaVersion: 1,
  type: 'DeliveryRequested',
  deliveryId: 'dlv_1',
  webhookId: 'wh_1',
  company: 'c',
  eventId: 'e',
  eventType: 'scan.completed',
  attempt: null,
  trigger: 'first',
  statusCode: null,
  durationMs: null,
  error: null,
  nextAttemptAt: null,
  recordedAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'x',
};

describe('idempotencyKey', () => {
  it('records a delivery request once, whenever it is replayed', () => {
    expect(idempotencyKey(base)).toBe(
      idempotencyKey({ ...base, recordedAt: '2026-01-02T00:00:00.000Z' }),
    );
  });

  it('tells attempts apart by number and outcome, and replays of one attempt not at all', () => {
    const failed = { ...base, type: 'AttemptFailed' as const, attempt: 1 };
    expect(idempotencyKey(failed)).toBe(idempotencyKey({ ...failed, recordedAt: 'later' }));
    expect(idempotencyKey(failed)).not.toBe(idempotencyKey({ ...failed, attempt: 2 }));
    expect(idempotencyKey(failed)).not.toBe(
      idempotencyKey({ ...failed, type: 'AttemptSucceeded' }),
    );
  });

  it('keeps every manual retry round', () => {
    const manual = { ...base, type: 'ManualRetryRequested' as const, trigger: 'manual' as const };
    expect(idempotencyKey(manual)).not.toBe(
      idempotencyKey({ ...manual, recordedAt: '2026-01-03T00:00:00.000Z' }),
    );
  });
});
