export { createKafka, explainKafkaConnectError, KafkaConnectRefusedError } from './kafka-client';
export type { KafkaClientOptions, KafkaLogSink } from './kafka-client';
export { KAFKA_CONNECTION_SETTINGS, kafkaConnection, SASL_MECHANISMS } from './kafka-settings';
export type {
  KafkaConnection,
  KafkaConnectionValues,
  KafkaSecurity,
  SaslMechanismSetting,
} from './kafka-settings';
export { describeTopics, ensureTopics, TopicMismatchError, topicMismatches } from './topics';
export type { ExistingTopic, TopicSpec } from './topics';
export {
  DEAD_LETTER_MAX_MESSAGE_BYTES,
  TOPIC_SETTINGS,
  TopicCatalog,
  topicCatalog,
} from './topic-catalog';
export type { CatalogTopic, TopicSettingValues, TopicUser } from './topic-catalog';
export { checkKafka } from './health';
export { isProducerSessionLost, RenewingProducer, renewingProducer } from './renewing-producer';
export { SendCoalescer } from './send-coalescer';
export { splitBySize } from './split-by-size';
export type { TopicSend } from './send-coalescer';
export type { SendingProducer } from './renewing-producer';
export type { KafkaHealth } from './health';
export { followTopic } from './follow-topic';
export { fetchTopicOffsets, isStaleMetadata, whileClusterSettles } from './topic-offsets';
export type { FollowTopicOptions, TopicFollower } from './follow-topic';
export {
  BatchConsumer,
  CONSUMER_SESSION_TIMEOUT_MS,
  PIPELINE_COMMIT_EVERY_MS,
} from './batch-consumer';
export type { BatchConsumerLogger, BatchConsumerOptions, ConsumedBatch } from './batch-consumer';
export { SupervisedConsumer } from './supervised-consumer';
export type { ConsumerStatus, SupervisedConsumerOptions } from './supervised-consumer';
