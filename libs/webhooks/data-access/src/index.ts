export { WEBHOOKS_MIGRATIONS } from './migrations';
export { InvalidCursorError } from './webhook-cursor';
export { rebuildWebhooksProjection, WebhookStore } from './webhook.store';
export type { WebhookChangeListener } from './webhook.store';
export type { WebhookListQuery, WebhookPage, WebhookStoreLimits } from './webhook.store';
export {
  resealWebhookSecrets,
  type ResealOptions,
  type ResealReport,
} from './reseal/reseal-webhook-secrets';
