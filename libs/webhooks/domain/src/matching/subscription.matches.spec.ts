import {
  EVENT_CATALOG,
  EVENT_TYPES,
  ISSUE_STATUSES,
  validateEnvelope,
  type EventEnvelope,
  type EventType,
  type IssueStatus,
} from '@hookline/contracts';
import { subscriptionFromConfig, type Subscription } from './subscription';
import { matches } from './subscription.matches';
import {
  COMPANY,
  OTHER_COMPANY,
  OTHER_PROJECT,
  PROJECT,
  configRecord,
  envelope,
} from './testing/subscription.fixtures';

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return { ...subscriptionFromConfig(configRecord()), ...overrides };
}

/** The status an envelope of `type` carries in these tests (`issue.*` only). */
const STATUS: IssueStatus = 'fixed';
const OTHER_STATUS: IssueStatus = 'open';

describe('subscriptionFromConfig', () => {
  it('keeps the identity, version, status and filters of the record', () => {
    const record = configRecord({
      webhookId: 'wh_42',
      company: COMPANY,
      version: 7,
      status: 'paused',
      events: ['issue.status_changed', 'scan.completed'],
      projectIds: ['p1', 'p2'],
      statusFilter: ['fixed'],
    });
    expect(subscriptionFromConfig(record)).toEqual({
      webhookId: 'wh_42',
      company: COMPANY,
      version: 7,
      status: 'paused',
      events: ['issue.status_changed', 'scan.completed'],
      projectIds: ['p1', 'p2'],
      statusFilter: ['fixed'],
    });
  });

  it('shares nothing with the record: changing the record later changes no subscription', () => {
    const record = configRecord({ projectIds: ['p1'] });
    const s = subscriptionFromConfig(record);
    record.projectIds.push('p2');
    record.events.push('scan.failed');
    record.statusFilter.push('open');
    expect(s.projectIds).toEqual(['p1']);
    expect(s.events).toEqual(['issue.status_changed']);
    expect(s.statusFilter).toEqual([]);
  });

  it('is frozen, so a caller cannot change what the index holds', () => {
    const s = subscriptionFromConfig(configRecord());
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.events)).toBe(true);
    expect(Object.isFrozen(s.projectIds)).toBe(true);
    expect(Object.isFrozen(s.statusFilter)).toBe(true);
  });
});

describe('matches: the rules, one by one', () => {
  const statusChanged = envelope('issue.status_changed', { projectId: PROJECT, status: STATUS });

  it.each<[string, Partial<Subscription>, EventEnvelope, boolean]>([
    ['an event of the same company and a subscribed type matches', {}, statusChanged, true],
    [
      "another company's event never matches (tenant isolation)",
      { company: OTHER_COMPANY },
      statusChanged,
      false,
    ],
    [
      'an event type the webhook does not subscribe to does not match',
      { events: ['scan.completed'] },
      statusChanged,
      false,
    ],
    ['a webhook with no event types matches nothing', { events: [] }, statusChanged, false],
    [
      'a project filter that holds the event project matches',
      { projectIds: [OTHER_PROJECT, PROJECT] },
      statusChanged,
      true,
    ],
    [
      'a project filter without the event project does not match',
      { projectIds: [OTHER_PROJECT] },
      statusChanged,
      false,
    ],
    [
      'a status filter that holds data.status matches issue.status_changed',
      { statusFilter: [OTHER_STATUS, STATUS] },
      statusChanged,
      true,
    ],
    [
      'a status filter without data.status does not match issue.status_changed',
      { statusFilter: [OTHER_STATUS] },
      statusChanged,
      false,
    ],
    [
      'the status filter is ignored for issue.assigned, which also carries a status',
      { events: ['issue.assigned'], statusFilter: [OTHER_STATUS] },
      envelope('issue.assigned', { status: STATUS }),
      true,
    ],
    [
      'the status filter is ignored for scan events',
      { events: ['scan.completed'], statusFilter: [OTHER_STATUS] },
      envelope('scan.completed'),
      true,
    ],
    [
      'a user event (no project) matches a webhook without a project filter',
      { events: ['user.login'] },
      envelope('user.login'),
      true,
    ],
    [
      'a user event (no project) never matches a webhook with a project filter',
      { events: ['user.login_failed'], projectIds: [PROJECT] },
      envelope('user.login_failed'),
      false,
    ],
    [
      'a paused webhook still matches (the caller holds the delivery)',
      { status: 'paused' },
      statusChanged,
      true,
    ],
  ])('%s', (_rule, overrides, event, expected) => {
    expect(matches(subscription(overrides), event)).toBe(expected);
  });

  it('a project a producer added to a user event is not a project: the catalog decides', () => {
    const login = envelope('user.login');
    Object.assign(login.data, { project: { id: PROJECT, name: 'Production API' } });
    expect(matches(subscription({ events: ['user.login'], projectIds: [PROJECT] }), login)).toBe(
      false,
    );
  });
});

