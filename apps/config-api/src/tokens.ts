export const API_KEY_STORE = Symbol('ApiKeyStore');
export const WEBHOOK_STORE = Symbol('WebhookStore');
export const KEY_RING = Symbol('KeyRing');
export const WEBHOOK_INPUT_OPTIONS = Symbol('WebhookInputOptions');
export const WEBHOOK_COMMANDS_OPTIONS = Symbol('WebhookCommandsOptions');
