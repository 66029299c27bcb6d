import { classifyHttpStatus, parseRetryAfter } from './attempt-outcome';

describe('classifyHttpStatus', () => {
  it.each([
    [200, { ok: true }],
    [201, { ok: true }],
    [204, { ok: true }],
    [299, { ok: true }],
    [301, { ok: false, failure: 'redirect' }],
    [302, { ok: false, failure: 'redirect' }],
    [307, { ok: false, failure: 'redirect' }],
    [308, { ok: false, failure: 'redirect' }],
    [400, { ok: false, failure: 'http_4xx' }],
    [404, { ok: false, failure: 'http_4xx' }],
    [410, { ok: false, failure: 'http_4xx' }],
    [429, { ok: false, failure: 'http_4xx' }],
    [499, { ok: false, failure: 'http_4xx' }],
    [500, { ok: false, failure: 'http_5xx' }],
    [503, { ok: false, failure: 'http_5xx' }],
    [599, { ok: false, failure: 'http_5xx' }],
    [100, { ok: false, failure: 'other' }],
    [600, { ok: false, failure: 'other' }],
    [200.5, { ok: false, failure: 'other' }],
    [Number.NaN, { ok: false, failure: 'other' }],
  ])('status %p is %p', (status, expected) => {
    expect(classifyHttpStatus(status)).toEqual(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2015-10-21T07:28:00.000Z');

  it.each<[string | null | undefined, number | undefined]>([
    ['0', 0],
    ['120', 120],
    ['  30  ', 30],
    ['007', 7],
    ['Wed, 21 Oct 2015 07:28:00 GMT', 0],
    ['Wed, 21 Oct 2015 07:29:30 GMT', 90],
    ['Wed, 21 Oct 2015 08:28:00 GMT', 3600],
    ['Wed, 21 Oct 2015 07:00:00 GMT', 0],
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['99999999999999999999', undefined],
    ['Wednesday, 21-Oct-15 07:28:00 GMT', undefined],
    ['Wed, 31 Feb 2015 07:28:00 GMT', undefined],
    ['Wed, 21 Oct 2015 25:00:00 GMT', undefined],
    ['2015-10-21T07:30:00Z', undefined],
  ])('Retry-After %p is %p seconds', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('a date a fraction of a second ahead rounds up to a whole second', () => {
    const justBefore = new Date('2015-10-21T07:27:59.400Z');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', justBefore)).toBe(1);
  });
});
