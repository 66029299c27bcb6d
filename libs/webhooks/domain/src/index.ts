// Public API of @hookline/webhooks-domain: the Webhook aggregate. Anything not exported here
// is internal.
export type { PausedReason, PreviousSecret, Webhook } from './webhook';
export {
  FIELD_RULES,
  WEBHOOK_DOMAIN_ERROR_CODES,
  WebhookDomainError,
  type FieldRule,
  type FieldViolation,
  type TemplateErrorDetail,
  type WebhookDomainErrorCode,
} from './webhook.error';
export {
  DEFAULT_SECRET_GRACE_PERIOD_SECONDS,
  MAX_SECRET_GRACE_PERIOD_SECONDS,
  type ActivateWebhook,
  type AutoPauseWebhook,
  type CreateWebhook,
  type DeleteWebhook,
  type PauseWebhook,
  type ResealWebhookSecrets,
  type RotateWebhookSecret,
  type UpdateWebhook,
  type WebhookCommand,
  type WebhookCommandType,
} from './webhook.command';
export {
  WEBHOOK_EVENT_TYPES,
  isWebhookEventType,
  type WebhookActivated,
  type WebhookActivatedData,
  type WebhookAutoPaused,
  type WebhookAutoPausedData,
  type WebhookChanges,
  type WebhookCreated,
  type WebhookCreatedData,
  type WebhookDeleted,
  type WebhookDeletedData,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookPaused,
  type WebhookPausedData,
  type WebhookSecretRotated,
  type WebhookSecretRotatedData,
  type WebhookSecretsResealed,
  type WebhookSecretsResealedData,
  type WebhookUpdated,
  type WebhookUpdatedData,
} from './webhook.event';
export {
  STATUS_FILTER_EVENT,
  WEBHOOK_INPUT_FIELDS,
  WEBHOOK_LIMITS,
  validateWebhookInput,
  type WebhookInput,
  type WebhookInputMode,
  type WebhookInputOptions,
} from './webhook-input.validator';
export { decide, sameOrigin } from './webhook.decider';
export {
  DEFAULT_WEBHOOK_QUOTAS,
  WEBHOOK_QUOTA_CEILINGS,
  quotaViolations,
  type WebhookQuotas,
} from './quotas/webhook-quotas';
export { evolve, rehydrate } from './webhook.evolve';
export { toConfigRecord } from './webhook-config-record.mapper';

// Matching events to webhooks (the event matcher's rules and index)
export { subscriptionFromConfig, type Subscription } from './matching/subscription';
export { matches } from './matching/subscription.matches';
export { SubscriptionIndex } from './matching/subscription-index';
export { DEFAULT_MAX_EVENT_BYTES, routeEvent } from './routing/route-event';
export type { RouteOptions, RouteResult } from './routing/route-event';
