import fc from 'fast-check';
import { EVENT_TYPES, type EventType } from '../catalog/event-types';
import type { EventDataMap } from '../catalog/event-catalog';
import { SAMPLE_ENVELOPES } from '../samples/sample-envelopes';
import { ContractValidationError } from '../validation/contract-violation';
import { buildEnvelope } from './build-envelope';
import { parseEnvelope, validateEnvelope } from './validate-envelope';

const MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('buildEnvelope', () => {
  const data = SAMPLE_ENVELOPES['scan.completed'].data;

  it('builds { event_id, event_type, timestamp, data } that validates', () => {
    const envelope = buildEnvelope('scan.completed', data);
    expect(Object.keys(envelope)).toEqual(['event_id', 'event_type', 'timestamp', 'data']);
    expect(envelope.event_type).toBe('scan.completed');
    expect(envelope.data).toBe(data);
    expect(validateEnvelope(envelope)).toEqual({ ok: true, value: envelope });
  });

  it('stamps the injected clock in UTC with milliseconds', () => {
    // 15:30:00.007 at +01:00 is 14:30:00.007 UTC.
    const clock = () => new Date('2025-01-15T15:30:00.007+01:00');
    const envelope = buildEnvelope('scan.completed', data, { clock });
    expect(envelope.timestamp).toBe('2025-01-15T14:30:00.007Z');
    const onTheSecond = buildEnvelope('scan.completed', data, {
      clock: () => new Date(Date.UTC(2025, 0, 15, 14, 30)),
    });
    expect(onTheSecond.timestamp).toBe('2025-01-15T14:30:00.000Z');
  });

  it('uses the system clock by default', () => {
    const before = Date.now();
    const { timestamp } = buildEnvelope('scan.completed', data);
    expect(timestamp).toMatch(MS_UTC);
    expect(Date.parse(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('generates a fresh random (v4) UUID per envelope unless given one', () => {
    const ids = Array.from({ length: 50 }, () => buildEnvelope('scan.completed', data).event_id);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    const eventId = '550e8400-e29b-41d4-a716-446655440000';
    expect(buildEnvelope('scan.completed', data, { eventId }).event_id).toBe(eventId);
  });

  it('keeps fields a producer adds to data', () => {
    const envelope = buildEnvelope('scan.completed', { ...data, duration_ms: 300000 });
    expect(envelope.data).toMatchObject({ duration_ms: 300000 });
  });

  it('refuses to build an envelope that would not validate', () => {
    const broken = { ...data, issues_found: -1 };
    expect(() => buildEnvelope('scan.completed', broken)).toThrow(ContractValidationError);
    expect(() => buildEnvelope('scan.completed', broken)).toThrow(
      'cannot build a scan.completed envelope: /data/issues_found must be >= 0',
    );
    try {
      buildEnvelope('scan.completed', data, { eventId: 'evt-1' });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ContractValidationError);
      expect((error as ContractValidationError).code).toBe('CONTRACT_VALIDATION_FAILED');
      expect((error as ContractValidationError).errors.map((e) => e.path)).toEqual([
        '/event_id',
        '/event_id',
      ]);
    }
  });
});

// Arbitraries of valid data for each event type, with extra producer fields.
const text = fc.string({ maxLength: 40 });
const nonEmpty = fc.string({ minLength: 1, maxLength: 40 });
const dateTime = fc
  .date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());
const project = fc.record({ id: nonEmpty, name: nonEmpty });
const urgency = fc.constantFrom('CR', 'HI', 'ME', 'LO' as const);
const status = fc.constantFrom('open', 'fixed', 'false_positive', 'accepted_risk' as const);
const user = fc.record({ id: nonEmpty, email: fc.emailAddress(), name: text });
const scanBase = {
  company: nonEmpty,
  scan_id: nonEmpty,
  run_id: nonEmpty,
  project,
  branch: fc.option(text, { nil: null }),
  engine: nonEmpty,
  scan_type: nonEmpty,
  created_at: dateTime,
};
const dataArbitraries: { [K in EventType]: fc.Arbitrary<EventDataMap[K]> } = {
  'issue.status_changed': fc.record({
    company: nonEmpty,
    issue_id: nonEmpty,
    classification: nonEmpty,
    urgency,
    status,
    previous_status: status,
    file_path: fc.option(text, { nil: null }),
    line_num: fc.option(fc.integer({ min: 1 }), { nil: null }),
    project,
    scan_id: nonEmpty,
    url: fc.webUrl(),
  }),
  'issue.assigned': fc.record({
    company: nonEmpty,
    issue_id: nonEmpty,
    classification: nonEmpty,
    urgency,
    status,
    assigned_to: user,
    previously_assigned_to: fc.option(user, { nil: null }),
    project,
    url: fc.webUrl(),
  }),
  'scan.started': fc.record(scanBase),
  'scan.completed': fc.record({
    ...scanBase,
    issues_found: fc.nat(),
    processed_at: dateTime,
  }),
  'scan.failed': fc.record({ ...scanBase, error: nonEmpty, processed_at: dateTime }),
  'user.login': fc.record({
    company: nonEmpty,
    user_id: fc.integer(),
    username: nonEmpty,
    email: fc.emailAddress(),
    first_name: text,
    last_name: text,
    user_agent: text,
    path: text,
  }),
  'user.login_failed': fc.record({
    company: nonEmpty,
    username: text,
    user_agent: text,
    path: text,
  }),
};
const extraFields = fc.dictionary(fc.stringMatching(/^x_[a-z0-9_]{1,12}$/), fc.jsonValue(), {
  maxKeys: 3,
});
const validInput = fc.constantFrom(...EVENT_TYPES).chain((type) =>
  fc.record({
    type: fc.constant(type),
    data: fc
      .tuple(dataArbitraries[type] as fc.Arbitrary<EventDataMap[EventType]>, extraFields)
      .map(([data, extra]) => ({ ...extra, ...data })),
    eventId: fc.option(fc.uuid(), { nil: undefined }),
    now: fc.date({
      min: new Date(0),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
  }),
);

describe('buildEnvelope, for any valid data', () => {
  it('builds an envelope that survives JSON on the wire and parses back equal and valid', () => {
    fc.assert(
      fc.property(validInput, ({ type, data, eventId, now }) => {
        const envelope = buildEnvelope(type, data as never, { eventId, clock: () => now });
        expect(envelope.timestamp).toMatch(MS_UTC);
        expect(Date.parse(envelope.timestamp)).toBe(now.getTime());
        const wire = Buffer.from(JSON.stringify(envelope), 'utf8');
        expect(parseEnvelope(wire)).toEqual({ ok: true, value: JSON.parse(wire.toString('utf8')) });
      }),
      { numRuns: 300 },
    );
  });
});
