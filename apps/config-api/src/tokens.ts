export const API_KEY_STORE = Symbol('ApiKeyStore');
export const WEBHOOK_STORE = Symbol('WebhookStore');
export const KEY_RING = Symbol('KeyRing');
export const WEBHOOK_INPUT_OPTIONS = Symbol('WebhookInputOptions');
export const WEBHOOK_COMMANDS_OPTIONS = Symbol('WebhookCommandsOptions');
export const DELIVERY_READS = Symbol('DeliveryReads');
export const DELIVERY_REQUEST_OUTBOX = Symbol('DeliveryRequestOutbox');
export const TEST_WEBHOOK_OPTIONS = Symbol('TestWebhookOptions');
