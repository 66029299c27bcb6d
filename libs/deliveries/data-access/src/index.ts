export { DELIVERIES_MIGRATIONS } from './migrations';
export {
  DeliveryLogStore,
  type DeliveryLogEntry,
  type DeliveryLogPage,
} from './delivery-log.store';
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
