import { sumMetric } from './metric-sample';
import { createCounter, createGauge, createHistogram, createMetricsRegistry } from './metrics';

describe('app metrics registry', () => {
  it('labels every series with the app and carries the default Node metrics', async () => {
    const registry = createMetricsRegistry('spec-app');
    createCounter(registry, { name: 'hookline_things_total', help: 'Things' }).inc();

    const text = await registry.metrics();

    expect(text).toContain('hookline_things_total{app="spec-app"} 1');
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{app="spec-app"\} /m);
  });

  it('keeps two apps of one process apart', async () => {
    const a = createMetricsRegistry('a');
    const b = createMetricsRegistry('b');
    createCounter(a, { name: 'hookline_things_total', help: 'Things' }).inc(5);
    createCounter(b, { name: 'hookline_things_total', help: 'Things' });

    expect(await b.getSingleMetricAsString('hookline_things_total')).toContain(
      'hookline_things_total{app="b"} 0',
    );
    expect(await a.getSingleMetricAsString('hookline_things_total')).toContain(
      'hookline_things_total{app="a"} 5',
    );
  });

  it('collects gauges when scraped and buckets histograms in seconds', async () => {
    const registry = createMetricsRegistry('spec-app');
    let depth = 7;
    createGauge(registry, {
      name: 'hookline_depth',
      help: 'Depth',
      labelNames: ['state'],
      async collect() {
        this.set({ state: 'due' }, await Promise.resolve(depth));
      },
    });
    const latency = createHistogram(registry, {
      name: 'hookline_latency_seconds',
      help: 'Latency',
      buckets: [0.1, 1],
    });
    latency.observe(0.05);

    expect(await registry.getSingleMetricAsString('hookline_depth')).toContain(
      'hookline_depth{state="due",app="spec-app"} 7',
    );
    depth = 2;
    expect(await registry.getSingleMetricAsString('hookline_depth')).toContain(
      'hookline_depth{state="due",app="spec-app"} 2',
    );
    expect(await registry.getSingleMetricAsString('hookline_latency_seconds')).toContain(
      'hookline_latency_seconds_bucket{le="0.1",app="spec-app"} 1',
    );
  });
});

describe('sumMetric', () => {
  const text = [
    '# HELP hookline_attempts_total Attempts',
    '# TYPE hookline_attempts_total counter',
    'hookline_attempts_total{outcome="succeeded",failure_class="none",app="w"} 3',
    'hookline_attempts_total{outcome="failed",failure_class="timeout",app="w"} 2',
    'hookline_attempts_total_other{outcome="succeeded"} 9',
    'hookline_up 1',
  ].join('\n');

  it('sums the samples of a name whose labels match, and is 0 for none', () => {
    expect(sumMetric(text, 'hookline_attempts_total')).toBe(5);
    expect(sumMetric(text, 'hookline_attempts_total', { outcome: 'succeeded' })).toBe(3);
    expect(sumMetric(text, 'hookline_attempts_total', { outcome: 'skipped' })).toBe(0);
    expect(sumMetric(text, 'hookline_up')).toBe(1);
    expect(sumMetric(text, 'hookline_missing')).toBe(0);
  });
});
