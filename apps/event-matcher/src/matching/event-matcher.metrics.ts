import { createCounter } from '@hookline/shared-nest';
import type { Registry } from 'prom-client';

export type MatcherMetrics = ReturnType<typeof createMatcherMetrics>;

/** The matcher's counters (listed in libs/shared/nest/README.md). */
export function createMatcherMetrics(registry: Registry) {
  return {
    eventsConsumed: createCounter(registry, {
      name: 'hookline_events_consumed_total',
      help: 'Ingest messages consumed (and committed after their requests were produced)',
      labelNames: ['topic'],
    }),
    eventsMatched: createCounter(registry, {
      name: 'hookline_events_matched_total',
      help: 'Events that matched at least one webhook',
    }),
    requestsProduced: createCounter(registry, {
      name: 'hookline_delivery_requests_produced_total',
      help: 'DeliveryRequested messages produced to the deliveries topic',
    }),
    eventsDeadLettered: createCounter(registry, {
      name: 'hookline_events_dead_lettered_total',
      help: 'Ingest messages sent to the dead-letter topic, by the rule the first violation broke',
      labelNames: ['reason'],
    }),
  };
}
