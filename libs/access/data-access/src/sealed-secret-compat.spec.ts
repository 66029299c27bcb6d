// shared-crypto is a util lib and may not import contracts, so its `SealedValue` repeats the
// shape of the contracts' `SealedSecret`. This lib may import both: it pins that they stay one
// type (the typecheck fails otherwise) and that what the key ring writes passes the schema.
import { newWebhookId, validateWebhookConfigRecord, type SealedSecret } from '@hookline/contracts';
import {
  aadFor,
  generateMasterKey,
  parseMasterKeys,
  type SealedValue,
} from '@hookline/shared-crypto';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameType: Equal<SealedValue, SealedSecret> = true;

describe('SealedValue of shared-crypto and SealedSecret of contracts', () => {
  it('are the same type', () => {
    expect(sameType).toBe(true);
  });

  it('agree on the wire: sealed values pass the webhooks.config schema', () => {
    const ring = parseMasterKeys(generateMasterKey('k2025-06'));
    const webhookId = newWebhookId();
    const signingSecret: SealedSecret = ring.seal(
      'whsec_secret',
      aadFor(webhookId, 'signingSecret'),
    );
    const headerValue: SealedSecret = ring.seal('token', aadFor(webhookId, 'header', 'x-token'));
    const result = validateWebhookConfigRecord({
      schemaVersion: 1,
      webhookId,
      company: 'acme',
      name: 'sealed',
      url: 'https://hooks.example.com/x',
      type: 'other',
      events: ['issue.status_changed'],
      projectIds: [],
      statusFilter: [],
      status: 'active',
      version: 1,
      updatedAt: '2025-01-10T09:00:00.000Z',
      bodyTemplate: null,
      signingSecret,
      headers: [{ name: 'X-Token', value: headerValue }],
    });
    expect(result).toMatchObject({ ok: true });
    const opened: SealedValue = signingSecret;
    expect(ring.open(opened, aadFor(webhookId, 'signingSecret'))).toBe('whsec_secret');
  });
});
