import type { DeliveryLogEvent } from '@hookline/contracts';
import { recomputeStats } from './recompute-stats';

let clock = Date.parse('2026-11-26T00:00:00.000Z');

function event(
  type: DeliveryLogEvent['type'],
  deliveryId: string,
  fields: Partial<DeliveryLogEvent> = {},
): DeliveryLogEvent {
  clock += 1000;
  return {
    schemaVersion: 1,
    type,
    deliveryId,
    webhookId: 'wh_1',
    company: 'acme',
    eventId: `evt_${deliveryId}`,
    eventType: 'scan.completed',
    attempt: null,
    trigger: 'first',
    statusCode: null,
    durationMs: null,
    error: null,
    nextAttemptAt: null,
    recordedAt: new Date(clock).toISOString(),
    correlationId: deliveryId,
    ...fields,
  };
}

const ok = (id: string, attempt: number, trigger: DeliveryLogEvent['trigger'] = 'first') =>
  event('AttemptSucceeded', id, { attempt, trigger, statusCode: 200, durationMs: 5 });
const failed = (id: string, attempt: number, trigger: DeliveryLogEvent['trigger'] = 'first') =>
  event('AttemptFailed', id, { attempt, trigger, statusCode: 500, durationMs: 5, error: 'x' });

describe('recomputeStats', () => {
  it('counts calls and deliveries by outcome, and the failures since the last success', () => {
    const events = [
      event('DeliveryRequested', 'd1'),
      failed('d1', 1),
      event('RetryScheduled', 'd1', { attempt: 2, trigger: 'retry' }),
      ok('d1', 2, 'retry'),
      event('DeliveryRequested', 'd2'),
      failed('d2', 1),
      event('DeliveryFailed', 'd2', { attempt: 1, error: 'gave up' }),
      event('DeliveryRequested', 'd3'),
      event('DeliverySkipped', 'd3', { error: 'paused' }),
      event('DeliveryRequested', 'd4'),
    ];
    const stats = recomputeStats(events).get('wh_1');
    expect(stats).toEqual({
      webhookId: 'wh_1',
      totalCalls: 3,
      successfulCalls: 1,
      failedCalls: 2,
      consecutiveFailures: 1,
      lastTriggeredAt: events[5]?.recordedAt,
      totalDeliveries: 4,
      successfulDeliveries: 1,
      failedDeliveries: 1,
      successRate: 0.5,
    });
  });

  it('leaves test deliveries and every call of them out, even after a manual retry', () => {
    const events = [
      event('DeliveryRequested', 't1', { trigger: 'test' }),
      failed('t1', 1, 'test'),
      event('DeliveryFailed', 't1', { attempt: 1, trigger: 'test', error: 'x' }),
      event('ManualRetryRequested', 't1', { trigger: 'manual' }),
      ok('t1', 2, 'manual'),
    ];
    expect(recomputeStats(events).get('wh_1')).toMatchObject({
      totalCalls: 0,
      consecutiveFailures: 0,
      lastTriggeredAt: null,
      totalDeliveries: 0,
      successRate: null,
    });
  });

  it('counts a manually retried delivery once, by its latest outcome', () => {
    const events = [
      event('DeliveryRequested', 'm1'),
      failed('m1', 1),
      event('DeliveryFailed', 'm1', { attempt: 1, error: 'x' }),
      event('ManualRetryRequested', 'm1', { trigger: 'manual' }),
      ok('m1', 2, 'manual'),
    ];
    expect(recomputeStats(events).get('wh_1')).toMatchObject({
      totalCalls: 2,
      totalDeliveries: 1,
      successfulDeliveries: 1,
      failedDeliveries: 0,
      successRate: 1,
    });
  });
});
