import { validateEventData } from '../catalog/event-catalog';
import { isEventType } from '../catalog/event-types';
import { ajv } from '../validation/ajv';
import {
  toViolations,
  type ContractViolation,
  type ValidationResult,
} from '../validation/contract-violation';
import { parseWith } from '../validation/decode-json';
import { ENVELOPE_SCHEMA, type EventEnvelope } from './event-envelope';

/** Compiled once, at module load. */
const validateEnvelopeShape = ajv.compile(ENVELOPE_SCHEMA);

/**
 * Validates an already-parsed value as an event envelope: the envelope's shape, then `data`
 * against the schema of `event_type` (when that is a catalog type). Reports every violation,
 * paths from the envelope root (`/data/project/id`). Never throws.
 */
export function validateEnvelope(value: unknown): ValidationResult<EventEnvelope> {
  const errors = envelopeViolations(value, '');
  return errors.length === 0 ? { ok: true, value: value as EventEnvelope } : { ok: false, errors };
}

/** Every violation of the envelope contract, paths prefixed with `prefix`. */
export function envelopeViolations(value: unknown, prefix: string): ContractViolation[] {
  const errors = validateEnvelopeShape(value)
    ? []
    : toViolations(validateEnvelopeShape.errors, prefix);
  if (isPlainObject(value)) {
    const { event_type: eventType, data } = value;
    if (isEventType(eventType) && isPlainObject(data)) {
      const dataResult = validateEventData(eventType, data, `${prefix}/data`);
      if (!dataResult.ok) errors.push(...dataResult.errors);
    }
  }
  return errors;
}

/**
 * Parses one ingest message: bytes (a Kafka message value; strict UTF-8), JSON text, or an
 * already-parsed value. Non-UTF-8 bytes fail with rule `encoding`, non-JSON text with rule
 * `json`, then the value is validated as by `validateEnvelope`. Never throws.
 */
export const parseEnvelope: (raw: unknown) => ValidationResult<EventEnvelope> =
  parseWith(validateEnvelope);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
