import fc from 'fast-check';
import { SAMPLE_ENVELOPES } from '../samples/sample-envelopes';
import { without, withValue } from '../testing/json-paths';
import { parseEnvelope, validateEnvelope } from './validate-envelope';

const sample = SAMPLE_ENVELOPES['issue.status_changed'];

function rulesAt(result: ReturnType<typeof validateEnvelope>): Array<[string, string]> {
  return result.ok ? [] : result.errors.map((e) => [e.path, e.rule]);
}

describe('validateEnvelope', () => {
  it.each(['event_id', 'event_type', 'timestamp', 'data'])(
    'an envelope without %s is rejected, naming /%s',
    (field) => {
      expect(rulesAt(validateEnvelope(without(sample, `/${field}`)))).toEqual([
        [`/${field}`, 'required'],
      ]);
    },
  );

  it.each([
    ['not-a-uuid'],
    ['a1b2c3d4e5f67890abcdef1234567890'],
    ['a1b2c3d4-e5f6-7890-abcd-ef123456789'],
    ['g1b2c3d4-e5f6-7890-abcd-ef1234567890'],
  ])('event_id %j is not a UUID: rule format', (eventId) => {
    expect(rulesAt(validateEnvelope(withValue(sample, '/event_id', eventId)))).toContainEqual([
      '/event_id',
      'format',
    ]);
  });

  it('event_id in urn:uuid: form is rejected (one spelling per event id, receivers dedupe on it)', () => {
    const eventId = `urn:uuid:${sample.event_id}`;
    expect(rulesAt(validateEnvelope(withValue(sample, '/event_id', eventId)))).toEqual([
      ['/event_id', 'pattern'],
    ]);
  });

  it('event_id in upper case is a UUID too', () => {
    const eventId = sample.event_id.toUpperCase();
    expect(validateEnvelope(withValue(sample, '/event_id', eventId)).ok).toBe(true);
  });

  it.each([
    ['2025-01-15T14:30:00Z', 'pattern'],
    ['2025-01-15T14:30:00.000+00:00', 'pattern'],
    ['2025-01-15T14:30:00.000000Z', 'pattern'],
    ['2025-01-15T14:30:00.000z', 'pattern'],
    ['2025-01-15 14:30:00.000Z', 'pattern'],
    ['2025-02-30T14:30:00.000Z', 'format'],
    ['2025-01-15T25:30:00.000Z', 'format'],
    ['yesterday', 'format'],
    ['1736951400', 'format'],
  ])('timestamp %j is not a millisecond UTC ISO-8601 time: rule %s', (timestamp, rule) => {
    expect(rulesAt(validateEnvelope(withValue(sample, '/timestamp', timestamp)))).toContainEqual([
      '/timestamp',
      rule,
    ]);
  });

  it('timestamp must be a string', () => {
    expect(rulesAt(validateEnvelope(withValue(sample, '/timestamp', 1736951400000)))).toEqual([
      ['/timestamp', 'type'],
    ]);
  });

  it('an unknown event type is rejected by name, listing the catalog, and data is not judged', () => {
    const result = validateEnvelope(withValue(sample, '/event_type', 'issue.deleted'));
    expect(!result.ok && result.errors).toEqual([
      {
        path: '/event_type',
        rule: 'enum',
        message:
          '/event_type must be one of "issue.status_changed", "issue.assigned", "scan.started", ' +
          '"scan.completed", "scan.failed", "user.login", "user.login_failed"',
      },
    ]);
  });

  it('data is judged by the schema of the envelope event_type', () => {
    // A valid issue.status_changed data is not a valid scan.completed data.
    const result = validateEnvelope(withValue(sample, '/event_type', 'scan.completed'));
    expect(rulesAt(result)).toContainEqual(['/data/issues_found', 'required']);
  });

  it('an extra top-level property is rejected (producers extend data, not the envelope)', () => {
    expect(validateEnvelope(withValue(sample, '/version', 2))).toEqual({
      ok: false,
      errors: [
        {
          path: '/version',
          rule: 'additionalProperties',
          message: '/version is not an allowed property',
        },
      ],
    });
  });

  it.each([[null], [[]], ['{}'], [42], [undefined]])('%j is not an envelope', (value) => {
    expect(rulesAt(validateEnvelope(value))).toEqual([['', 'type']]);
  });
});

describe('parseEnvelope', () => {
  const json = JSON.stringify(sample);

  it('accepts the same envelope as bytes, as JSON text and as a parsed value', () => {
    for (const raw of [Buffer.from(json), new TextEncoder().encode(json), json, JSON.parse(json)]) {
      expect(parseEnvelope(raw)).toEqual({ ok: true, value: sample });
    }
  });

  it('accepts bytes with a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);
    expect(parseEnvelope(bytes).ok).toBe(true);
  });

  it.each([['{"event_id": '], ['not json'], [''], ["{'single': 'quotes'}"]])(
    'text %j is rejected as not JSON, with the parser reason',
    (text) => {
      for (const raw of [text, Buffer.from(text)]) {
        const result = parseEnvelope(raw);
        expect(!result.ok && result.errors).toEqual([
          {
            path: '',
            rule: 'json',
            message: expect.stringMatching(/^message is not valid JSON \(.+\)$/),
          },
        ]);
      }
    },
  );

  it('bytes that are not UTF-8 are rejected as such', () => {
    const result = parseEnvelope(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(!result.ok && result.errors).toEqual([
      { path: '', rule: 'encoding', message: 'message is not valid UTF-8 text' },
    ]);
  });

  it('valid JSON that is not an object is rejected by type', () => {
    for (const text of ['null', '[]', '"text"', '12']) {
      expect(rulesAt(parseEnvelope(text))).toEqual([['', 'type']]);
    }
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.uint8Array(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const result = parseEnvelope(raw);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
