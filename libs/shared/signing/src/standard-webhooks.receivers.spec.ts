import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateSecret, signStandardWebhook } from './index';

// The receiver here is the `standardwebhooks` npm package (the Standard Webhooks reference
// library), not our verifier.

const nowSeconds = () => Math.floor(Date.now() / 1000);
const BODY =
  JSON.stringify(
    { event_type: 'issue.assigned', data: { assigned_to: { name: 'Renée Dupont 👩‍💻' } } },
    null,
    2,
  ) + '\n';

describe('the standardwebhooks package (new Webhook(secret).verify)', () => {
  const secret = generateSecret();
  const receiver = new Webhook(secret);

  it('accepts our headers over a text body and over the same bytes as a Buffer', () => {
    const headers = signStandardWebhook(BODY, { id: 'dlv_01', timestamp: nowSeconds() }, secret);
    expect(receiver.verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
    expect(receiver.verify(Buffer.from(BODY, 'utf8'), { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('computes the same v1 signature as ours for the same id, timestamp and body', () => {
    const timestamp = nowSeconds();
    const headers = signStandardWebhook(BODY, { id: 'dlv_02', timestamp }, secret);
    expect(receiver.sign('dlv_02', new Date(timestamp * 1000), BODY)).toBe(
      headers['webhook-signature'],
    );
  });

  it('rejects our headers when the body changed', () => {
    const headers = signStandardWebhook(BODY, { id: 'dlv_03', timestamp: nowSeconds() }, secret);
    expect(() => receiver.verify(BODY.replace('Renée', 'Renee'), { ...headers })).toThrow(
      WebhookVerificationError,
    );
  });

  it('rejects our headers when the timestamp is outside its 5-minute tolerance', () => {
    const old = signStandardWebhook(BODY, { id: 'dlv_04', timestamp: nowSeconds() - 600 }, secret);
    const future = signStandardWebhook(
      BODY,
      { id: 'dlv_05', timestamp: nowSeconds() + 600 },
      secret,
    );
    expect(() => receiver.verify(BODY, { ...old })).toThrow(/too old/);
    expect(() => receiver.verify(BODY, { ...future })).toThrow(/too new/);
  });

  it('accepts a rotation header listing two signatures when only one matches its secret', () => {
    const older = generateSecret();
    const headers = signStandardWebhook(BODY, { id: 'dlv_06', timestamp: nowSeconds() }, [
      secret,
      older,
    ]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(older).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
    expect(new Webhook(secret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(generateSecret()).verify(BODY, { ...headers })).toThrow(
      /No matching signature/,
    );
  });

  it('property: accepts our headers for arbitrary text bodies, ids and generated secrets', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 512 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        (body, id) => {
          const anySecret = generateSecret();
          const headers = signStandardWebhook(body, { id, timestamp: nowSeconds() }, anySecret);
          new Webhook(anySecret).verify(body, { ...headers }, { jsonParse: false });
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
