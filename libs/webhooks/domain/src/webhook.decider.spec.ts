import { decide, sameOrigin } from './webhook.decider';
import type { SealedSecret } from '@hookline/contracts';
import type { ResealWebhookSecrets } from './webhook.command';
import type { WebhookEvent } from './webhook.event';
import { rehydrate } from './webhook.evolve';
import {
  COMPANY,
  T0,
  T1,
  WEBHOOK_ID,
  createCommand,
  created,
  given,
  sealed,
} from './testing/webhook-decider.fixtures';

const ids = { webhookId: WEBHOOK_ID, company: COMPANY };
const paused: WebhookEvent = {
  type: 'WebhookPaused',
  schemaVersion: 1,
  data: { ...ids, pausedAt: T0 },
};
const autoPaused: WebhookEvent = {
  type: 'WebhookAutoPaused',
  schemaVersion: 1,
  data: { ...ids, reason: 'HTTP 500', consecutiveFailures: 10, pausedAt: T0 },
};
const deleted: WebhookEvent = {
  type: 'WebhookDeleted',
  schemaVersion: 1,
  data: { ...ids, deletedAt: T0 },
};

describe('CreateWebhook', () => {
  it('records every field of a new webhook, name trimmed and a blank template as none', () => {
    given()
      .when(createCommand({ name: '  Slack  ', bodyTemplate: '  ' }))
      .then([
        {
          type: 'WebhookCreated',
          schemaVersion: 1,
          data: {
            ...ids,
            name: 'Slack',
            url: 'https://hooks.example.com/services/T000/B000',
            type: 'slack',
            events: ['scan.completed', 'issue.status_changed'],
            projectIds: [],
            statusFilter: ['fixed'],
            headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
            bodyTemplate: null,
            secret: sealed('secret1'),
            createdAt: T0,
          },
        },
      ]);
  });

  it('creating an id that exists is already_exists', () => {
    given(created()).when(createCommand()).thenThrows('already_exists');
  });

  it('creating the id of a deleted webhook is already_exists (a stream is never reused)', () => {
    given(created(), deleted).when(createCommand()).thenThrows('already_exists');
  });

  it('an invalid webhook id is a validation failure naming webhookId', () => {
    const error = given()
      .when(createCommand({ webhookId: 'nope' }))
      .thenThrows('validation_failed');
    expect(error.violations).toEqual([
      expect.objectContaining({ field: 'webhookId', rule: 'invalid_id' }),
    ]);
  });

  it('decide re-checks the rules it can: events, forbidden headers, sealed values', () => {
    const error = given()
      .when(
        createCommand({
          events: [],
          statusFilter: [],
          headers: [{ name: 'Host', value: { alg: 'A256GCM', keyId: '', ciphertext: 'x' } }],
          secret: { alg: 'A256GCM', keyId: 'k', ciphertext: 'not base64url!' },
        }),
      )
      .thenThrows('validation_failed');
    expect(error.violations?.map((v) => [v.field, v.rule])).toEqual(
      expect.arrayContaining([
        ['events', 'empty'],
        ['headers.Host', 'forbidden_header'],
        ['headers.Host', 'invalid_sealed_secret'],
        ['secret', 'invalid_sealed_secret'],
      ]),
    );
  });

  it('a status filter without issue.status_changed is refused', () => {
    const error = given()
      .when(createCommand({ events: ['scan.completed'], statusFilter: ['open'] }))
      .thenThrows('validation_failed');
    expect(error.violations).toEqual([
      expect.objectContaining({ field: 'statusFilter', rule: 'requires_event' }),
    ]);
  });
});

