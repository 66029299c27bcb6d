import {
  EVENT_TYPES,
  ISSUE_STATUSES,
  type EventEnvelope,
  type WebhookConfigRecord,
} from '@hookline/contracts';
import fc from 'fast-check';
import { subscriptionFromConfig, type Subscription } from './subscription';
import { SubscriptionIndex } from './subscription-index';
import { matches } from './subscription.matches';
import {
  COMPANY,
  OTHER_COMPANY,
  OTHER_PROJECT,
  PROJECT,
  configRecord,
  envelope,
} from './testing/subscription.fixtures';

const ids = (subs: readonly Subscription[]): string[] => subs.map((s) => s.webhookId).sort();

function indexOf(...records: WebhookConfigRecord[]): SubscriptionIndex {
  const index = new SubscriptionIndex();
  for (const r of records) index.apply(r.webhookId, r);
  return index;
}

const statusChanged = (over: Parameters<typeof envelope>[1] = {}): EventEnvelope =>
  envelope('issue.status_changed', { projectId: PROJECT, status: 'fixed', ...over });

describe('SubscriptionIndex: applying webhooks.config', () => {
  it('an empty index holds nothing and matches nothing', () => {
    const index = new SubscriptionIndex();
    expect(index.size).toBe(0);
    expect(index.get('wh_1')).toBeUndefined();
    expect(index.match(statusChanged())).toEqual([]);
  });

  it('a record is upserted: held by id, counted, matched', () => {
    const index = indexOf(configRecord({ webhookId: 'wh_1' }));
    expect(index.size).toBe(1);
    expect(index.get('wh_1')).toEqual(subscriptionFromConfig(configRecord({ webhookId: 'wh_1' })));
    expect(ids(index.match(statusChanged()))).toEqual(['wh_1']);
  });

  it('a higher version replaces the held subscription', () => {
    const index = indexOf(configRecord({ version: 1, events: ['issue.status_changed'] }));
    index.apply('wh_1', configRecord({ version: 2, events: ['scan.completed'] }));
    expect(index.size).toBe(1);
    expect(index.get('wh_1')?.version).toBe(2);
    expect(index.match(statusChanged())).toEqual([]);
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_1']);
  });

  it('an older version is ignored (a replayed topic may repeat old states)', () => {
    const index = indexOf(configRecord({ version: 3, events: ['scan.completed'] }));
    index.apply('wh_1', configRecord({ version: 2, events: ['issue.status_changed'] }));
    expect(index.get('wh_1')?.version).toBe(3);
    expect(index.match(statusChanged())).toEqual([]);
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_1']);
  });

  it('the same version applied again replaces idempotently: one entry, one match', () => {
    const record = configRecord({ version: 2, events: ['issue.status_changed', 'scan.completed'] });
    const index = indexOf(record, record, { ...record });
    expect(index.size).toBe(1);
    expect(ids(index.match(statusChanged()))).toEqual(['wh_1']);
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_1']);
  });

  it('a tombstone removes the webhook', () => {
    const index = indexOf(configRecord(), configRecord({ webhookId: 'wh_2' }));
    index.apply('wh_1', null);
    expect(index.size).toBe(1);
    expect(index.get('wh_1')).toBeUndefined();
    expect(ids(index.match(statusChanged()))).toEqual(['wh_2']);
  });

  it('a tombstone for an unknown webhook changes nothing', () => {
    const index = indexOf(configRecord());
    index.apply('wh_unknown', null);
    expect(index.size).toBe(1);
  });

  it('a webhook re-created after its tombstone is held again, whatever its version', () => {
    const index = indexOf(configRecord({ version: 5 }));
    index.apply('wh_1', null);
    index.apply('wh_1', configRecord({ version: 1, events: ['scan.failed'] }));
    expect(index.get('wh_1')?.version).toBe(1);
    expect(index.match(statusChanged())).toEqual([]);
    expect(ids(index.match(envelope('scan.failed')))).toEqual(['wh_1']);
  });

  it('a record under another webhook id than its key is refused', () => {
    const index = new SubscriptionIndex();
    expect(() => index.apply('wh_2', configRecord({ webhookId: 'wh_1' }))).toThrow(
      /wh_1 arrived under key wh_2/,
    );
    expect(index.size).toBe(0);
  });

  it('webhooks with no event types are held, match nothing, and can be removed', () => {
    const index = indexOf(
      configRecord({ webhookId: 'wh_1', events: [] }),
      configRecord({ webhookId: 'wh_2', events: [] }),
    );
    expect(index.size).toBe(2);
    index.apply('wh_1', null);
    index.apply('wh_2', null);
    expect(index.size).toBe(0);
  });

  it('a type listed twice does not match twice', () => {
    const index = indexOf(configRecord({ events: ['scan.completed', 'scan.completed'] }));
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_1']);
  });
});

