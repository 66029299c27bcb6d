export { PlatformModule } from './platform.module';
export type { PlatformModuleOptions } from './platform.module';
export { HealthHttpController } from './health/health.http.controller';
export { MetricsHttpController } from './metrics/metrics.http.controller';
export { sumMetric } from './metrics/metric-sample';
export { createOutboxMetrics } from './metrics/outbox.metrics';
export {
  createCounter,
  createGauge,
  createHistogram,
  createMetricsRegistry,
} from './metrics/metrics';
export { runApp } from './run-app';
export { OPERATIONS_PATHS, separateOperations } from './operations-port';
export type { OperationsPort } from './operations-port';
export type { RunAppOptions } from './run-app';
export { DATA_SOURCE, KAFKA, METRICS_REGISTRY } from './tokens';
export { LOG_LEVELS, LOG_REDACT_PATHS } from './logging';
export { ReadinessRegistry } from './health/readiness.registry';
export type { ReadinessState } from './health/readiness.registry';
export { logSink, startInBackground } from './background';
export type { LogSink } from './background';
