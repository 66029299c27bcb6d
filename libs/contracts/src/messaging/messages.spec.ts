import { SAMPLE_ENVELOPES } from '../samples/sample-envelopes';
import { requiredPointers, without, withValue } from '../testing/json-paths';
import type { ValidationResult } from '../validation/contract-violation';
import {
  DELIVERY_LOG_EVENT_SCHEMA,
  parseDeliveryLogEvent,
  validateDeliveryLogEvent,
  type DeliveryLogEvent,
} from './delivery-log-event.message';
import {
  DELIVERY_REQUESTED_SCHEMA,
  parseDeliveryRequested,
  validateDeliveryRequested,
  type DeliveryRequested,
} from './delivery-requested.message';
import {
  EVENT_DEAD_LETTERED_SCHEMA,
  buildEventDeadLettered,
  parseEventDeadLettered,
  validateEventDeadLettered,
  type EventDeadLettered,
} from './event-dead-lettered.message';
import { deliveryIdFor } from './ids';
import {
  WEBHOOK_CONFIG_RECORD_SCHEMA,
  parseWebhookConfigRecord,
  validateWebhookConfigRecord,
  type WebhookConfigRecord,
} from './webhook-config-record.message';

const envelope = SAMPLE_ENVELOPES['issue.status_changed'];
const webhookId = 'wh_0123456789abcdef0123456789abcdef';
const deliveryId = deliveryIdFor(envelope.event_id, webhookId);
const sealed = { alg: 'A256GCM', keyId: 'k2025-01', ciphertext: 'q83vEjRWeJCrze8SNFZ4kA' } as const;

const deliveryRequested: DeliveryRequested = {
  schemaVersion: 1,
  deliveryId,
  eventId: envelope.event_id,
  webhookId,
  webhookVersion: 3,
  company: envelope.data.company,
  eventType: envelope.event_type,
  envelope,
  trigger: 'first',
  requestedAt: '2025-01-15T14:30:00.120Z',
  correlationId: envelope.event_id,
};

const configRecord: WebhookConfigRecord = {
  schemaVersion: 1,
  webhookId,
  company: 'comp-uuid-1234',
  name: 'Accepted risks to Jira',
  url: 'https://hooks.example.com/corgea',
  type: 'other',
  events: ['issue.status_changed'],
  projectIds: ['proj-uuid-9012'],
  statusFilter: ['accepted_risk'],
  status: 'active',
  version: 3,
  updatedAt: '2025-01-10T09:00:00.000Z',
  bodyTemplate: null,
  signingSecret: { ...sealed },
  headers: [{ name: 'X-Automation-Webhook-Token', value: { ...sealed } }],
};

const logEvent: DeliveryLogEvent = {
  schemaVersion: 1,
  type: 'AttemptFailed',
  deliveryId,
  webhookId,
  company: 'comp-uuid-1234',
  eventId: envelope.event_id,
  eventType: 'issue.status_changed',
  attempt: 1,
  trigger: 'first',
  statusCode: 503,
  durationMs: 112.5,
  error: 'HTTP 503 Service Unavailable',
  nextAttemptAt: null,
  recordedAt: '2025-01-15T14:30:00.300Z',
  correlationId: envelope.event_id,
};

const deadLetter: EventDeadLettered = buildEventDeadLettered({
  source: { topic: 'platform.events', partition: 2, offset: '1234567890123', key: null },
  raw: Buffer.from('{"event_id":'),
  errors: [{ path: '', rule: 'json', message: 'message is not valid JSON (Unexpected end)' }],
  clock: () => new Date('2025-01-15T14:30:01.000Z'),
});

const paths = (result: ValidationResult<unknown>): Array<[string, string]> =>
  result.ok ? [] : result.errors.map((e) => [e.path, e.rule]);

type Case = {
  name: string;
  message: object;
  schema: object;
  validate: (value: unknown) => ValidationResult<unknown>;
  parse: (raw: unknown) => ValidationResult<unknown>;
};
const cases: Case[] = [
  {
    name: 'DeliveryRequested',
    message: deliveryRequested,
    schema: DELIVERY_REQUESTED_SCHEMA,
    validate: validateDeliveryRequested,
    parse: parseDeliveryRequested,
  },
  {
    name: 'WebhookConfigRecord',
    message: configRecord,
    schema: WEBHOOK_CONFIG_RECORD_SCHEMA,
    validate: validateWebhookConfigRecord,
    parse: parseWebhookConfigRecord,
  },
  {
    name: 'DeliveryLogEvent',
    message: logEvent,
    schema: DELIVERY_LOG_EVENT_SCHEMA,
    validate: validateDeliveryLogEvent,
    parse: parseDeliveryLogEvent,
  },
  {
    name: 'EventDeadLettered',
    message: deadLetter,
    schema: EVENT_DEAD_LETTERED_SCHEMA,
    validate: validateEventDeadLettered,
    parse: parseEventDeadLettered,
  },
];

