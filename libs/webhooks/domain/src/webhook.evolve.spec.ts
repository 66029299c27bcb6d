import { validateWebhookConfigRecord } from '@hookline/contracts';
import { COMPANY, T0, T1, WEBHOOK_ID, created, sealed } from './testing/webhook-decider.fixtures';
import { decide } from './webhook.decider';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from './webhook.event';
import { evolve, rehydrate } from './webhook.evolve';
import { toConfigRecord } from './webhook-config-record.mapper';

const ids = { webhookId: WEBHOOK_ID, company: COMPANY };
const T2 = '2025-01-15T16:00:00.000Z';
const T3 = '2025-01-15T17:00:00.000Z';

/** A stream that uses every event type once, as decide produces it. */
function fullHistory(): WebhookEvent[] {
  const history: WebhookEvent[] = [created()];
  const run = (command: Parameters<typeof decide>[0]) => {
    history.push(...decide(command, rehydrate(history)));
  };
  run({ type: 'UpdateWebhook', ...ids, now: T1, name: 'Renamed', projectIds: ['p1'] });
  run({ type: 'PauseWebhook', ...ids, now: T1 });
  run({ type: 'ActivateWebhook', ...ids, now: T1 });
  run({ type: 'AutoPauseWebhook', ...ids, now: T1, reason: 'HTTP 500', consecutiveFailures: 10 });
  run({ type: 'RotateWebhookSecret', ...ids, now: T2, secret: sealed('secret2') });
  run({
    type: 'ResealWebhookSecrets',
    ...ids,
    now: T3,
    secret: sealed('secret2-k2'),
    previousSecret: sealed('secret1-k2'),
    headers: [{ name: 'X-Api-Key', value: sealed('hdr-k2') }],
  });
  run({ type: 'DeleteWebhook', ...ids, now: T2 });
  return history;
}