describe('SubscriptionIndex: no stale entries after an update', () => {
  it('moving a webhook to another company leaves nothing under the old one', () => {
    const index = indexOf(configRecord({ company: COMPANY }));
    index.apply('wh_1', configRecord({ company: OTHER_COMPANY, version: 2 }));
    expect(index.match(statusChanged())).toEqual([]);
    expect(ids(index.match(statusChanged({ company: OTHER_COMPANY })))).toEqual(['wh_1']);
  });

  it('dropping an event type leaves nothing under that type', () => {
    const index = indexOf(configRecord({ events: ['issue.status_changed', 'scan.completed'] }));
    index.apply('wh_1', configRecord({ events: ['scan.completed'], version: 2 }));
    expect(index.match(statusChanged())).toEqual([]);
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_1']);
  });

  it('changing filters takes effect: a new project filter, a new status filter', () => {
    const index = indexOf(configRecord());
    index.apply('wh_1', configRecord({ projectIds: [OTHER_PROJECT], version: 2 }));
    expect(index.match(statusChanged())).toEqual([]);
    index.apply('wh_1', configRecord({ statusFilter: ['open'], version: 3 }));
    expect(index.match(statusChanged({ status: 'fixed' }))).toEqual([]);
    expect(ids(index.match(statusChanged({ status: 'open' })))).toEqual(['wh_1']);
  });

  it('removing webhooks from a shared bucket keeps the others matched', () => {
    const records = ['wh_1', 'wh_2', 'wh_3', 'wh_4'].map((webhookId) =>
      configRecord({ webhookId, events: ['scan.completed', 'issue.status_changed'] }),
    );
    const index = indexOf(...records);
    index.apply('wh_1', null);
    index.apply('wh_3', configRecord({ webhookId: 'wh_3', events: ['scan.failed'], version: 2 }));
    index.apply('wh_4', null);
    expect(ids(index.match(envelope('scan.completed')))).toEqual(['wh_2']);
    expect(ids(index.match(statusChanged()))).toEqual(['wh_2']);
    index.apply('wh_2', null);
    expect(index.match(envelope('scan.completed'))).toEqual([]);
    expect(ids(index.match(envelope('scan.failed')))).toEqual(['wh_3']);
  });
});