describe.each(cases)('$name', ({ message, schema, validate, parse }) => {
  it('a valid message parses from bytes off the wire', () => {
    expect(parse(Buffer.from(JSON.stringify(message)))).toEqual({ ok: true, value: message });
  });

  it('carries schemaVersion 1, and another version is rejected', () => {
    expect(message).toMatchObject({ schemaVersion: 1 });
    expect(paths(validate(withValue(message, '/schemaVersion', 2)))).toEqual([
      ['/schemaVersion', 'const'],
    ]);
  });

  it('removing any required field is an error naming its path', () => {
    for (const pointer of requiredPointers(schema, message)) {
      expect([pointer, paths(validate(without(message, pointer)))]).toEqual([
        pointer,
        [[pointer, 'required']],
      ]);
    }
  });

  it('accepts fields added by a newer producer (rolling upgrades)', () => {
    expect(validate(withValue(message, '/addedInAMinorRelease', true)).ok).toBe(true);
  });

  it('non-JSON and a tombstone (null value) are rejected, not thrown', () => {
    expect(paths(parse('nope'))).toEqual([['', 'json']]);
    expect(paths(parse(null))).toEqual([['', 'type']]);
  });
});

describe('DeliveryRequested', () => {
  it('validates the embedded envelope in full, with paths under /envelope', () => {
    const result = validateDeliveryRequested(
      without(deliveryRequested, '/envelope/data/project/id'),
    );
    expect(paths(result)).toEqual([['/envelope/data/project/id', 'required']]);
  });

  it('rejects a company other than the event company (no cross-tenant delivery)', () => {
    const result = validateDeliveryRequested({ ...deliveryRequested, company: 'comp-other' });
    expect(paths(result)).toEqual([['/company', 'consistency']]);
  });

  it('rejects ids or a type that disagree with the envelope', () => {
    const otherEvent = '550e8400-e29b-41d4-a716-446655440000';
    expect(
      paths(
        validateDeliveryRequested({
          ...deliveryRequested,
          eventId: otherEvent,
          eventType: 'scan.completed',
        }),
      ),
    ).toEqual([
      ['/eventId', 'consistency'],
      ['/eventType', 'consistency'],
      ['/deliveryId', 'consistency'],
    ]);
  });

  it('rejects a delivery id not derived from (event id, webhook id)', () => {
    const other = deliveryIdFor(envelope.event_id, 'wh_other');
    expect(paths(validateDeliveryRequested({ ...deliveryRequested, deliveryId: other }))).toEqual([
      ['/deliveryId', 'consistency'],
    ]);
  });

  it.each(['first', 'retry', 'manual', 'test'])('accepts trigger %s, and no other', (trigger) => {
    expect(validateDeliveryRequested({ ...deliveryRequested, trigger }).ok).toBe(true);
    expect(paths(validateDeliveryRequested({ ...deliveryRequested, trigger: 'auto' }))).toEqual([
      ['/trigger', 'enum'],
    ]);
  });
});

describe('WebhookConfigRecord', () => {
  it('carries secrets and header values only sealed, never in clear text', () => {
    expect(
      paths(validateWebhookConfigRecord({ ...configRecord, signingSecret: 'whsec_plain' })),
    ).toEqual([['/signingSecret', 'type']]);
    const clearHeader = withValue(configRecord, '/headers/0/value', 'my-jira-token');
    expect(paths(validateWebhookConfigRecord(clearHeader))).toEqual([['/headers/0/value', 'type']]);
    const leakyHeader = withValue(configRecord, '/headers/0/value/plaintext', 'my-jira-token');
    expect(paths(validateWebhookConfigRecord(leakyHeader))).toEqual([
      ['/headers/0/value/plaintext', 'additionalProperties'],
    ]);
  });

  it('allows an unsigned webhook without headers, a paused one, empty filters', () => {
    const record = {
      ...configRecord,
      signingSecret: null,
      headers: [],
      status: 'paused',
      projectIds: [],
      statusFilter: [],
      bodyTemplate: '{"text": "{{event_type}}"}',
    };
    expect(validateWebhookConfigRecord(record).ok).toBe(true);
  });

  it.each<[string, unknown, string, string]>([
    ['/url', 'ftp://hooks.example.com/x', '/url', 'pattern'],
    ['/type', 'teams', '/type', 'enum'],
    ['/events', ['scan.done'], '/events/0', 'enum'],
    ['/events', ['scan.completed', 'scan.completed'], '/events', 'uniqueItems'],
    ['/statusFilter', ['fixd'], '/statusFilter/0', 'enum'],
    ['/status', 'deleted', '/status', 'enum'],
    ['/version', 0, '/version', 'minimum'],
    ['/webhookId', 'webhook-1', '/webhookId', 'pattern'],
    ['/headers/0/name', 'Bad Header', '/headers/0/name', 'pattern'],
    ['/updatedAt', '2025-01-10T09:00:00Z', '/updatedAt', 'pattern'],
  ])('%s = %j breaks %s rule %s', (pointer, value, path, rule) => {
    expect(
      paths(validateWebhookConfigRecord(withValue(configRecord, pointer, value))),
    ).toContainEqual([path, rule]);
  });
});