describe('UpdateWebhook', () => {
  const update = { type: 'UpdateWebhook', ...ids, now: T1 } as const;

  it('records only the fields that changed', () => {
    given(created())
      .when({ ...update, name: 'Renamed', url: 'https://hooks.example.com/services/T000/B000' })
      .then([
        {
          type: 'WebhookUpdated',
          schemaVersion: 1,
          data: { ...ids, changes: { name: 'Renamed' }, updatedAt: T1 },
        },
      ]);
  });

  it('an update that changes nothing records nothing (reordered lists are no change)', () => {
    given(created())
      .when({
        ...update,
        name: 'Slack Notifications',
        events: ['issue.status_changed', 'scan.completed'],
        headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
      })
      .then([]);
  });

  describe('a url of another origin', () => {
    const elsewhere = 'https://attacker.example.net/collect';
    const [rotated] = decide(
      { type: 'RotateWebhookSecret', ...ids, now: T0, secret: sealed('secret2') },
      rehydrate([created()]),
    );
    if (!rotated) throw new Error('fixture: rotate recorded nothing');

    it('drops the headers and the secret (the previous one too) that the command does not give again', () => {
      given(created(), rotated)
        .when({ ...update, url: elsewhere })
        .then([
          {
            type: 'WebhookUpdated',
            schemaVersion: 1,
            data: { ...ids, changes: { url: elsewhere, headers: [], secret: null }, updatedAt: T1 },
          },
        ]);
      const state = rehydrate([
        created(),
        rotated,
        ...decide({ ...update, url: elsewhere }, rehydrate([created(), rotated])),
      ]);
      expect(state).toMatchObject({ headers: [], secret: null, previousSecret: null });
    });

    it('keeps the headers and the secret the same command gives again', () => {
      const headers = [{ name: 'X-Api-Key', value: sealed('hdr-new') }];
      given(created())
        .when({ ...update, url: elsewhere, headers, secret: sealed('secret-new') })
        .then([
          {
            type: 'WebhookUpdated',
            schemaVersion: 1,
            data: {
              ...ids,
              changes: { url: elsewhere, headers, secret: sealed('secret-new') },
              updatedAt: T1,
            },
          },
        ]);
    });

    it('keeps both for a caller that may read them', () => {
      given(created())
        .when({ ...update, url: elsewhere, keepSecretsAcrossOrigins: true })
        .then([
          {
            type: 'WebhookUpdated',
            schemaVersion: 1,
            data: { ...ids, changes: { url: elsewhere }, updatedAt: T1 },
          },
        ]);
    });

    it.each([
      ['another path', 'https://hooks.example.com/other/path'],
      ['the default port spelled out', 'https://hooks.example.com:443/services/T000/B000'],
      ['the host in capitals', 'https://HOOKS.example.com/services'],
    ])('%s is the same origin: nothing is dropped', (_, url) => {
      const [event] = decide({ ...update, url }, rehydrate([created()]));
      expect(event?.type === 'WebhookUpdated' && event.data.changes).toEqual({ url });
    });

    it.each([
      ['another host', 'https://hooks.example.org/services/T000/B000'],
      ['another port', 'https://hooks.example.com:8443/services/T000/B000'],
      ['another scheme', 'http://hooks.example.com/services/T000/B000'],
    ])('%s is another origin', (_, url) => {
      expect(sameOrigin('https://hooks.example.com/services/T000/B000', url)).toBe(false);
    });
  });

  it('headers given replace the whole set; bodyTemplate null clears the template', () => {
    given(created({ bodyTemplate: '{"text": {{event_type}}}' }))
      .when({ ...update, headers: [], bodyTemplate: null })
      .then([
        {
          type: 'WebhookUpdated',
          schemaVersion: 1,
          data: { ...ids, changes: { headers: [], bodyTemplate: null }, updatedAt: T1 },
        },
      ]);
  });

  it('dropping issue.status_changed while a status filter is set is refused', () => {
    const error = given(created())
      .when({ ...update, events: ['scan.completed'] })
      .thenThrows('validation_failed');
    expect(error.violations).toEqual([
      expect.objectContaining({ field: 'statusFilter', rule: 'requires_event' }),
    ]);
  });

  it('the stored template is checked again against the new effective events', () => {
    const error = given(
      created({ bodyTemplate: '{"n": {{payload.data.issues_found}}}', statusFilter: [] }),
    )
      .when({ ...update, events: ['user.login'] })
      .thenThrows('validation_failed');
    expect(error.violations).toEqual([
      expect.objectContaining({ field: 'bodyTemplate', rule: 'invalid_template' }),
    ]);
  });

  it('another company updating the webhook is not_found', () => {
    given(created())
      .when({ ...update, company: 'other', name: 'x' })
      .thenThrows('not_found');
  });

  it('a stale expectedVersion is a conflict', () => {
    given(created(), paused)
      .when({ ...update, name: 'x', expectedVersion: 1 })
      .thenThrows('conflict');
  });

  it('the current expectedVersion is accepted', () => {
    given(created(), paused)
      .when({ ...update, name: 'x', expectedVersion: 2 })
      .then([
        {
          type: 'WebhookUpdated',
          schemaVersion: 1,
          data: { ...ids, changes: { name: 'x' }, updatedAt: T1 },
        },
      ]);
  });
});

