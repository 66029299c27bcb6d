import { EVENT_TYPES, type EventType } from '../catalog/event-types';
import {
  DELIVERY_ID_SCHEMA,
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
  UTC_TIMESTAMP_SCHEMA,
  UUID_SCHEMA,
  WEBHOOK_ID_SCHEMA,
} from '../json-schema/common.schema';
import { deepFreeze } from '../util/deep-freeze';
import { violation, type ContractViolation } from '../validation/contract-violation';
import { compileMessageValidator } from '../validation/message-validator';
import { DELIVERY_TRIGGER_SCHEMA, type DeliveryTrigger } from './delivery-requested.message';
import { deliveryIdFor } from './ids';

/** What happened to a delivery. Past tense; names never change once released. */
export const DELIVERY_LOG_EVENT_TYPES = [
  'DeliveryRequested',
  'AttemptSucceeded',
  'AttemptFailed',
  'RetryScheduled',
  'DeliveryFailed',
  'DeliverySkipped',
  'ManualRetryRequested',
] as const;

export type DeliveryLogEventType = (typeof DELIVERY_LOG_EVENT_TYPES)[number];

/**
 * `webhooks.delivery-log` v1, keyed by webhook id: one entry of the delivery event log, flat so
 * analytics can load it as a row. Fields that do not apply to a `type` are `null`:
 *
 * | type                 | attempt | statusCode       | durationMs | error    | nextAttemptAt |
 * |----------------------|---------|------------------|------------|----------|---------------|
 * | DeliveryRequested    | null    | null             | null       | null     | null          |
 * | AttemptSucceeded     | n       | 2xx              | ms         | null     | null          |
 * | AttemptFailed        | n       | code or null     | ms         | reason   | null          |
 * | RetryScheduled       | n (next)| null             | null       | null     | when          |
 * | DeliveryFailed       | last n  | null             | null       | reason   | null          |
 * | DeliverySkipped      | null    | null             | null       | reason   | null          |
 * | ManualRetryRequested | null    | null             | null       | null     | null          |
 *
 * `DeliverySkipped`: the webhook was paused or deleted between matching and sending.
 *
 * Attempt events (`AttemptSucceeded`, `AttemptFailed`) also carry what was sent and what came
 * back, for troubleshooting and audits: {@link DeliveryAttemptDetails}. Other types leave those
 * fields out (or `null`).
 */
export interface DeliveryLogEvent extends Partial<DeliveryAttemptDetails> {
  schemaVersion: 1;
  type: DeliveryLogEventType;
  deliveryId: string;
  webhookId: string;
  company: string;
  eventId: string;
  eventType: EventType;
  attempt: number | null;
  trigger: DeliveryTrigger;
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
  nextAttemptAt: string | null;
  recordedAt: string;
  correlationId: string;
}

/** The most of a request body one delivery log event keeps. */
export const REQUEST_BODY_LOG_CAP = 65_536;

/** What one HTTP call sent and received, as the delivery log keeps it. */
export interface DeliveryAttemptDetails {
  /** Why the call failed, by stage (`timeout`, `dns`, `http_5xx`, `blocked_by_policy`, …); `null` on success. */
  failureClass: string | null;
  /** The URL called. */
  url: string | null;
  /** The request headers, with custom header values and signatures as `********`. */
  requestHeaders: Record<string, string> | null;
  /**
   * The exact body sent (UTF-8 JSON text), cut at the cap (64 KiB) so no log record outgrows a
   * Kafka message; `null` when the body could not be rendered.
   */
  requestBody: string | null;
  /** The whole body's length in bytes, and its SHA-256 (hex): what was sent, even when cut. */
  requestBodyBytes?: number;
  requestBodySha256?: string;
  /** `requestBody` holds only the first `REQUEST_BODY_LOG_CAP` bytes. */
  requestBodyTruncated?: boolean;
  /** The response headers, when the endpoint answered. */
  responseHeaders: Record<string, string> | null;
  /** The response body, cut at the cap (8 KiB by default). */
  responseBody: string | null;
  /** The response body was longer than what `responseBody` keeps. */
  responseTruncated: boolean | null;
}