describe('DeliveryLogEvent', () => {
  const base = { ...logEvent, type: 'DeliveryRequested', attempt: null, statusCode: null };
  const ok = (overrides: object): boolean =>
    validateDeliveryLogEvent({ ...base, durationMs: null, error: null, ...overrides }).ok;

  it('accepts each type with the fields it carries', () => {
    expect(ok({})).toBe(true);
    expect(ok({ type: 'AttemptSucceeded', attempt: 1, statusCode: 204, durationMs: 80 })).toBe(
      true,
    );
    expect(ok({ type: 'AttemptFailed', attempt: 2, durationMs: 10000, error: 'timeout' })).toBe(
      true,
    );
    expect(
      ok({ type: 'RetryScheduled', attempt: 2, nextAttemptAt: '2025-01-15T14:30:02.300Z' }),
    ).toBe(true);
    expect(ok({ type: 'DeliveryFailed', attempt: 3, error: 'gave up after 3 attempts' })).toBe(
      true,
    );
    expect(ok({ type: 'DeliverySkipped', error: 'webhook paused' })).toBe(true);
    expect(ok({ type: 'ManualRetryRequested', trigger: 'manual' })).toBe(true);
  });

  it('rejects a type without the fields it must carry', () => {
    expect(ok({ type: 'AttemptSucceeded', attempt: 1, statusCode: 500, durationMs: 80 })).toBe(
      false,
    );
    expect(ok({ type: 'AttemptSucceeded', attempt: null, statusCode: 200, durationMs: 80 })).toBe(
      false,
    );
    expect(ok({ type: 'AttemptFailed', attempt: 1, durationMs: 5 })).toBe(false);
    expect(ok({ type: 'RetryScheduled', attempt: 2 })).toBe(false);
    expect(ok({ type: 'DeliveryFailed', attempt: 3 })).toBe(false);
  });

  it('names the offending field when a type lacks one', () => {
    const result = validateDeliveryLogEvent({ ...logEvent, error: null });
    expect(paths(result)).toEqual([['/error', 'type']]);
  });

  it('rejects an unknown log event type and a delivery id not derived from its ids', () => {
    expect(paths(validateDeliveryLogEvent({ ...logEvent, type: 'Delivered' }))).toEqual([
      ['/type', 'enum'],
    ]);
    const other = deliveryIdFor(envelope.event_id, 'wh_other');
    expect(paths(validateDeliveryLogEvent({ ...logEvent, deliveryId: other }))).toEqual([
      ['/deliveryId', 'consistency'],
    ]);
  });
});

describe('buildEventDeadLettered', () => {
  const source = { topic: 'platform.events', partition: 0, offset: '7', key: 'comp-uuid-1234' };
  const errors = [{ path: '/event_id', rule: 'required', message: '/event_id is required' }];

  it('keeps a UTF-8 value as text and the reason as one readable line', () => {
    const record = buildEventDeadLettered({ source, raw: Buffer.from('{"x":"é"}'), errors });
    expect(record).toMatchObject({
      rawValue: '{"x":"é"}',
      rawValueEncoding: 'utf8',
      reason: '/event_id is required',
      errors,
    });
    expect(record.deadLetteredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(validateEventDeadLettered(record).ok).toBe(true);
  });

  it('keeps bytes that are not UTF-8 exactly, as base64', () => {
    const raw = Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0x00, 0x7b]);
    const record = buildEventDeadLettered({ source, raw, errors });
    expect(record.rawValueEncoding).toBe('base64');
    expect(Buffer.from(record.rawValue ?? '', 'base64')).toEqual(raw);
    expect(validateEventDeadLettered(record).ok).toBe(true);
  });

  it('keeps a UTF-8 value byte for byte, byte order mark included', () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]);
    const record = buildEventDeadLettered({ source, raw, errors });
    expect(Buffer.from(record.rawValue ?? '', 'utf8')).toEqual(raw);
  });

  it('records a message without a value', () => {
    const record = buildEventDeadLettered({ source, raw: null, errors });
    expect([record.rawValue, validateEventDeadLettered(record).ok]).toEqual([null, true]);
  });
});