describe('PauseWebhook', () => {
  const pause = { type: 'PauseWebhook', ...ids, now: T1 } as const;

  it('pausing an active webhook records a manual pause', () => {
    given(created())
      .when(pause)
      .then([{ type: 'WebhookPaused', schemaVersion: 1, data: { ...ids, pausedAt: T1 } }]);
  });

  it('pausing a paused webhook records nothing (idempotent)', () => {
    given(created(), paused).when(pause).then([]);
    given(created(), autoPaused).when(pause).then([]);
  });

  it('pausing a missing webhook is not_found', () => {
    given().when(pause).thenThrows('not_found');
  });
});

describe('ActivateWebhook', () => {
  const activate = { type: 'ActivateWebhook', ...ids, now: T1 } as const;

  it('activating an auto-paused webhook resets the failure streak', () => {
    given(created(), autoPaused)
      .when(activate)
      .then([
        {
          type: 'WebhookActivated',
          schemaVersion: 1,
          data: { ...ids, previousPausedReason: 'auto', failureStreakReset: true, activatedAt: T1 },
        },
      ]);
  });

  it('activating a manually paused webhook records the manual pause it ends', () => {
    given(created(), paused)
      .when(activate)
      .then([
        {
          type: 'WebhookActivated',
          schemaVersion: 1,
          data: {
            ...ids,
            previousPausedReason: 'manual',
            failureStreakReset: true,
            activatedAt: T1,
          },
        },
      ]);
  });

  it('activating an active webhook records nothing (idempotent)', () => {
    given(created()).when(activate).then([]);
  });

  it('activating a deleted webhook is not_found', () => {
    given(created(), deleted).when(activate).thenThrows('not_found');
  });
});

describe('AutoPauseWebhook', () => {
  const autoPause = {
    type: 'AutoPauseWebhook',
    ...ids,
    now: T1,
    reason: 'HTTP 503 from endpoint',
    consecutiveFailures: 10,
  } as const;

  it('auto-pausing an active webhook records the reason and the failure count', () => {
    given(created())
      .when(autoPause)
      .then([
        {
          type: 'WebhookAutoPaused',
          schemaVersion: 1,
          data: { ...ids, reason: 'HTTP 503 from endpoint', consecutiveFailures: 10, pausedAt: T1 },
        },
      ]);
  });

  it('auto-pausing a manually paused webhook records nothing (the manual pause stands)', () => {
    given(created(), paused).when(autoPause).then([]);
  });

  it('auto-pausing an auto-paused webhook records nothing', () => {
    given(created(), autoPaused).when(autoPause).then([]);
  });

  it('a non-positive failure count is refused', () => {
    const error = given(created())
      .when({ ...autoPause, consecutiveFailures: 0 })
      .thenThrows('validation_failed');
    expect(error.violations?.[0]).toMatchObject({
      field: 'consecutiveFailures',
      rule: 'out_of_range',
    });
  });

  it('auto-pausing a deleted webhook is not_found', () => {
    given(created(), deleted).when(autoPause).thenThrows('not_found');
  });
});

