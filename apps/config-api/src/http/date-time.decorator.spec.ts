import { isDateTime, parseDateTime } from './date-time.decorator';

describe('RFC 3339 date-times', () => {
  it.each([
    '2026-01-15T14:00:00Z',
    '2026-01-15t14:00:00.123456z',
    '0088-09-09T00:18:49.64405-00:24',
    '2024-02-29T23:59:60+01:00',
    '0000-02-29T00:00:00Z',
  ])('%s is one', (value) => {
    expect(isDateTime(value)).toBe(true);
    expect(Number.isNaN(parseDateTime(value).getTime())).toBe(false);
  });

  it.each([
    '2026-01-15',
    '2026-01-15T14:00Z',
    '2026-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-01-15T24:00:00Z',
    '2026-01-15T14:00:00+2400',
    ' 2026-01-15T14:00:00Z',
  ])('%s is not', (value) => {
    expect(isDateTime(value)).toBe(false);
  });

  it('an offset moves the instant', () => {
    expect(parseDateTime('2026-01-15T14:00:00+02:00').toISOString()).toBe(
      '2026-01-15T12:00:00.000Z',
    );
  });
});
