import {
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
  UTC_TIMESTAMP_SCHEMA,
  WEBHOOK_ID_SCHEMA,
} from '../json-schema/common.schema';
import { deepFreeze } from '../util/deep-freeze';
import { compileMessageValidator } from '../validation/message-validator';

/** The commands other apps may ask of the config aggregate. */
export const WEBHOOK_COMMAND_REQUEST_TYPES = ['AutoPauseWebhook'] as const;

export type WebhookCommandRequestType = (typeof WEBHOOK_COMMAND_REQUEST_TYPES)[number];

/**
 * `webhooks.commands` v1, keyed by webhook id: a command for the Webhook aggregate from another
 * app. The delivery worker asks for `AutoPauseWebhook` when a webhook's consecutive failed calls
 * reach the threshold; the config API executes it, and the matcher learns the pause from
 * `webhooks.config`. Delivered at least once: executing one twice changes nothing (a paused
 * webhook stays paused).
 */
export interface WebhookCommandRequested {
  schemaVersion: 1;
  type: WebhookCommandRequestType;
  webhookId: string;
  company: string;
  /** Why, in words an admin reads on the webhook. */
  reason: string;
  /** The run of failed calls that led to it. */
  consecutiveFailures: number;
  requestedAt: string;
  correlationId: string;
  /**
   * The webhook's version the worker decided against. A command older than a later
   * re-activation (by hand) does nothing. Absent in messages of older workers.
   */
  webhookVersion?: number;
}

export const WEBHOOK_COMMAND_REQUESTED_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'WebhookCommandRequested v1',
  type: 'object',
  required: [
    'schemaVersion',
    'type',
    'webhookId',
    'company',
    'reason',
    'consecutiveFailures',
    'requestedAt',
    'correlationId',
  ],
  properties: {
    schemaVersion: { const: 1 },
    type: { type: 'string', enum: WEBHOOK_COMMAND_REQUEST_TYPES },
    webhookId: WEBHOOK_ID_SCHEMA,
    company: NON_EMPTY_STRING_SCHEMA,
    reason: NON_EMPTY_STRING_SCHEMA,
    consecutiveFailures: { type: 'integer', minimum: 1 },
    requestedAt: UTC_TIMESTAMP_SCHEMA,
    correlationId: NON_EMPTY_STRING_SCHEMA,
    webhookVersion: { type: 'integer', minimum: 1 },
  },
  additionalProperties: true,
} as const);

const validator = compileMessageValidator<WebhookCommandRequested>(
  WEBHOOK_COMMAND_REQUESTED_SCHEMA,
);

/** Validates a parsed `WebhookCommandRequested`. Never throws. */
export const validateWebhookCommandRequested = validator.validate;

/** Parses a `webhooks.commands` message value. Never throws. */
export const parseWebhookCommandRequested = validator.parse;
