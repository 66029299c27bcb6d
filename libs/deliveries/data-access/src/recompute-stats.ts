import type { DeliveryLogEvent } from '@hookline/contracts';
import { type DeliveryState, evolveDelivery } from '@hookline/deliveries-domain';
import type { WebhookStats } from './delivery-queries';

export interface CallTally {
  calls: number;
  successfulCalls: number;
  failedCalls: number;
  consecutiveFailures: number;
  lastTriggeredAt: string | null;
}

const emptyTally = (): CallTally => ({
  calls: 0,
  successfulCalls: 0,
  failedCalls: 0,
  consecutiveFailures: 0,
  lastTriggeredAt: null,
});

/**
 * The statistics of every webhook in `events`, from the log alone: what `webhook_stats` and the
 * `deliveries` counts add up to. `events` in log order (global position). Test deliveries (first
 * requested with trigger `test`) and test calls are left out, as the projections leave them out;
 * a webhook that only had test deliveries gets zeros. Pure.
 */
export function recomputeStats(events: readonly DeliveryLogEvent[]): Map<string, WebhookStats> {
  const deliveries = new Map<string, DeliveryState>();
  const tests = new Set<string>();
  const tallies = new Map<string, CallTally>();
  for (const event of events) {
    const tally = tallies.get(event.webhookId) ?? emptyTally();
    tallies.set(event.webhookId, tally);
    const before = deliveries.get(event.deliveryId);
    if (before === undefined && event.trigger === 'test') tests.add(event.deliveryId);
    deliveries.set(event.deliveryId, evolveDelivery(before, event));
    if (event.type !== 'AttemptSucceeded' && event.type !== 'AttemptFailed') continue;
    if (event.trigger === 'test' || tests.has(event.deliveryId)) continue;
    tally.calls += 1;
    if (event.type === 'AttemptSucceeded') {
      tally.successfulCalls += 1;
      tally.consecutiveFailures = 0;
    } else {
      tally.failedCalls += 1;
      tally.consecutiveFailures += 1;
    }
    if (tally.lastTriggeredAt === null || event.recordedAt > tally.lastTriggeredAt) {
      tally.lastTriggeredAt = event.recordedAt;
    }
  }

  const counts = new Map<string, { total: number; succeeded: number; failed: number }>();
  for (const state of deliveries.values()) {
    if (tests.has(state.deliveryId)) continue;
    const count = counts.get(state.webhookId) ?? { total: 0, succeeded: 0, failed: 0 };
    count.total += 1;
    if (state.status === 'succeeded') count.succeeded += 1;
    if (state.status === 'failed') count.failed += 1;
    counts.set(state.webhookId, count);
  }

  const stats = new Map<string, WebhookStats>();
  for (const [webhookId, tally] of tallies) {
    const count = counts.get(webhookId) ?? { total: 0, succeeded: 0, failed: 0 };
    stats.set(
      webhookId,
      webhookStats(webhookId, tally, {
        totalDeliveries: count.total,
        successfulDeliveries: count.succeeded,
        failedDeliveries: count.failed,
      }),
    );
  }
  return stats;
}

/** Assembles one webhook's statistics; the success rate is derived, never stored. */
export function webhookStats(
  webhookId: string,
  calls: CallTally,
  deliveries: Pick<WebhookStats, 'totalDeliveries' | 'successfulDeliveries' | 'failedDeliveries'>,
): WebhookStats {
  const finished = deliveries.successfulDeliveries + deliveries.failedDeliveries;
  return {
    webhookId,
    totalCalls: calls.calls,
    successfulCalls: calls.successfulCalls,
    failedCalls: calls.failedCalls,
    consecutiveFailures: calls.consecutiveFailures,
    lastTriggeredAt: calls.lastTriggeredAt,
    ...deliveries,
    successRate: finished === 0 ? null : deliveries.successfulDeliveries / finished,
  };
}