/**
 * Every combination of the dimensions, for every event type: the verdict is the conjunction of
 * one verdict per dimension, each stated as the rule it comes from.
 */
describe('matches: every combination', () => {
  type Filter = 'empty' | 'contains' | 'lacks';
  const FILTERS: readonly Filter[] = ['empty', 'contains', 'lacks'];

  interface Case {
    type: EventType;
    sameCompany: boolean;
    typeSubscribed: boolean;
    projectFilter: Filter;
    statusFilter: Filter;
  }

  const cases: Case[] = [];
  for (const type of EVENT_TYPES)
    for (const sameCompany of [true, false])
      for (const typeSubscribed of [true, false])
        for (const projectFilter of FILTERS)
          for (const statusFilter of FILTERS)
            cases.push({ type, sameCompany, typeSubscribed, projectFilter, statusFilter });

  function expected(c: Case): boolean {
    const { hasProject, supportsStatusFilter } = EVENT_CATALOG[c.type];
    // Rule: the tenant must be the webhook's company.
    const companyOk = c.sameCompany;
    // Rule: the type must be subscribed.
    const typeOk = c.typeSubscribed;
    // Rule: an empty project filter passes everything; a non-empty one only events with a
    // project it holds (so never a user event).
    const projectOk = c.projectFilter === 'empty' || (hasProject && c.projectFilter === 'contains');
    // Rule: the status filter applies to issue.status_changed only, and empty passes all.
    const statusOk = !supportsStatusFilter || c.statusFilter !== 'lacks';
    return companyOk && typeOk && projectOk && statusOk;
  }

  function build(c: Case): [Subscription, EventEnvelope] {
    const event = envelope(c.type, { projectId: PROJECT, status: STATUS });
    const s = subscription({
      company: c.sameCompany ? COMPANY : OTHER_COMPANY,
      events: c.typeSubscribed ? [c.type] : EVENT_TYPES.filter((t) => t !== c.type),
      projectIds: { empty: [], contains: [OTHER_PROJECT, PROJECT], lacks: [OTHER_PROJECT] }[
        c.projectFilter
      ],
      statusFilter: {
        empty: [],
        contains: [OTHER_STATUS, STATUS],
        lacks: ISSUE_STATUSES.filter((st) => st !== STATUS),
      }[c.statusFilter],
    });
    return [s, event];
  }

  const name = (c: Case): string =>
    `${c.type}: ${c.sameCompany ? 'same' : 'other'} company, type ${
      c.typeSubscribed ? 'subscribed' : 'not subscribed'
    }, project filter ${c.projectFilter}, status filter ${c.statusFilter} → ${
      expected(c) ? 'matches' : 'no match'
    }`;

  it('covers 7 types × 2 × 2 × 3 × 3 = 252 combinations, both verdicts present', () => {
    expect(cases).toHaveLength(252);
    expect(cases.some(expected)).toBe(true);
    expect(cases.some((c) => !expected(c))).toBe(true);
  });

  it('the envelopes used are valid contract envelopes', () => {
    for (const type of EVENT_TYPES) {
      expect(validateEnvelope(envelope(type, { projectId: PROJECT, status: STATUS })).ok).toBe(
        true,
      );
    }
  });

  it.each(cases.map((c) => [name(c), c] as const))('%s', (_name, c) => {
    const [s, event] = build(c);
    expect(matches(s, event)).toBe(expected(c));
  });
});
