export { DELIVERIES_MIGRATIONS } from './migrations';
export {
  recordWebhookStatus,
  type WebhookStatusChange,
} from './webhook-status/record-webhook-status';
export {
  DeliveryLogStore,
  type DeliveryLogEntry,
  type DeliveryLogPage,
} from './delivery-log.store';
export {
  DEFAULT_DELIVERY_LOG_LOCK_ID,
  DeliveryLogRelay,
  type DeliveryLogRelayOptions,
} from './delivery-log.relay';
export { idempotencyKey } from './idempotency-key';
export {
  DeliveryWorkStore,
  type ClaimOptions,
  type ClaimedDelivery,
  type FinishItem,
  type FinishOptions,
  type FinishResult,
  type IntakeResult,
  type WebhookStatusView,
} from './delivery-work.store';
export {
  ACTIVITY_MAX_HOURS,
  HISTORY_STATUSES,
  EXPORT_COLUMNS,
  HISTORY_STATUS_MAP,
  type ActivityBucket,
  type ActivityWindow,
  type DeliveryAttempt,
  type DeliveryDetail,
  type DeliveryReads,
  type DeliverySummary,
  type ExportRow,
  type HistoryFilter,
  type HistoryPage,
  type HistoryPageRequest,
  type HistoryStatus,
  type ReplayCursor,
  type ReplayPage,
  type ReplayPageQuery,
  type WebhookStats,
} from './delivery-queries';
export { DeliveryQueries, HISTORY_MAX_LIMIT } from './delivery-queries.store';
export { InvalidCursorError } from './history-cursor';
export { recomputeStats } from './recompute-stats';
export {
  DeliveryPartitions,
  dropExpiredPartitions,
  ensurePartitions,
  MAINTENANCE_LOCK,
  type MaintenanceReport,
  type RetentionStep,
} from './partitions/delivery-partitions';
export {
  PARTITIONED_TABLES,
  PARTITION_WEEKS_AHEAD,
  retentionCutoff,
  weekStart,
} from './partitions/partition-plan';
