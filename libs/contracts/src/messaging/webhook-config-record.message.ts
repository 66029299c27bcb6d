import { ISSUE_STATUS_SCHEMA } from '../catalog/common.schema';
import { EVENT_TYPES, type EventType, type IssueStatus } from '../catalog/event-types';
import {
  BASE64URL_PATTERN,
  HEADER_NAME_PATTERN,
  HTTP_OR_HTTPS_URL_PATTERN,
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
  UTC_TIMESTAMP_SCHEMA,
  WEBHOOK_ID_SCHEMA,
} from '../json-schema/common.schema';
import { deepFreeze } from '../util/deep-freeze';
import { compileMessageValidator } from '../validation/message-validator';

/** The integration type of a webhook, as the product document lists them. */
export const WEBHOOK_TYPES = ['slack', 'zapier', 'other'] as const;

export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** A paused webhook receives nothing until it is reactivated by hand. Deleted = tombstone. */
export const WEBHOOK_STATUSES = ['active', 'paused'] as const;

export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/**
 * A secret value encrypted by the platform's secret box: AES-256-GCM under the key `keyId`,
 * `ciphertext` = base64url(12-byte IV ‖ ciphertext ‖ 16-byte tag). Only the config API (which
 * seals) and the delivery worker (which signs and sends) hold the keys.
 */
export interface SealedSecret {
  alg: 'A256GCM';
  keyId: string;
  ciphertext: string;
}

/** A custom header: the name in clear (shown in the UI, logged), the value sealed. */
export interface SealedHeader {
  name: string;
  value: SealedSecret;
}

/**
 * `webhooks.config` v1, compacted, keyed by webhook id: the full current state of one webhook.
 * A deleted webhook is a tombstone (null value). Consumers apply a record only if its `version`
 * is higher than the one they hold.
 */
export interface WebhookConfigRecord {
  schemaVersion: 1;
  webhookId: string;
  /** The tenant: the webhook only receives this company's events. */
  company: string;
  name: string;
  /**
   * HTTPS (http only where the operator set HOOKLINE_ALLOW_HTTP). For Slack, Zapier and Teams
   * the URL itself is the credential.
   */
  url: string;
  type: WebhookType;
  /** Subscribed event types; empty subscribes to nothing. */
  events: EventType[];
  /** Project filter: empty means all projects. */
  projectIds: string[];
  /** Status filter for `issue.status_changed` (matches `data.status`): empty means all. */
  statusFilter: IssueStatus[];
  status: WebhookStatus;
  /** The webhook aggregate's stream version: strictly increasing per webhook. */
  version: number;
  updatedAt: string;
  /** Custom body template (handlebars JSON object), `null` for the default payload. */
  bodyTemplate: string | null;
  /** The HMAC signing secret, sealed; `null` when the webhook is not signed. */
  signingSecret: SealedSecret | null;
  /**
   * The secret a rotation replaced, still signing beside the new one until `validUntil`.
   * Optional: records written before rotation support lack it.
   */
  previousSigningSecret?: PreviousSigningSecret | null;
  headers: SealedHeader[];
}

export interface PreviousSigningSecret {
  value: SealedSecret;
  validUntil: string;
}

const SEALED_SECRET_PROPERTIES = {
  alg: { const: 'A256GCM' },
  keyId: NON_EMPTY_STRING_SCHEMA,
  ciphertext: { type: 'string', pattern: BASE64URL_PATTERN },
} as const;

export const WEBHOOK_CONFIG_RECORD_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'WebhookConfigRecord v1',
  type: 'object',
  required: [
    'schemaVersion',
    'webhookId',
    'company',
    'name',
    'url',
    'type',
    'events',
    'projectIds',
    'statusFilter',
    'status',
    'version',
    'updatedAt',
    'bodyTemplate',
    'signingSecret',
    'headers',
  ],
  properties: {
    schemaVersion: { const: 1 },
    webhookId: WEBHOOK_ID_SCHEMA,
    company: NON_EMPTY_STRING_SCHEMA,
    name: NON_EMPTY_STRING_SCHEMA,
    url: { type: 'string', format: 'uri', pattern: HTTP_OR_HTTPS_URL_PATTERN },
    type: { type: 'string', enum: WEBHOOK_TYPES },
    events: {
      type: 'array',
      items: { type: 'string', enum: EVENT_TYPES },
      uniqueItems: true,
    },
    projectIds: { type: 'array', items: NON_EMPTY_STRING_SCHEMA, uniqueItems: true },
    statusFilter: { type: 'array', items: ISSUE_STATUS_SCHEMA, uniqueItems: true },
    status: { type: 'string', enum: WEBHOOK_STATUSES },
    version: { type: 'integer', minimum: 1 },
    updatedAt: UTC_TIMESTAMP_SCHEMA,
    bodyTemplate: { type: ['string', 'null'] },
    signingSecret: {
      type: ['object', 'null'],
      required: ['alg', 'keyId', 'ciphertext'],
      properties: SEALED_SECRET_PROPERTIES,
      additionalProperties: false,
    },
    previousSigningSecret: {
      type: ['object', 'null'],
      required: ['value', 'validUntil'],
      properties: {
        value: {
          type: 'object',
          required: ['alg', 'keyId', 'ciphertext'],
          properties: SEALED_SECRET_PROPERTIES,
          additionalProperties: false,
        },
        validUntil: UTC_TIMESTAMP_SCHEMA,
      },
      additionalProperties: false,
    },
    headers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value'],
        properties: {
          name: { type: 'string', pattern: HEADER_NAME_PATTERN },
          value: {
            type: 'object',
            required: ['alg', 'keyId', 'ciphertext'],
            properties: SEALED_SECRET_PROPERTIES,
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: true,
} as const);

const validator = compileMessageValidator<WebhookConfigRecord>(WEBHOOK_CONFIG_RECORD_SCHEMA);

/** Validates a parsed `WebhookConfigRecord`. Never throws. */
export const validateWebhookConfigRecord = validator.validate;

/**
 * Parses a `webhooks.config` message value. A tombstone (null value) is a deletion: handle it
 * before calling this, which rejects it. Never throws.
 */
export const parseWebhookConfigRecord = validator.parse;
