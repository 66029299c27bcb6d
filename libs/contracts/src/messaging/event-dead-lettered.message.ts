import {
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
  UTC_TIMESTAMP_SCHEMA,
} from '../json-schema/common.schema';
import { systemClock, type Clock } from '../util/clock';
import { deepFreeze } from '../util/deep-freeze';
import { describeViolations, type ContractViolation } from '../validation/contract-violation';
import { compileMessageValidator } from '../validation/message-validator';

/** Where a dead-lettered message came from. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: a decimal string. */
  offset: string;
  /** The message key as UTF-8 text, `null` when there was none. */
  key: string | null;
}

/**
 * `platform.events.dlq` v1: an ingest message that could not be parsed or validated, kept with
 * the reason so nothing is dropped silently. `rawValue` holds the original value exactly: as
 * text when it was valid UTF-8, else base64.
 */
export interface EventDeadLettered {
  schemaVersion: 1;
  source: DeadLetterSource;
  /** One readable line: every violation's message. */
  reason: string;
  errors: ContractViolation[];
  rawValue: string | null;
  rawValueEncoding: 'utf8' | 'base64';
  deadLetteredAt: string;
}

export const EVENT_DEAD_LETTERED_SCHEMA = deepFreeze({
  $schema: JSON_SCHEMA_DIALECT,
  title: 'EventDeadLettered v1',
  type: 'object',
  required: [
    'schemaVersion',
    'source',
    'reason',
    'errors',
    'rawValue',
    'rawValueEncoding',
    'deadLetteredAt',
  ],
  properties: {
    schemaVersion: { const: 1 },
    source: {
      type: 'object',
      required: ['topic', 'partition', 'offset', 'key'],
      properties: {
        topic: NON_EMPTY_STRING_SCHEMA,
        partition: { type: 'integer', minimum: 0 },
        offset: { type: 'string', pattern: '^\\d+$' },
        key: { type: ['string', 'null'] },
      },
      additionalProperties: true,
    },
    reason: NON_EMPTY_STRING_SCHEMA,
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'rule', 'message'],
        properties: {
          path: { type: 'string' },
          rule: NON_EMPTY_STRING_SCHEMA,
          message: NON_EMPTY_STRING_SCHEMA,
        },
        additionalProperties: true,
      },
    },
    rawValue: { type: ['string', 'null'] },
    rawValueEncoding: { type: 'string', enum: ['utf8', 'base64'] },
    deadLetteredAt: UTC_TIMESTAMP_SCHEMA,
  },
  additionalProperties: true,
} as const);

const validator = compileMessageValidator<EventDeadLettered>(EVENT_DEAD_LETTERED_SCHEMA);

/** Validates a parsed `EventDeadLettered`. Never throws. */
export const validateEventDeadLettered = validator.validate;

/** Parses a `platform.events.dlq` message value. Never throws. */
export const parseEventDeadLettered = validator.parse;

export interface DeadLetterInput {
  readonly source: DeadLetterSource;
  /** The original message value, untouched. */
  readonly raw: Uint8Array | string | null;
  /** Why it was rejected, e.g. the errors of `parseEnvelope`. Not empty. */
  readonly errors: readonly ContractViolation[];
  readonly clock?: Clock;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Builds the dead-letter record of a rejected ingest message. */
export function buildEventDeadLettered(input: DeadLetterInput): EventDeadLettered {
  const { rawValue, rawValueEncoding } = encodeRaw(input.raw);
  return {
    schemaVersion: 1,
    source: { ...input.source },
    reason: describeViolations(input.errors) || 'rejected',
    errors: input.errors.map((error) => ({ ...error })),
    rawValue,
    rawValueEncoding,
    deadLetteredAt: (input.clock ?? systemClock)().toISOString(),
  };
}

function encodeRaw(
  raw: Uint8Array | string | null,
): Pick<EventDeadLettered, 'rawValue' | 'rawValueEncoding'> {
  if (raw === null || typeof raw === 'string') return { rawValue: raw, rawValueEncoding: 'utf8' };
  try {
    return { rawValue: utf8.decode(raw), rawValueEncoding: 'utf8' };
  } catch {
    return { rawValue: Buffer.from(raw).toString('base64'), rawValueEncoding: 'base64' };
  }
}
