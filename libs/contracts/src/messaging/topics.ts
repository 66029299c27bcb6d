/**
 * Kafka topic names. The ingest topic is the default of a setting (the matcher may consume
 * others); the rest are fixed.
 */
export const KAFKA_TOPICS = {
  /** Ingest (default): producers publish `EventEnvelope` JSON. */
  platformEvents: 'platform.events',
  /** Ingest messages that failed to parse or validate: `EventDeadLettered`. */
  platformEventsDlq: 'platform.events.dlq',
  /** Compacted: the current `WebhookConfigRecord` per webhook id; a tombstone on delete. */
  webhooksConfig: 'webhooks.config',
  /** `DeliveryRequested`, keyed by webhook id (one webhook's deliveries stay in order). */
  webhooksDeliveries: 'webhooks.deliveries',
  /** `webhooks.deliveries` messages the delivery worker could not read: `EventDeadLettered`. */
  webhooksDeliveriesDlq: 'webhooks.deliveries.dlq',
  /** `DeliveryLogEvent`, the delivery event log streamed for analytics, keyed by webhook id. */
  webhooksDeliveryLog: 'webhooks.delivery-log',
  /** `WebhookCommandRequested`, commands for the config aggregate from other apps, keyed by webhook id. */
  webhooksCommands: 'webhooks.commands',
} as const;

export type KafkaTopicName = (typeof KAFKA_TOPICS)[keyof typeof KAFKA_TOPICS];

/** What topic provisioning needs to know about each topic, beyond partitions and replicas. */
export interface KafkaTopicSpec {
  readonly name: KafkaTopicName;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** What the message key is. */
  readonly key: string;
  /** The contract of the message value. */
  readonly value: string;
}

export const KAFKA_TOPIC_SPECS: readonly KafkaTopicSpec[] = Object.freeze([
  {
    name: KAFKA_TOPICS.platformEvents,
    cleanupPolicy: 'delete',
    key: "producer's choice (company or event id recommended); not relied on",
    value: 'EventEnvelope (JSON)',
  },
  {
    name: KAFKA_TOPICS.platformEventsDlq,
    cleanupPolicy: 'delete',
    key: 'the original message key',
    value: 'EventDeadLettered v1 (JSON)',
  },
  {
    name: KAFKA_TOPICS.webhooksConfig,
    cleanupPolicy: 'compact',
    key: 'webhook id (wh_…)',
    value: 'WebhookConfigRecord v1 (JSON); null (tombstone) when the webhook is deleted',
  },
  {
    name: KAFKA_TOPICS.webhooksDeliveries,
    cleanupPolicy: 'delete',
    key: 'webhook id (wh_…)',
    value: 'DeliveryRequested v1 (JSON)',
  },
  {
    name: KAFKA_TOPICS.webhooksDeliveriesDlq,
    cleanupPolicy: 'delete',
    key: 'the original message key',
    value: 'EventDeadLettered v1 (JSON)',
  },
  {
    name: KAFKA_TOPICS.webhooksDeliveryLog,
    cleanupPolicy: 'delete',
    key: 'webhook id (wh_…)',
    value: 'DeliveryLogEvent v1 (JSON)',
  },
  {
    name: KAFKA_TOPICS.webhooksCommands,
    cleanupPolicy: 'delete',
    key: 'webhook id (wh_…)',
    value: 'WebhookCommandRequested v1 (JSON)',
  },
]);

/** Kafka header names carried across apps (values are UTF-8 strings). */
export const KAFKA_HEADERS = {
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  /** The contract name of the value, e.g. `DeliveryRequested`. */
  messageType: 'message-type',
  /** The value's `schemaVersion`, e.g. `1`. */
  schemaVersion: 'schema-version',
} as const;