const STRING_MAP_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: { type: 'string' },
} as const;

const when = (types: readonly DeliveryLogEventType[], then: object): object => ({
  if: { required: ['type'], properties: { type: { enum: types } } },
  then,
});

export const DELIVERY_LOG_EVENT_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'DeliveryLogEvent v1',
  type: 'object',
  required: [
    'schemaVersion',
    'type',
    'deliveryId',
    'webhookId',
    'company',
    'eventId',
    'eventType',
    'attempt',
    'trigger',
    'statusCode',
    'durationMs',
    'error',
    'nextAttemptAt',
    'recordedAt',
    'correlationId',
  ],
  properties: {
    schemaVersion: { const: 1 },
    type: { type: 'string', enum: DELIVERY_LOG_EVENT_TYPES },
    deliveryId: DELIVERY_ID_SCHEMA,
    webhookId: WEBHOOK_ID_SCHEMA,
    company: NON_EMPTY_STRING_SCHEMA,
    eventId: UUID_SCHEMA,
    eventType: { type: 'string', enum: EVENT_TYPES },
    attempt: { type: ['integer', 'null'], minimum: 1 },
    trigger: DELIVERY_TRIGGER_SCHEMA,
    statusCode: { type: ['integer', 'null'], minimum: 100, maximum: 599 },
    durationMs: { type: ['number', 'null'], minimum: 0 },
    error: { type: ['string', 'null'] },
    nextAttemptAt: {
      type: ['string', 'null'],
      format: 'date-time',
      pattern: UTC_TIMESTAMP_SCHEMA.pattern,
    },
    recordedAt: UTC_TIMESTAMP_SCHEMA,
    correlationId: NON_EMPTY_STRING_SCHEMA,
    failureClass: { type: ['string', 'null'], pattern: '^[a-z0-9_]+$' },
    url: { type: ['string', 'null'] },
    requestHeaders: STRING_MAP_SCHEMA,
    requestBody: { type: ['string', 'null'] },
    requestBodyBytes: { type: 'integer', minimum: 0 },
    requestBodySha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    requestBodyTruncated: { type: 'boolean' },
    responseHeaders: STRING_MAP_SCHEMA,
    responseBody: { type: ['string', 'null'] },
    responseTruncated: { type: ['boolean', 'null'] },
  },
  // What each type must carry (see the table on DeliveryLogEvent).
  allOf: [
    when(['AttemptSucceeded', 'AttemptFailed'], {
      properties: { attempt: { type: 'integer' }, durationMs: { type: 'number' } },
    }),
    when(['AttemptSucceeded'], {
      properties: { statusCode: { type: 'integer', minimum: 200, maximum: 299 } },
    }),
    when(['AttemptFailed', 'DeliveryFailed', 'DeliverySkipped'], {
      properties: { error: NON_EMPTY_STRING_SCHEMA },
    }),
    when(['RetryScheduled'], {
      properties: { attempt: { type: 'integer' }, nextAttemptAt: { type: 'string' } },
    }),
  ],
  additionalProperties: true,
} as const);

function crossChecks(event: DeliveryLogEvent): ContractViolation[] {
  return event.deliveryId === deliveryIdFor(event.eventId, event.webhookId)
    ? []
    : [violation('/deliveryId', 'consistency', 'must equal deliveryIdFor(eventId, webhookId)')];
}

const validator = compileMessageValidator<DeliveryLogEvent>(DELIVERY_LOG_EVENT_SCHEMA, crossChecks);

/** Validates a parsed `DeliveryLogEvent`, including what its `type` requires. Never throws. */
export const validateDeliveryLogEvent = validator.validate;

/** Parses a `webhooks.delivery-log` message value. Never throws. */
export const parseDeliveryLogEvent = validator.parse;
