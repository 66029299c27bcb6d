import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope, validateEnvelope } from '../envelope/validate-envelope';
import { SAMPLE_ENVELOPES } from '../samples/sample-envelopes';
import { clone, requiredPointers, without, withValue } from '../testing/json-paths';
import { EVENT_CATALOG, validateEventData } from './event-catalog';
import {
  EVENT_TYPES,
  ISSUE_STATUSES,
  isEventType,
  isIssueStatus,
  type EventType,
} from './event-types';

const SEED_FIXTURES: ReadonlyArray<[string, EventType]> = [
  ['issue-status-changed.json', 'issue.status_changed'],
  ['scan-completed.json', 'scan.completed'],
  ['issue-assigned.json', 'issue.assigned'],
  ['user-login.json', 'user.login'],
  ['user-login-failed.json', 'user.login_failed'],
];

const fixtureBytes = (name: string): Buffer => readFileSync(join(__dirname, '../fixtures', name));

describe('the seed samples', () => {
  it.each(SEED_FIXTURES)(
    '%s, as bytes off the wire, parses as a valid %s envelope',
    (name, type) => {
      const bytes = fixtureBytes(name);
      const result = parseEnvelope(bytes);
      expect(result).toEqual({ ok: true, value: JSON.parse(bytes.toString('utf8')) });
      expect(result.ok && result.value.event_type).toBe(type);
    },
  );

  it.each(SEED_FIXTURES)('%s is the sample envelope of %s, unchanged', (name, type) => {
    expect(SAMPLE_ENVELOPES[type]).toEqual(JSON.parse(fixtureBytes(name).toString('utf8')));
  });
});

