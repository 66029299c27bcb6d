/** Injection token of the app's kafkajs client. */
export const KAFKA = Symbol('Kafka');
/** Injection token of the app's TypeORM DataSource (only where the app has a database). */
export const DATA_SOURCE = Symbol('DataSource');
/** Injection token of the app's prom-client `Registry`, scraped at GET /metrics. */
export const METRICS_REGISTRY = Symbol('MetricsRegistry');
