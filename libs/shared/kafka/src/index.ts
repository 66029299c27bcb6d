export { createKafka } from './kafka-client';
export type { KafkaClientOptions, KafkaLogSink } from './kafka-client';
export { ensureTopics } from './topics';
export type { TopicSpec } from './topics';
export { checkKafka } from './health';
export type { KafkaHealth } from './health';
