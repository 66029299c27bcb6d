import { EVENT_TYPES, type EventType } from '../catalog/event-types';
import type { EventEnvelope } from '../envelope/event-envelope';
import { envelopeViolations } from '../envelope/validate-envelope';
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
import { deliveryIdFor } from './ids';

/** Why an attempt is made: the event's first delivery, an automatic retry, a user's Retry, or Test webhook. */
export const DELIVERY_TRIGGERS = ['first', 'retry', 'manual', 'test'] as const;

export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];

export const DELIVERY_TRIGGER_SCHEMA = { type: 'string', enum: DELIVERY_TRIGGERS } as const;

/**
 * `webhooks.deliveries` v1, keyed by webhook id: deliver one event to one webhook. Produced by the
 * matcher (trigger `first`) and by the config API (`manual` retry, `test`).
 */
export interface DeliveryRequested {
  schemaVersion: 1;
  /** `deliveryIdFor(eventId, webhookId)`. */
  deliveryId: string;
  eventId: string;
  webhookId: string;
  /** The webhook config version the request was matched against (`WebhookConfigRecord.version`). */
  webhookVersion: number;
  /** The tenant; equals `envelope.data.company` and the webhook's company. */
  company: string;
  eventType: EventType;
  /** The event as ingested: the default payload, and what templates render from. */
  envelope: EventEnvelope;
  trigger: DeliveryTrigger;
  requestedAt: string;
  /** Ties the delivery's records and logs to the event's flow; the event id by default. */
  correlationId: string;
  /**
   * The webhook was paused when the event matched: the worker records the delivery as skipped
   * while paused instead of sending it, so it can be replayed on reactivation. Absent: false.
   */
  held?: boolean;
  /**
   * Deliver after every earlier `ordered` request of the same webhook has ended (a replay after
   * re-activation, a recovery): the worker sends these one at a time, in the order it took them.
   * Absent: false, sent as soon as due, in parallel with others.
   */
  ordered?: boolean;
}

export const DELIVERY_REQUESTED_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'DeliveryRequested v1',
  type: 'object',
  required: [
    'schemaVersion',
    'deliveryId',
    'eventId',
    'webhookId',
    'webhookVersion',
    'company',
    'eventType',
    'envelope',
    'trigger',
    'requestedAt',
    'correlationId',
  ],
  properties: {
    schemaVersion: { const: 1 },
    deliveryId: DELIVERY_ID_SCHEMA,
    eventId: UUID_SCHEMA,
    webhookId: WEBHOOK_ID_SCHEMA,
    webhookVersion: { type: 'integer', minimum: 1 },
    company: NON_EMPTY_STRING_SCHEMA,
    eventType: { type: 'string', enum: EVENT_TYPES },
    // Checked in full by the envelope validator (see crossChecks), paths under /envelope.
    envelope: { type: 'object' },
    trigger: DELIVERY_TRIGGER_SCHEMA,
    requestedAt: UTC_TIMESTAMP_SCHEMA,
    correlationId: NON_EMPTY_STRING_SCHEMA,
    held: { type: 'boolean' },
    ordered: { type: 'boolean' },
  },
  additionalProperties: true,
} as const);

function crossChecks(message: DeliveryRequested): ContractViolation[] {
  const errors = envelopeViolations(message.envelope, '/envelope');
  if (errors.length > 0) return errors;
  const { envelope } = message;
  if (envelope.event_id !== message.eventId) {
    errors.push(violation('/eventId', 'consistency', 'must equal /envelope/event_id'));
  }
  if (envelope.event_type !== message.eventType) {
    errors.push(violation('/eventType', 'consistency', 'must equal /envelope/event_type'));
  }
  if (envelope.data.company !== message.company) {
    errors.push(violation('/company', 'consistency', 'must equal /envelope/data/company'));
  }
  if (message.deliveryId !== deliveryIdFor(message.eventId, message.webhookId)) {
    errors.push(
      violation('/deliveryId', 'consistency', 'must equal deliveryIdFor(eventId, webhookId)'),
    );
  }
  return errors;
}

const validator = compileMessageValidator<DeliveryRequested>(
  DELIVERY_REQUESTED_SCHEMA,
  crossChecks,
);

/**
 * Validates a parsed `DeliveryRequested`: the schema, the embedded envelope in full, and that
 * ids, event type and company agree with the envelope. Never throws.
 */
export const validateDeliveryRequested = validator.validate;

/** Parses a `webhooks.deliveries` message value (bytes, JSON text or a value). Never throws. */
export const parseDeliveryRequested = validator.parse;
