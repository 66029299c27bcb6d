import type { WebhookConfigRecord } from '@hookline/contracts';
import {
  CryptoError,
  generateMasterKey,
  parseMasterKeys,
  legacyWebhookHeaderAad,
  webhookHeaderAad,
  webhookSecretAad,
} from '@hookline/shared-crypto';
import { openWebhook } from './open-webhook';

const URL = 'https://hooks.example.com/corgea';
const WEBHOOK_ID = 'wh_0123456789abcdef0123456789abcdef';
const OTHER_ID = 'wh_fedcba9876543210fedcba9876543210';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PREVIOUS_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const TOKEN_HEADER = 'X-Automation-Webhook-Token';

const keyRing = parseMasterKeys(generateMasterKey('k1'));

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
    bodyTemplate: '{"event": {{event_type}}}',
    signingSecret: keyRing.seal(SECRET, webhookSecretAad(WEBHOOK_ID)),
    previousSigningSecret: {
      value: keyRing.seal(PREVIOUS_SECRET, webhookSecretAad(WEBHOOK_ID)),
      validUntil: '2025-01-11T09:00:00.000Z',
    },
    headers: [
      {
        name: TOKEN_HEADER,
        value: keyRing.seal('token-123', webhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER, URL)),
      },
      {
        name: 'X-Tenant',
        value: keyRing.seal('tenant-a', webhookHeaderAad(WEBHOOK_ID, 'X-Tenant', URL)),
      },
    ],
    ...overrides,
  };
}

function expectCryptoError(fn: () => unknown): CryptoError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  return caught as CryptoError;
}

describe('openWebhook', () => {
  it('opens the signing secret, the previous secret and every header value', () => {
    expect(openWebhook(keyRing, record())).toEqual({
      id: WEBHOOK_ID,
      url: 'https://hooks.example.com/corgea',
      type: 'other',
      bodyTemplate: '{"event": {{event_type}}}',
      headers: [
        { name: TOKEN_HEADER, value: 'token-123' },
        { name: 'X-Tenant', value: 'tenant-a' },
      ],
      secret: SECRET,
      previousSecret: { value: PREVIOUS_SECRET, validUntil: '2025-01-11T09:00:00.000Z' },
    });
  });

  it('a header sealed under another spelling of its name still opens (names are case-insensitive)', () => {
    const headers = [
      {
        name: 'x-tenant',
        value: keyRing.seal('tenant-a', webhookHeaderAad(WEBHOOK_ID, 'X-TENANT', URL)),
      },
    ];
    expect(openWebhook(keyRing, record({ headers })).headers).toEqual([
      { name: 'x-tenant', value: 'tenant-a' },
    ]);
  });

  it('a record without secrets opens to secret and previousSecret null', () => {
    const opened = openWebhook(
      keyRing,
      record({ signingSecret: null, previousSigningSecret: undefined, headers: [] }),
    );
    expect(opened).toMatchObject({ secret: null, previousSecret: null, headers: [] });
    expect(openWebhook(keyRing, record({ previousSigningSecret: null })).previousSecret).toBeNull();
  });

  it('a signing secret sealed for another webhook does not open', () => {
    const error = expectCryptoError(() =>
      openWebhook(
        keyRing,
        record({ signingSecret: keyRing.seal(SECRET, webhookSecretAad(OTHER_ID)) }),
      ),
    );
    expect(error.code).toBe('DECRYPTION_FAILED');
  });

  it('a previous secret sealed for another webhook does not open', () => {
    const previousSigningSecret = {
      value: keyRing.seal(PREVIOUS_SECRET, webhookSecretAad(OTHER_ID)),
      validUntil: '2025-01-11T09:00:00.000Z',
    };
    expectCryptoError(() => openWebhook(keyRing, record({ previousSigningSecret })));
  });

  it('a header value sealed for another webhook or another header name does not open', () => {
    for (const aad of [
      webhookHeaderAad(OTHER_ID, TOKEN_HEADER, URL),
      webhookHeaderAad(WEBHOOK_ID, 'X-Other-Header', URL),
      webhookSecretAad(WEBHOOK_ID),
    ]) {
      const headers = [{ name: TOKEN_HEADER, value: keyRing.seal('token-123', aad) }];
      const error = expectCryptoError(() => openWebhook(keyRing, record({ headers })));
      expect(error.code).toBe('DECRYPTION_FAILED');
    }
  });

  it('a header value saved for another origin does not open: it is never sent there', () => {
    for (const savedFor of [
      'https://other.example.com/corgea',
      'http://hooks.example.com/corgea',
      'https://hooks.example.com:8443/corgea',
    ]) {
      const headers = [
        {
          name: TOKEN_HEADER,
          value: keyRing.seal('token-123', webhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER, savedFor)),
        },
      ];
      const error = expectCryptoError(() => openWebhook(keyRing, record({ headers })));
      expect(error.code).toBe('DECRYPTION_FAILED');
    }
  });

  it('a header value saved for another path of the same origin opens', () => {
    const headers = [
      {
        name: TOKEN_HEADER,
        value: keyRing.seal(
          'token-123',
          webhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER, 'https://HOOKS.example.com:443/other?x=1'),
        ),
      },
    ];
    expect(openWebhook(keyRing, record({ headers })).headers).toEqual([
      { name: TOKEN_HEADER, value: 'token-123' },
    ]);
  });

  it('a header value sealed before origins were bound still opens', () => {
    const headers = [
      {
        name: TOKEN_HEADER,
        value: keyRing.seal('token-123', legacyWebhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER)),
      },
    ];
    expect(openWebhook(keyRing, record({ headers })).headers).toEqual([
      { name: TOKEN_HEADER, value: 'token-123' },
    ]);
  });

  it('a header value copied into the signing secret does not open there', () => {
    const signingSecret = keyRing.seal(SECRET, webhookHeaderAad(WEBHOOK_ID, TOKEN_HEADER, URL));
    expectCryptoError(() => openWebhook(keyRing, record({ signingSecret })));
  });

  it('a value sealed under a key the ring does not hold fails with UNKNOWN_KEY', () => {
    const otherRing = parseMasterKeys(generateMasterKey('k2'));
    const signingSecret = otherRing.seal(SECRET, webhookSecretAad(WEBHOOK_ID));
    expect(expectCryptoError(() => openWebhook(keyRing, record({ signingSecret }))).code).toBe(
      'UNKNOWN_KEY',
    );
  });

  it('error messages do not contain the plaintext values', () => {
    const headers = [
      { name: TOKEN_HEADER, value: keyRing.seal('token-123', webhookSecretAad(WEBHOOK_ID)) },
    ];
    const error = expectCryptoError(() => openWebhook(keyRing, record({ headers })));
    expect(error.message).not.toContain('token-123');
    expect(error.message).not.toContain(SECRET);
  });
});
