export { DELIVERIES_MIGRATIONS } from './migrations';
export { DeliveryLogStore } from './delivery-log.store';
export { idempotencyKey } from './idempotency-key';