describe('SubscriptionIndex: matching', () => {
  it('returns paused webhooks as well as active ones (the caller holds the paused)', () => {
    const index = indexOf(
      configRecord({ webhookId: 'wh_1', status: 'active' }),
      configRecord({ webhookId: 'wh_2', status: 'paused' }),
    );
    const matched = index.match(statusChanged());
    expect(ids(matched)).toEqual(['wh_1', 'wh_2']);
    expect(matched.find((s) => s.webhookId === 'wh_2')?.status).toBe('paused');
  });

  it("never returns another company's webhook (tenant isolation)", () => {
    const index = indexOf(
      configRecord({ webhookId: 'wh_1', company: COMPANY }),
      configRecord({ webhookId: 'wh_2', company: OTHER_COMPANY }),
    );
    expect(ids(index.match(statusChanged({ company: COMPANY })))).toEqual(['wh_1']);
    expect(ids(index.match(statusChanged({ company: OTHER_COMPANY })))).toEqual(['wh_2']);
    expect(index.match(statusChanged({ company: 'comp-unknown' }))).toEqual([]);
  });

  it('a large project filter matches like a small one', () => {
    const many = Array.from({ length: 50 }, (_, i) => `proj-${i}`);
    const index = indexOf(configRecord({ projectIds: [...many, PROJECT] }));
    expect(ids(index.match(statusChanged()))).toEqual(['wh_1']);
    expect(index.match(statusChanged({ projectId: OTHER_PROJECT }))).toEqual([]);
  });

  it('a user event matches only webhooks without a project filter', () => {
    const index = indexOf(
      configRecord({ webhookId: 'wh_1', events: ['user.login'] }),
      configRecord({ webhookId: 'wh_2', events: ['user.login'], projectIds: [PROJECT] }),
    );
    expect(ids(index.match(envelope('user.login')))).toEqual(['wh_1']);
  });
});

describe('SubscriptionIndex agrees with matches', () => {
  const WEBHOOK_IDS = ['wh_a', 'wh_b', 'wh_c', 'wh_d', 'wh_e', 'wh_f', 'wh_g', 'wh_h'];
  const COMPANIES = ['c1', 'c2', 'c3'];
  // 20 ids: filters from one project to all of them, overlapping between webhooks.
  const PROJECTS = Array.from({ length: 20 }, (_, i) => `p${i}`);

  const recordArb = fc.record({
    webhookId: fc.constantFrom(...WEBHOOK_IDS),
    company: fc.constantFrom(...COMPANIES),
    version: fc.integer({ min: 1, max: 6 }),
    status: fc.constantFrom('active' as const, 'paused' as const),
    events: fc.subarray([...EVENT_TYPES]),
    projectIds: fc.oneof(
      fc.constant<string[]>([]),
      fc.subarray(PROJECTS, { maxLength: 3 }),
      fc.subarray(PROJECTS),
    ),
    statusFilter: fc.subarray([...ISSUE_STATUSES]),
  });

  const opArb = fc.oneof(
    { weight: 4, arbitrary: recordArb.map((r) => ({ id: r.webhookId, record: configRecord(r) })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...WEBHOOK_IDS).map((id) => ({ id, record: null })),
    },
  );

  const envelopeArb = fc
    .record({
      type: fc.constantFrom(...EVENT_TYPES),
      company: fc.constantFrom(...COMPANIES, 'c-none'),
      projectId: fc.constantFrom(...PROJECTS, 'p-none'),
      status: fc.constantFrom(...ISSUE_STATUSES),
    })
    .map(({ type, ...over }) => envelope(type, over));

  it('index.match(e) equals all.filter(s => matches(s, e)) as sets, after any sequence of records and tombstones', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 40 }),
        fc.array(envelopeArb, { minLength: 1, maxLength: 15 }),
        (ops, envelopes) => {
          const index = new SubscriptionIndex();
          // The model: the rules of apply, written as plainly as possible.
          const model = new Map<string, WebhookConfigRecord>();
          for (const { id, record } of ops) {
            index.apply(id, record);
            const held = model.get(id);
            if (record === null) model.delete(id);
            else if (held === undefined || record.version >= held.version) model.set(id, record);
          }
          const all = [...model.values()].map(subscriptionFromConfig);
          expect(index.size).toBe(model.size);
          for (const s of all) expect(index.get(s.webhookId)).toEqual(s);
          for (const e of envelopes) {
            const matched = ids(index.match(e));
            expect(matched).toEqual(ids(all.filter((s) => matches(s, e))));
            expect(new Set(matched).size).toBe(matched.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