describe('RotateWebhookSecret', () => {
  const rotate = {
    type: 'RotateWebhookSecret',
    ...ids,
    now: T0,
    secret: sealed('secret2'),
  } as const;

  it('the replaced secret stays valid for 24 hours by default', () => {
    given(created())
      .when(rotate)
      .then([
        {
          type: 'WebhookSecretRotated',
          schemaVersion: 1,
          data: {
            ...ids,
            secret: sealed('secret2'),
            previousSecret: { value: sealed('secret1'), validUntil: '2025-01-16T14:30:00.000Z' },
            rotatedAt: T0,
          },
        },
      ]);
  });

  it('the grace period is the one given', () => {
    given(created())
      .when({ ...rotate, gracePeriodSeconds: 60 })
      .then([
        {
          type: 'WebhookSecretRotated',
          schemaVersion: 1,
          data: {
            ...ids,
            secret: sealed('secret2'),
            previousSecret: { value: sealed('secret1'), validUntil: '2025-01-15T14:31:00.000Z' },
            rotatedAt: T0,
          },
        },
      ]);
  });

  it('setting a secret on an unsigned webhook keeps no previous secret', () => {
    given(created({ secret: null }))
      .when(rotate)
      .then([
        {
          type: 'WebhookSecretRotated',
          schemaVersion: 1,
          data: { ...ids, secret: sealed('secret2'), previousSecret: null, rotatedAt: T0 },
        },
      ]);
  });

  it('a grace period of 0 drops the old secret at once', () => {
    given(created())
      .when({ ...rotate, gracePeriodSeconds: 0 })
      .then([
        {
          type: 'WebhookSecretRotated',
          schemaVersion: 1,
          data: { ...ids, secret: sealed('secret2'), previousSecret: null, rotatedAt: T0 },
        },
      ]);
  });

  it('a grace period out of 0..7 days is refused', () => {
    const error = given(created())
      .when({ ...rotate, gracePeriodSeconds: 8 * 86_400 })
      .thenThrows('validation_failed');
    expect(error.violations?.[0]).toMatchObject({
      field: 'gracePeriodSeconds',
      rule: 'out_of_range',
    });
  });

  it('an unsealed secret is refused', () => {
    const error = given(created())
      .when({ ...rotate, secret: { alg: 'A256GCM', keyId: 'k1', ciphertext: '' } })
      .thenThrows('validation_failed');
    expect(error.violations?.[0]).toMatchObject({ field: 'secret', rule: 'invalid_sealed_secret' });
  });

  it('rotating another company’s secret is not_found', () => {
    given(created())
      .when({ ...rotate, company: 'other' })
      .thenThrows('not_found');
  });
});

describe('DeleteWebhook', () => {
  const del = { type: 'DeleteWebhook', ...ids, now: T1 } as const;

  it('deleting a webhook records its deletion', () => {
    given(created())
      .when(del)
      .then([{ type: 'WebhookDeleted', schemaVersion: 1, data: { ...ids, deletedAt: T1 } }]);
  });

  it('deleting a deleted webhook is not_found', () => {
    given(created(), deleted).when(del).thenThrows('not_found');
  });

  it('deleting another company’s webhook is not_found', () => {
    given(created())
      .when({ ...del, company: 'other' })
      .thenThrows('not_found');
  });
});

describe('ResealWebhookSecrets', () => {
  const resealed = (tag: string): SealedSecret => ({
    alg: 'A256GCM',
    keyId: 'k2',
    ciphertext: `c${tag}`,
  });
  const reseal: ResealWebhookSecrets = {
    type: 'ResealWebhookSecrets',
    webhookId: WEBHOOK_ID,
    company: COMPANY,
    now: T1,
    secret: resealed('secret1'),
    previousSecret: null,
    headers: [{ name: 'X-Api-Key', value: resealed('hdr') }],
  };

  it('replaces every sealed value, and nothing a user sees', () => {
    given(created())
      .when(reseal)
      .then([
        {
          type: 'WebhookSecretsResealed',
          schemaVersion: 1,
          data: {
            webhookId: WEBHOOK_ID,
            company: COMPANY,
            secret: resealed('secret1'),
            previousSecret: null,
            headers: [{ name: 'X-Api-Key', value: resealed('hdr') }],
            resealedAt: T1,
          },
        },
      ]);
    const before = rehydrate([created()]);
    const after = rehydrate([created(), ...decide(reseal, before)]);
    expect(after).toEqual({
      ...before,
      version: 2,
      secret: resealed('secret1'),
      headers: [{ name: 'X-Api-Key', value: resealed('hdr') }],
    });
  });

  it('the same values again record nothing', () => {
    given(created())
      .when({
        ...reseal,
        secret: sealed('secret1'),
        headers: [{ name: 'X-Api-Key', value: sealed('hdr') }],
      })
      .then([]);
  });

  it('cannot add, drop or rename a value', () => {
    for (const command of [
      { ...reseal, secret: null },
      { ...reseal, previousSecret: resealed('p') },
      { ...reseal, headers: [] },
      { ...reseal, headers: [{ name: 'X-Other', value: resealed('hdr') }] },
    ]) {
      given(created()).when(command).thenThrows('validation_failed');
    }
  });
});
