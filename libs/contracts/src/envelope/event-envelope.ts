import { EVENT_CATALOG, type EventDataMap, type JsonSchema } from '../catalog/event-catalog';
import { EVENT_TYPES, type EventType } from '../catalog/event-types';
import {
  JSON_SCHEMA_DIALECT,
  UTC_TIMESTAMP_SCHEMA,
  UUID_SCHEMA,
} from '../json-schema/common.schema';
import { deepFreeze } from '../util/deep-freeze';

/**
 * The default webhook payload (the product document's "standardized structure"), and the value of
 * every message on the ingest topic. A union over event types: narrowing on `event_type` narrows
 * `data`.
 */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: {
    /** UUID; receivers dedupe on it. */
    event_id: string;
    event_type: K;
    /** When the event happened: UTC with milliseconds, `2025-01-15T14:30:00.000Z`. */
    timestamp: string;
    /** The event's payload; producers may add fields beyond the typed ones. */
    data: EventDataMap[K];
  };
}[T];

/**
 * The envelope's own shape: `event_type` from the catalog and `data` an object. `data` is then
 * checked against its type's schema (see `validateEnvelope`), which keeps errors about `data`
 * precise instead of one failed branch per event type. No extra top-level properties: the
 * envelope goes to receivers as-is, and `data` is where producers extend it.
 */
export const ENVELOPE_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'Hookline event envelope',
  type: 'object',
  required: ['event_id', 'event_type', 'timestamp', 'data'],
  properties: {
    event_id: UUID_SCHEMA,
    event_type: { type: 'string', enum: EVENT_TYPES },
    timestamp: UTC_TIMESTAMP_SCHEMA,
    data: { type: 'object' },
  },
  additionalProperties: false,
} as const);

/**
 * The full schema of one event type's envelope, `data` included: self-contained, for documentation
 * (OpenAPI, the event-type catalog) and for external validators.
 */
export function eventEnvelopeSchema(eventType: EventType): JsonSchema {
  const { $schema: _dialect, ...dataSchema } = EVENT_CATALOG[eventType].dataSchema;
  return {
    ...ENVELOPE_SCHEMA,
    title: `${eventType} envelope`,
    properties: {
      ...ENVELOPE_SCHEMA.properties,
      event_type: { const: eventType },
      data: dataSchema,
    },
  };
}
