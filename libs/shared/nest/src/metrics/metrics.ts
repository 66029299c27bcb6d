import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * The app's own registry (not prom-client's global one, so apps started in one test process keep
 * their metrics apart): default Node metrics, and an `app` label on every series.
 */
export function createMetricsRegistry(appName: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: appName });
  // The event-loop delay histogram samples with a timer: prom-client's default of 10 ms woke each
  // idle app 100 times a second, about 0.002 of the 0.007 core it used. Ten samples a second
  // still catch any stall worth a metric.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

/** A counter on the app's registry. Names start with `hookline_` and end with `_total`. */
export function createCounter<L extends string = string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  return new Counter<L>({ ...config, registers: [registry] });
}

/** A histogram on the app's registry; durations in seconds. */
export function createHistogram<L extends string = string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  return new Histogram<L>({ ...config, registers: [registry] });
}

/** A gauge on the app's registry; `collect` may set it when scraped (it may be async). */
export function createGauge<L extends string = string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  return new Gauge<L>({ ...config, registers: [registry] });
}
