/** The parsed settings of the delivery worker. */
export const DELIVERY_WORKER_CONFIG = Symbol('DeliveryWorkerConfig');
/** The durable work store (`DeliveryWorkStore`). */
export const DELIVERY_WORK_STORE = Symbol('DeliveryWorkStore');
/** The relay of the delivery log to its topic (`DeliveryLogRelay`). */
export const DELIVERY_LOG_RELAY = Symbol('DeliveryLogRelay');
