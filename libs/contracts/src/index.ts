// Public API of @hookline/contracts. Anything not exported here is internal.

// Validation results
export {
  ContractValidationError,
  describeViolations,
  type ContractViolation,
  type ValidationResult,
} from './validation/contract-violation';
export { systemClock, type Clock } from './util/clock';

// Event catalog
export {
  EVENT_TYPES,
  ISSUE_STATUSES,
  URGENCIES,
  isEventType,
  isIssueStatus,
  type EventType,
  type IssueStatus,
  type Urgency,
} from './catalog/event-types';
export type { ProjectRef, UserRef } from './catalog/common.schema';
export type { IssueStatusChangedData } from './catalog/issue-status-changed.event';
export type { IssueAssignedData } from './catalog/issue-assigned.event';
export type { ScanEventBase, ScanCompletedData } from './catalog/scan-completed.event';
export type { ScanStartedData } from './catalog/scan-started.event';
export type { ScanFailedData } from './catalog/scan-failed.event';
export type { UserLoginData } from './catalog/user-login.event';
export type { UserLoginFailedData } from './catalog/user-login-failed.event';
export {
  EVENT_CATALOG,
  validateEventData,
  type EventCatalogEntry,
  type EventCategory,
  type EventDataMap,
  type JsonSchema,
} from './catalog/event-catalog';

// Envelope (the default payload)
export {
  ENVELOPE_SCHEMA,
  eventEnvelopeSchema,
  type EventEnvelope,
} from './envelope/event-envelope';
export { validateEnvelope, parseEnvelope } from './envelope/validate-envelope';
export { buildEnvelope, type BuildEnvelopeOptions } from './envelope/build-envelope';
export { SAMPLE_ENVELOPES, samplePayload } from './samples/sample-envelopes';

// Kafka topics, ids and messages between apps
export {
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  KAFKA_TOPIC_SPECS,
  type KafkaTopicName,
  type KafkaTopicSpec,
} from './messaging/topics';
export {
  DELIVERY_ID_NAMESPACE,
  DELIVERY_ID_PREFIX,
  WEBHOOK_ID_PREFIX,
  deliveryIdFor,
  deliveryUuid,
  isDeliveryId,
  isWebhookId,
  newWebhookId,
} from './messaging/ids';
export {
  DELIVERY_REQUESTED_SCHEMA,
  DELIVERY_TRIGGERS,
  parseDeliveryRequested,
  validateDeliveryRequested,
  type DeliveryRequested,
  type DeliveryTrigger,
} from './messaging/delivery-requested.message';
export {
  WEBHOOK_CONFIG_RECORD_SCHEMA,
  WEBHOOK_STATUSES,
  WEBHOOK_TYPES,
  parseWebhookConfigRecord,
  validateWebhookConfigRecord,
  type SealedHeader,
  type SealedSecret,
  type PreviousSigningSecret,
  type WebhookConfigRecord,
  type WebhookStatus,
  type WebhookType,
} from './messaging/webhook-config-record.message';
export {
  DELIVERY_LOG_EVENT_SCHEMA,
  REQUEST_BODY_LOG_CAP,
  DELIVERY_LOG_EVENT_TYPES,
  parseDeliveryLogEvent,
  validateDeliveryLogEvent,
  type DeliveryAttemptDetails,
  type DeliveryLogEvent,
  type DeliveryLogEventType,
} from './messaging/delivery-log-event.message';
export {
  WEBHOOK_COMMAND_REQUESTED_SCHEMA,
  WEBHOOK_COMMAND_REQUEST_TYPES,
  parseWebhookCommandRequested,
  validateWebhookCommandRequested,
  type WebhookCommandRequestType,
  type WebhookCommandRequested,
} from './messaging/webhook-command-requested.message';
export {
  EVENT_DEAD_LETTERED_SCHEMA,
  buildEventDeadLettered,
  parseEventDeadLettered,
  validateEventDeadLettered,
  type DeadLetterInput,
  type DeadLetterSource,
  type EventDeadLettered,
} from './messaging/event-dead-lettered.message';

// Custom headers: one rule for the API that saves them and the sender that sends them
export {
  CUSTOM_HEADER_LIMITS,
  customHeaderNameProblem,
  customHeaderValueProblem,
  type CustomHeaderProblem,
  type CustomHeaderRule,
} from './http/custom-header';
export {
  DEFAULT_RETENTION_DAYS,
  RETENTION_HEADERS,
  type RetentionWindow,
} from './http/retention-window';