describe('evolve and rehydrate', () => {
  it('an empty stream is no webhook', () => {
    expect(rehydrate([])).toBeUndefined();
  });

  it('a created webhook is active, unpaused, at version 1', () => {
    expect(rehydrate([created()])).toEqual({
      id: WEBHOOK_ID,
      company: COMPANY,
      name: 'Slack Notifications',
      url: 'https://hooks.example.com/services/T000/B000',
      type: 'slack',
      events: ['scan.completed', 'issue.status_changed'],
      projectIds: [],
      statusFilter: ['fixed'],
      headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
      bodyTemplate: null,
      secret: sealed('secret1'),
      previousSecret: null,
      status: 'active',
      pausedReason: null,
      pausedAt: null,
      createdAt: T0,
      updatedAt: T0,
      version: 1,
      deleted: false,
    });
  });

  it('the full history uses every event type', () => {
    expect(new Set(fullHistory().map((e) => e.type))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
  });

  it('version is the number of events applied', () => {
    const history = fullHistory();
    history.forEach((_, i) => expect(rehydrate(history.slice(0, i + 1))?.version).toBe(i + 1));
  });

  it('events round-trip through JSON (jsonb) to the same state', () => {
    const history = fullHistory();
    const stored = JSON.parse(JSON.stringify(history)) as WebhookEvent[];
    expect(stored).toEqual(history);
    expect(rehydrate(stored)).toEqual(rehydrate(history));
  });

  it('each state follows from the events, step by step', () => {
    const states = fullHistory().reduce<ReturnType<typeof rehydrate>[]>(
      (acc, e) => [...acc, evolve(acc[acc.length - 1], e)],
      [undefined],
    );
    expect(states[2]).toMatchObject({ name: 'Renamed', projectIds: ['p1'], updatedAt: T1 });
    expect(states[3]).toMatchObject({ status: 'paused', pausedReason: 'manual', pausedAt: T1 });
    expect(states[4]).toMatchObject({ status: 'active', pausedReason: null, pausedAt: null });
    expect(states[5]).toMatchObject({ status: 'paused', pausedReason: 'auto', pausedAt: T1 });
    expect(states[6]).toMatchObject({
      secret: sealed('secret2'),
      previousSecret: { value: sealed('secret1'), validUntil: '2025-01-16T16:00:00.000Z' },
      updatedAt: T2,
    });
    // A reseal changes the sealed values only: not the grace period, not updatedAt.
    expect(states[7]).toMatchObject({
      secret: sealed('secret2-k2'),
      previousSecret: { value: sealed('secret1-k2'), validUntil: '2025-01-16T16:00:00.000Z' },
      headers: [{ name: 'X-Api-Key', value: sealed('hdr-k2') }],
      updatedAt: T2,
    });
    expect(states[8]).toMatchObject({ deleted: true, updatedAt: T2, version: 8 });
  });

  it('a second rotation keeps only the secret it replaces', () => {
    const history = fullHistory().slice(0, -2);
    history.push(
      ...decide(
        {
          type: 'RotateWebhookSecret',
          ...ids,
          now: T2,
          secret: sealed('secret3'),
          gracePeriodSeconds: 60,
        },
        rehydrate(history),
      ),
    );
    expect(rehydrate(history)).toMatchObject({
      secret: sealed('secret3'),
      previousSecret: { value: sealed('secret2'), validUntil: '2025-01-15T16:01:00.000Z' },
    });
  });

  it('evolve does not change the state it is given', () => {
    const before = rehydrate([created()]);
    const snapshot = JSON.parse(JSON.stringify(before)) as unknown;
    evolve(before, { type: 'WebhookPaused', schemaVersion: 1, data: { ...ids, pausedAt: T1 } });
    expect(before).toEqual(snapshot);
  });

  it('an event before WebhookCreated is an impossible stream', () => {
    expect(() =>
      evolve(undefined, {
        type: 'WebhookPaused',
        schemaVersion: 1,
        data: { ...ids, pausedAt: T1 },
      }),
    ).toThrow('before WebhookCreated');
  });

  it('a second WebhookCreated is an impossible stream', () => {
    expect(() => rehydrate([created(), created()])).toThrow('created twice');
  });

  it('an unknown schema version is refused', () => {
    const event = { ...created(), schemaVersion: 2 } as unknown as WebhookEvent;
    expect(() => evolve(undefined, event)).toThrow('schemaVersion 2');
  });

  it('an unknown event type is refused', () => {
    const event = { type: 'WebhookRenamed', schemaVersion: 1, data: {} } as unknown as WebhookEvent;
    expect(() => rehydrate([created(), event])).toThrow('unknown webhook event');
  });
});

describe('toConfigRecord', () => {
  it('every live state of the history maps to a valid WebhookConfigRecord', () => {
    const history = fullHistory().slice(0, -1);
    history.forEach((_, i) => {
      const webhook = rehydrate(history.slice(0, i + 1));
      if (webhook === undefined) throw new Error('no state');
      const result = validateWebhookConfigRecord(toConfigRecord(webhook));
      expect(result).toEqual({ ok: true, value: toConfigRecord(webhook) });
    });
  });

  it('the record carries the sealed secrets (the previous one with its end), sealed headers, status and version', () => {
    const webhook = rehydrate(fullHistory().slice(0, -2));
    if (webhook === undefined) throw new Error('no state');
    expect(toConfigRecord(webhook)).toEqual({
      schemaVersion: 1,
      webhookId: WEBHOOK_ID,
      company: COMPANY,
      name: 'Renamed',
      url: 'https://hooks.example.com/services/T000/B000',
      type: 'slack',
      events: ['scan.completed', 'issue.status_changed'],
      projectIds: ['p1'],
      statusFilter: ['fixed'],
      status: 'paused',
      version: 6,
      updatedAt: T2,
      bodyTemplate: null,
      signingSecret: sealed('secret2'),
      previousSigningSecret: {
        value: sealed('secret1'),
        validUntil: webhook.previousSecret?.validUntil,
      },
      headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
    });
    expect(webhook.previousSecret?.validUntil).toBe('2025-01-16T16:00:00.000Z');
  });

  it('an unsigned webhook has a null signing secret', () => {
    const webhook = rehydrate([created({ secret: null })]);
    if (webhook === undefined) throw new Error('no state');
    expect(toConfigRecord(webhook).signingSecret).toBeNull();
    expect(toConfigRecord(webhook).previousSigningSecret).toBeNull();
  });

  it('a deleted webhook has no record (a tombstone is published instead)', () => {
    const webhook = rehydrate(fullHistory());
    if (webhook === undefined) throw new Error('no state');
    expect(() => toConfigRecord(webhook)).toThrow('tombstone');
  });
});
