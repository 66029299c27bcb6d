import type { WebhookConfigRecord } from '@hookline/contracts';
import { deliveryTargetOf, WebhookDirectory } from './webhook-directory';

const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const OTHER_ID = 'wh_fedcba9876543210fedcba9876543210';
const sealed = { alg: 'A256GCM', keyId: 'k1', ciphertext: 'q83vEjRWeJCrze8SNFZ4kA' } as const;

function record(overrides: Partial<WebhookConfigRecord> = {}): WebhookConfigRecord {
  return {
    schemaVersion: 1,
    webhookId: WEBHOOK_ID,
    company: 'comp-uuid-1234',
    name: 'Accepted risks to Jira',
    url: 'https://hooks.example.com/corgea',
    type: 'other',
    events: ['issue.status_changed'],
    projectIds: [],
    statusFilter: [],
    status: 'active',
    version: 3,
    updatedAt: '2025-01-10T09:00:00.000Z',
    bodyTemplate: null,
    signingSecret: { ...sealed },
    headers: [{ name: 'X-Automation-Webhook-Token', value: { ...sealed } }],
    ...overrides,
  };
}

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('WebhookDirectory', () => {
  it('a webhook never seen is unknown', () => {
    const directory = new WebhookDirectory();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'unknown' });
    expect(directory.size).toBe(0);
  });

  it('a record makes its webhook known, as parsed from the bytes of the message', () => {
    const directory = new WebhookDirectory();
    const value = record();
    expect(directory.apply(WEBHOOK_ID, bytes(value))).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({
      kind: 'known',
      record: deliveryTargetOf(value),
    });
    expect(directory.lookup(OTHER_ID)).toEqual({ kind: 'unknown' });
    expect(directory.size).toBe(1);
  });

  it('keeps of a record only what a call needs: no name, subscriptions or company', () => {
    const directory = new WebhookDirectory();
    directory.apply(WEBHOOK_ID, bytes(record({ bodyTemplate: '{"text": "{{event_type}}"}' })));
    const lookup = directory.lookup(WEBHOOK_ID);
    if (lookup.kind !== 'known') throw new Error('expected a known webhook');
    expect(Object.keys(lookup.record).sort()).toEqual(
      [
        'bodyTemplate',
        'headers',
        'previousSigningSecret',
        'signingSecret',
        'status',
        'type',
        'url',
        'version',
        'webhookId',
      ].sort(),
    );
    expect(lookup.record.bodyTemplate).toBe('{"text": "{{event_type}}"}');
    expect(Object.isFrozen(lookup.record)).toBe(true);
  });

  it('accepts a record given as a string as well as a Buffer', () => {
    const directory = new WebhookDirectory();
    expect(directory.apply(WEBHOOK_ID, JSON.stringify(record()))).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID).kind).toBe('known');
  });

  it('a tombstone after a record marks the webhook deleted', () => {
    const directory = new WebhookDirectory();
    directory.apply(WEBHOOK_ID, bytes(record()));
    expect(directory.apply(WEBHOOK_ID, null)).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'deleted' });
    expect(directory.size).toBe(1);
  });

  it('a tombstone for a webhook never seen marks it deleted, not unknown', () => {
    const directory = new WebhookDirectory();
    expect(directory.apply(WEBHOOK_ID, null)).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'deleted' });
  });

  it('a newer version replaces the one held', () => {
    const directory = new WebhookDirectory();
    directory.apply(WEBHOOK_ID, bytes(record({ version: 3 })));
    const paused = record({ version: 4, status: 'paused' });
    expect(directory.apply(WEBHOOK_ID, bytes(paused))).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({
      kind: 'known',
      record: deliveryTargetOf(paused),
    });
  });

  it('an older version arriving after a newer one is ignored, without a problem', () => {
    const directory = new WebhookDirectory();
    const newer = record({ version: 5, status: 'paused' });
    directory.apply(WEBHOOK_ID, bytes(newer));
    expect(directory.apply(WEBHOOK_ID, bytes(record({ version: 4 })))).toBeUndefined();
    expect(directory.lookup(WEBHOOK_ID)).toEqual({
      kind: 'known',
      record: deliveryTargetOf(newer),
    });
  });

  it('records of different webhooks are held apart', () => {
    const directory = new WebhookDirectory();
    const other = record({ webhookId: OTHER_ID, url: 'https://hooks.example.com/other' });
    directory.apply(WEBHOOK_ID, bytes(record()));
    directory.apply(OTHER_ID, bytes(other));
    directory.apply(WEBHOOK_ID, null);
    expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'deleted' });
    expect(directory.lookup(OTHER_ID)).toEqual({ kind: 'known', record: deliveryTargetOf(other) });
    expect(directory.size).toBe(2);
  });

  it('counts the webhooks whose latest record is paused', () => {
    const directory = new WebhookDirectory();
    directory.apply(WEBHOOK_ID, bytes(record({ status: 'paused' })));
    directory.apply(OTHER_ID, bytes(record({ webhookId: OTHER_ID, status: 'paused' })));
    expect(directory.pausedCount()).toBe(2);

    directory.apply(WEBHOOK_ID, bytes(record({ status: 'active', version: 4 })));
    directory.apply(OTHER_ID, null);
    expect(directory.pausedCount()).toBe(0);
  });

  describe('a record that cannot be used returns a problem and changes nothing', () => {
    const held = record();
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['invalid JSON', '{"webhookId":', /^invalid record ignored: .*json/],
      [
        'a record the contract rejects',
        bytes({ ...record({ version: 9 }), url: 'not a url', status: 'archived' }),
        /^invalid record ignored: .*\/url .*\/status enum/,
      ],
      [
        'a record without a required field',
        bytes({ ...record({ version: 9 }), headers: undefined }),
        /^invalid record ignored: \/headers required$/,
      ],
      [
        'a record whose webhookId differs from its key',
        bytes(record({ webhookId: OTHER_ID, version: 9 })),
        /^record whose webhookId differs from its key ignored$/,
      ],
    ];

    it.each(cases)('%s', (_name, value, problem) => {
      const directory = new WebhookDirectory();
      directory.apply(WEBHOOK_ID, bytes(held));
      expect(directory.apply(WEBHOOK_ID, value)).toMatch(problem);
      expect(directory.lookup(WEBHOOK_ID)).toEqual({
        kind: 'known',
        record: deliveryTargetOf(held),
      });
      expect(directory.lookup(OTHER_ID)).toEqual({ kind: 'unknown' });
      expect(directory.size).toBe(1);
    });

    it.each(cases)('%s, for a webhook not held yet', (_name, value, problem) => {
      const directory = new WebhookDirectory();
      expect(directory.apply(WEBHOOK_ID, value)).toMatch(problem);
      expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'unknown' });
      expect(directory.size).toBe(0);
    });
  });

  it('a record or tombstone without a key is ignored with a problem', () => {
    const directory = new WebhookDirectory();
    for (const key of [undefined, '']) {
      expect(directory.apply(key, bytes(record()))).toBe('record without a key ignored');
      expect(directory.apply(key, null)).toBe('record without a key ignored');
    }
    expect(directory.lookup(WEBHOOK_ID)).toEqual({ kind: 'unknown' });
    expect(directory.size).toBe(0);
  });
});
