export { WEBHOOKS_MIGRATIONS } from './migrations';
export { InvalidCursorError } from './webhook-cursor';
export { rebuildWebhooksProjection, WebhookStore } from './webhook.store';
export type { WebhookListQuery, WebhookPage, WebhookStoreLimits } from './webhook.store';
