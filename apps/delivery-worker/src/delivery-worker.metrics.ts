import type { DeliveryLogRelay, DeliveryWorkStore } from '@hookline/deliveries-data-access';
import { createCounter, createGauge, createHistogram } from '@hookline/shared-nest';
import type { Counter, Registry } from 'prom-client';
import type { DispatcherMetrics } from './dispatch/delivery-dispatcher';

/** What the scrape-time gauges read. */
export interface WorkerMetricSources {
  readonly store: Pick<DeliveryWorkStore, 'queueDepth'>;
  readonly logRelay: Pick<DeliveryLogRelay, 'lagSeconds'>;
  readonly callsInFlight: () => number;
  readonly webhooksPaused: () => number;
}

export interface WorkerMetrics extends DispatcherMetrics {
  readonly intake: Counter;
  readonly requestsDeadLettered: Counter;
}

type QueueDepth = Awaited<ReturnType<DeliveryWorkStore['queueDepth']>>;

/** How long one count of the work queue answers scrapes. */
const QUEUE_DEPTH_MAX_AGE_MS = 5_000;

/** Attempt latency from 10 ms to the 10 s default timeout, in seconds. */
const ATTEMPT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The delivery worker's metrics (listed in libs/shared/nest/README.md). */
export function createWorkerMetrics(
  registry: Registry,
  sources: WorkerMetricSources,
): WorkerMetrics {
  // Counting the queue scans it: once per QUEUE_DEPTH_MAX_AGE_MS at most, however often scraped.
  let depthCache: { at: number; value: Promise<QueueDepth | undefined> } | undefined;
  const queueDepth = (): Promise<QueueDepth | undefined> => {
    if (!depthCache || Date.now() - depthCache.at >= QUEUE_DEPTH_MAX_AGE_MS) {
      depthCache = { at: Date.now(), value: sources.store.queueDepth().catch(() => undefined) };
    }
    return depthCache.value;
  };
  createGauge(registry, {
    name: 'hookline_delivery_calls_in_flight',
    help: 'Calls to webhook endpoints in flight in this worker',
    collect() {
      this.set(sources.callsInFlight());
    },
  });
  createGauge(registry, {
    name: 'hookline_delivery_queue_depth',
    help: 'Deliveries in the work queue: due (waiting for a worker), scheduled (retry later), claimed',
    labelNames: ['state'],
    async collect() {
      // A database that does not answer must not fail the scrape: the series go missing instead.
      const depth = await queueDepth();
      if (!depth) {
        this.reset();
        return;
      }
      this.set({ state: 'due' }, depth.due);
      this.set({ state: 'scheduled' }, depth.scheduled);
      this.set({ state: 'claimed' }, depth.claimed);
    },
  });
  createGauge(registry, {
    name: 'hookline_delivery_log_relay_lag_seconds',
    help: 'Age of the oldest delivery log event not yet published to the delivery-log topic (0 when none waits)',
    async collect() {
      const lag = await sources.logRelay.lagSeconds().catch(() => undefined);
      if (lag === undefined) this.reset();
      else this.set(lag);
    },
  });
  createGauge(registry, {
    name: 'hookline_webhooks_paused',
    help: 'Webhooks paused, as this worker knows them from webhooks.config',
    collect() {
      this.set(sources.webhooksPaused());
    },
  });
  return {
    intake: createCounter(registry, {
      name: 'hookline_delivery_requests_intake_total',
      help: 'DeliveryRequested messages taken in and recorded (a redelivered one counts again)',
    }),
    requestsDeadLettered: createCounter(registry, {
      name: 'hookline_delivery_requests_dead_lettered_total',
      help: 'Unreadable DeliveryRequested messages sent to the deliveries dead-letter topic',
    }),
    deliveries: createCounter(registry, {
      name: 'hookline_deliveries_total',
      help: 'Deliveries that ended, by outcome (succeeded, failed, skipped)',
      labelNames: ['outcome'],
    }),
    attempts: createCounter(registry, {
      name: 'hookline_delivery_attempts_total',
      help: 'Calls to webhook endpoints, by outcome and failure class (none on success)',
      labelNames: ['outcome', 'failure_class'],
    }),
    attemptDuration: createHistogram(registry, {
      name: 'hookline_delivery_attempt_duration_seconds',
      help: 'Duration of calls to webhook endpoints, by outcome',
      labelNames: ['outcome'],
      buckets: ATTEMPT_BUCKETS,
    }),
    retriesScheduled: createCounter(registry, {
      name: 'hookline_delivery_retries_scheduled_total',
      help: 'Retries scheduled after a failed attempt',
    }),
    autoPauseCommands: createCounter(registry, {
      name: 'hookline_webhook_auto_pause_commands_sent_total',
      help: 'AutoPauseWebhook commands written for the config API (through the outbox)',
    }),
  };
}
