import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  DEFAULT_TOLERANCE_SECONDS,
  SigningError,
  generateSecret,
  signStandardWebhook,
  verifyStandardWebhook,
} from './index';

const NOW = 1_736_950_000;
const BODY = '{"event_type":"scan.completed","data":{"name":"Zürich 🚀"}}';
const MESSAGE = { id: 'dlv_2b7f0c1e9a', timestamp: NOW };

describe('signStandardWebhook', () => {
  it('matches the Standard Webhooks reference test vector', () => {
    const headers = signStandardWebhook(
      '{"test": 2432232314}',
      { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 },
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('signs `${id}.${timestamp}.` followed by the exact body bytes, keyed by the decoded secret', () => {
    const secret = generateSecret();
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const body = Buffer.from(BODY, 'utf8');
    const expected = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`${MESSAGE.id}.${NOW}.`), body]))
      .digest('base64');
    expect(signStandardWebhook(body, MESSAGE, secret)['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('lists one v1 signature per secret, newest first, space-separated', () => {
    const newest = generateSecret();
    const older = generateSecret();
    const both = signStandardWebhook(BODY, MESSAGE, [newest, older])['webhook-signature'];
    const [first, second, ...rest] = both.split(' ');
    expect(rest).toEqual([]);
    expect(first).toBe(signStandardWebhook(BODY, MESSAGE, newest)['webhook-signature']);
    expect(second).toBe(signStandardWebhook(BODY, MESSAGE, older)['webhook-signature']);
  });

  it.each([
    ['an empty id', { id: '', timestamp: NOW }, 'INVALID_MESSAGE_ID'],
    [
      "an id with '.', which would make the signed string ambiguous",
      { id: 'a.1', timestamp: NOW },
      'INVALID_MESSAGE_ID',
    ],
    ['an id with a space', { id: 'dlv 1', timestamp: NOW }, 'INVALID_MESSAGE_ID'],
    ['a fractional timestamp', { id: 'dlv_1', timestamp: NOW + 0.5 }, 'INVALID_TIMESTAMP'],
    ['a negative timestamp', { id: 'dlv_1', timestamp: -1 }, 'INVALID_TIMESTAMP'],
    ['NaN', { id: 'dlv_1', timestamp: Number.NaN }, 'INVALID_TIMESTAMP'],
  ])('refuses %s', (_case, message, code) => {
    expect(() => signStandardWebhook(BODY, message, generateSecret())).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('refuses a secret that is not whsec_<base64> and an empty secret list', () => {
    expect(() => signStandardWebhook(BODY, MESSAGE, 'my-own-plain-secret-123')).toThrow(
      expect.objectContaining({ code: 'SECRET_NOT_STANDARD' }),
    );
    expect(() => signStandardWebhook(BODY, MESSAGE, 'whsec_not*base64')).toThrow(
      expect.objectContaining({ code: 'INVALID_SECRET' }),
    );
    expect(() => signStandardWebhook(BODY, MESSAGE, [])).toThrow(SigningError);
  });
});

describe('verifyStandardWebhook', () => {
  const secret = generateSecret();
  const headers = signStandardWebhook(BODY, MESSAGE, secret);
  const at = (nowSeconds: number) => ({ nowSeconds });

  it('accepts our own headers and reports the message id and timestamp', () => {
    expect(verifyStandardWebhook(BODY, headers, secret, at(NOW))).toEqual({
      ok: true,
      id: MESSAGE.id,
      timestamp: NOW,
    });
  });

  it('accepts header names in any case', () => {
    const upper = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    };
    expect(verifyStandardWebhook(BODY, upper, secret, at(NOW)).ok).toBe(true);
  });

  it('accepts when any one listed v1 signature matches, ignoring other versions', () => {
    const ours = headers['webhook-signature'];
    const list = `v1a,c29tZXRoaW5nIGVsc2U= v1,AAAA${ours.slice(7)} ${ours}  v2,xyz`;
    expect(
      verifyStandardWebhook(BODY, { ...headers, 'webhook-signature': list }, secret, at(NOW)).ok,
    ).toBe(true);
  });

  it('accepts during a rotation when the receiver knows either the new or the old secret', () => {
    const old = generateSecret();
    const rotated = signStandardWebhook(BODY, MESSAGE, [secret, old]);
    expect(verifyStandardWebhook(BODY, rotated, old, at(NOW)).ok).toBe(true);
    expect(verifyStandardWebhook(BODY, rotated, secret, at(NOW)).ok).toBe(true);
    expect(verifyStandardWebhook(BODY, headers, [generateSecret(), secret], at(NOW)).ok).toBe(true);
    expect(verifyStandardWebhook(BODY, rotated, generateSecret(), at(NOW))).toEqual({
      ok: false,
      reason: 'NO_MATCHING_SIGNATURE',
    });
  });

  it('accepts a timestamp exactly at the tolerance (default 5 minutes) and rejects one second past it', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    expect(verifyStandardWebhook(BODY, headers, secret, at(NOW + 300)).ok).toBe(true);
    expect(verifyStandardWebhook(BODY, headers, secret, at(NOW - 300)).ok).toBe(true);
    expect(verifyStandardWebhook(BODY, headers, secret, at(NOW + 301))).toEqual({
      ok: false,
      reason: 'TIMESTAMP_TOO_OLD',
    });
    expect(verifyStandardWebhook(BODY, headers, secret, at(NOW - 301))).toEqual({
      ok: false,
      reason: 'TIMESTAMP_TOO_NEW',
    });
    expect(
      verifyStandardWebhook(BODY, headers, secret, { nowSeconds: NOW + 301, toleranceSeconds: 600 })
        .ok,
    ).toBe(true);
  });

  it('rejects a changed body, id or timestamp under the same signature', () => {
    expect(verifyStandardWebhook(`${BODY} `, headers, secret, at(NOW)).ok).toBe(false);
    expect(
      verifyStandardWebhook(BODY, { ...headers, 'webhook-id': 'dlv_other' }, secret, at(NOW)).ok,
    ).toBe(false);
    expect(
      verifyStandardWebhook(
        BODY,
        { ...headers, 'webhook-timestamp': String(NOW + 1) },
        secret,
        at(NOW),
      ),
    ).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  it.each([
    ['missing webhook-id', { 'webhook-id': undefined }, 'MISSING_HEADER'],
    ['empty webhook-signature', { 'webhook-signature': '' }, 'MISSING_HEADER'],
    ['a repeated (array) header', { 'webhook-id': ['a', 'b'] }, 'MISSING_HEADER'],
    ['a non-numeric timestamp', { 'webhook-timestamp': '17369e5' }, 'INVALID_TIMESTAMP'],
    ['a timestamp with leading zeros', { 'webhook-timestamp': `0${NOW}` }, 'INVALID_TIMESTAMP'],
    ['a negative timestamp', { 'webhook-timestamp': `-${NOW}` }, 'INVALID_TIMESTAMP'],
    ['a signature without a version', { 'webhook-signature': 'abc' }, 'NO_MATCHING_SIGNATURE'],
    [
      'a truncated signature',
      { 'webhook-signature': headers['webhook-signature'].slice(0, -2) },
      'NO_MATCHING_SIGNATURE',
    ],
  ])('rejects %s without throwing', (_case, override, reason) => {
    const result = verifyStandardWebhook(BODY, { ...headers, ...override }, secret, at(NOW));
    expect(result).toEqual({ ok: false, reason });
  });

  it('property: sign then verify holds for arbitrary bodies, and flipping any body byte breaks it', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ minLength: 1, maxLength: 2048 })
          .chain((body) => fc.tuple(fc.constant(body), fc.nat(body.length - 1))),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        ([body, index], id) => {
          const signed = signStandardWebhook(body, { id, timestamp: NOW }, secret);
          const changed = Uint8Array.from(body);
          changed[index] = (changed[index] ?? 0) ^ 0xff;
          return (
            verifyStandardWebhook(body, signed, secret, at(NOW)).ok &&
            !verifyStandardWebhook(changed, signed, secret, at(NOW)).ok
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