describe('the event catalog', () => {
  it('lists exactly the seven event types of the product document, in its order', () => {
    expect(EVENT_TYPES).toEqual([
      'issue.status_changed',
      'issue.assigned',
      'scan.started',
      'scan.completed',
      'scan.failed',
      'user.login',
      'user.login_failed',
    ]);
    expect(Object.keys(EVENT_CATALOG)).toEqual([...EVENT_TYPES]);
    for (const type of EVENT_TYPES) expect(EVENT_CATALOG[type].type).toBe(type);
  });

  it('says an event type has a project exactly when its schema requires data.project', () => {
    for (const type of EVENT_TYPES) {
      const required = EVENT_CATALOG[type].dataSchema['required'] as readonly string[];
      expect([type, EVENT_CATALOG[type].hasProject]).toEqual([type, required.includes('project')]);
      expect(required).toContain('company');
    }
    expect(EVENT_TYPES.filter((t) => !EVENT_CATALOG[t].hasProject)).toEqual([
      'user.login',
      'user.login_failed',
    ]);
  });

  it('applies the status filter to issue.status_changed only', () => {
    expect(EVENT_TYPES.filter((t) => EVENT_CATALOG[t].supportsStatusFilter)).toEqual([
      'issue.status_changed',
    ]);
  });

  it('is deep-frozen, so no consumer can change what everyone validates against', () => {
    const schema = EVENT_CATALOG['scan.completed'].dataSchema as { required: string[] };
    expect(Object.isFrozen(schema)).toBe(true);
    expect(() => schema.required.push('x')).toThrow(TypeError);
  });

  it('recognises catalog types and issue statuses, nothing else', () => {
    expect(EVENT_TYPES.every(isEventType)).toBe(true);
    expect([isEventType('scan.deleted'), isEventType('SCAN.COMPLETED'), isEventType(1)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(ISSUE_STATUSES).toEqual(['open', 'fixed', 'false_positive', 'accepted_risk']);
    expect([isIssueStatus('fixed'), isIssueStatus('closed'), isIssueStatus(null)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('each event type sample', () => {
  it.each(EVENT_TYPES)('%s validates', (type) => {
    expect(validateEnvelope(SAMPLE_ENVELOPES[type])).toEqual({
      ok: true,
      value: SAMPLE_ENVELOPES[type],
    });
  });

  it.each(EVENT_TYPES)(
    '%s: removing any required data field is an error naming its path',
    (type) => {
      const sample = SAMPLE_ENVELOPES[type];
      const pointers = requiredPointers(EVENT_CATALOG[type].dataSchema, sample.data, '/data');
      expect(pointers.length).toBeGreaterThan(3);
      for (const pointer of pointers) {
        const result = validateEnvelope(without(sample, pointer));
        expect(result.ok).toBe(false);
        expect(!result.ok && result.errors).toEqual([
          { path: pointer, rule: 'required', message: `${pointer} is required` },
        ]);
      }
    },
  );

  it.each(EVENT_TYPES)('%s: additional data fields, top level and nested, are accepted', (type) => {
    let envelope = withValue(SAMPLE_ENVELOPES[type], '/data/x_extra', { any: ['thing', 1] });
    if (EVENT_CATALOG[type].hasProject) {
      envelope = withValue(envelope, '/data/project/slug', 'prod-api');
    }
    expect(validateEnvelope(envelope).ok).toBe(true);
  });

  it.each(EVENT_TYPES)('%s: data that is not an object is rejected', (type) => {
    for (const data of [null, [], 'data', 1]) {
      const result = validateEnvelope(withValue(SAMPLE_ENVELOPES[type], '/data', data));
      expect(!result.ok && result.errors).toEqual([
        { path: '/data', rule: 'type', message: '/data must be object' },
      ]);
    }
  });
});

describe('data field rules', () => {
  type Case = [type: EventType, pointer: string, value: unknown, rule: string];
  const rejected: Case[] = [
    ['issue.status_changed', '/data/company', 42, 'type'],
    ['issue.status_changed', '/data/company', '', 'minLength'],
    ['issue.status_changed', '/data/project/id', 9012, 'type'],
    ['issue.status_changed', '/data/project', 'proj-uuid-9012', 'type'],
    ['issue.status_changed', '/data/project', null, 'type'],
    ['issue.status_changed', '/data/urgency', 'HIGH', 'enum'],
    ['issue.status_changed', '/data/urgency', 'hi', 'enum'],
    ['issue.status_changed', '/data/status', 'closed', 'enum'],
    ['issue.status_changed', '/data/previous_status', 'Open', 'enum'],
    ['issue.status_changed', '/data/line_num', '45', 'type'],
    ['issue.status_changed', '/data/line_num', 4.5, 'type'],
    ['issue.status_changed', '/data/line_num', 0, 'minimum'],
    ['issue.status_changed', '/data/url', 'not a url', 'format'],
    ['issue.status_changed', '/data/scan_id', null, 'type'],
    ['issue.assigned', '/data/assigned_to', null, 'type'],
    ['issue.assigned', '/data/assigned_to/email', 'jane.doe', 'format'],
    ['issue.assigned', '/data/previously_assigned_to/id', 2222, 'type'],
    ['scan.completed', '/data/issues_found', -1, 'minimum'],
    ['scan.completed', '/data/issues_found', '8', 'type'],
    ['scan.completed', '/data/processed_at', '2025-01-15 15:45', 'format'],
    ['scan.completed', '/data/created_at', '2025-02-30T10:00:00Z', 'format'],
    ['scan.started', '/data/scan_type', '', 'minLength'],
    ['scan.failed', '/data/error', '', 'minLength'],
    ['scan.failed', '/data/error', null, 'type'],
    ['user.login', '/data/user_id', '123', 'type'],
    ['user.login', '/data/user_id', 1.5, 'type'],
    ['user.login', '/data/email', 'not-an-email', 'format'],
    ['user.login_failed', '/data/username', null, 'type'],
  ];

  it.each(rejected)('%s: %s = %j breaks rule %s', (type, pointer, value, rule) => {
    const result = validateEnvelope(withValue(SAMPLE_ENVELOPES[type], pointer, value));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.path, e.rule])).toContainEqual([
      pointer,
      rule,
    ]);
  });

  const accepted: Array<[type: EventType, pointer: string, value: unknown]> = [
    ['issue.status_changed', '/data/file_path', null],
    ['issue.status_changed', '/data/line_num', null],
    ['issue.status_changed', '/data/status', 'accepted_risk'],
    ['issue.status_changed', '/data/urgency', 'CR'],
    ['issue.status_changed', '/data/urgency', 'LO'],
    ['issue.assigned', '/data/previously_assigned_to', null],
    ['scan.completed', '/data/branch', null],
    ['scan.completed', '/data/issues_found', 0],
    ['scan.completed', '/data/processed_at', '2025-01-15T16:45:00+01:00'],
    ['user.login', '/data/first_name', ''],
    ['user.login_failed', '/data/username', ''],
  ];

  it.each(accepted)('%s: %s = %j is allowed', (type, pointer, value) => {
    expect(validateEnvelope(withValue(SAMPLE_ENVELOPES[type], pointer, value)).ok).toBe(true);
  });

  it('reports every violation of a document at once, not only the first', () => {
    let envelope = clone(SAMPLE_ENVELOPES['scan.completed']) as unknown;
    envelope = withValue(envelope, '/data/issues_found', 'eight');
    envelope = without(envelope, '/data/project/name');
    const result = validateEnvelope(envelope);
    expect(!result.ok && result.errors.map((e) => e.path).sort()).toEqual([
      '/data/issues_found',
      '/data/project/name',
    ]);
  });
});

describe('validateEventData', () => {
  it('validates a bare data object, paths relative to data', () => {
    expect(validateEventData('user.login', SAMPLE_ENVELOPES['user.login'].data).ok).toBe(true);
    const result = validateEventData('user.login', { company: 'c' });
    expect(!result.ok && result.errors[0]).toEqual({
      path: '/user_id',
      rule: 'required',
      message: '/user_id is required',
    });
  });
});
