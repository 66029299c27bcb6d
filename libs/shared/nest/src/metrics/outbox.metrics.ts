import type { OutboxBacklog } from '@hookline/shared-event-store';
import type { Registry } from 'prom-client';
import { createCounter, createGauge } from './metrics';

/**
 * The outbox's metrics, for an app that runs a relay: rows waiting and the oldest one's age
 * (read at scrape time through `backlog`), and rows dead-lettered by this process's relay.
 * Returns the relay's `onDeadLetter`.
 */
export function createOutboxMetrics(
  registry: Registry,
  backlog: () => Promise<OutboxBacklog> | undefined,
): (row: { topic: string }) => void {
  createGauge(registry, {
    name: 'hookline_outbox_rows',
    help: 'Outbox rows waiting to be published to Kafka',
    async collect() {
      const state = await backlog()?.catch(() => undefined);
      if (state) this.set(state.rows);
      else this.reset();
    },
  });
  createGauge(registry, {
    name: 'hookline_outbox_oldest_age_seconds',
    help: 'Age of the oldest outbox row waiting to be published (0 when none waits)',
    async collect() {
      const state = await backlog()?.catch(() => undefined);
      if (state) this.set(state.oldestAgeSeconds);
      else this.reset();
    },
  });
  const deadLettered = createCounter(registry, {
    name: 'hookline_outbox_dead_lettered_total',
    help: 'Outbox rows the broker refused for a reason of their own, moved to outbox_dead_letters',
    labelNames: ['topic'],
  });
  return (row) => deadLettered.inc({ topic: row.topic });
}
