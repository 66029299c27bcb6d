import {
  exactTime,
  hourlyBuckets,
  localInputToIso,
  parseProjectIds,
  percent,
  prettyJson,
  relativeTime,
} from './format';

describe('dashboard formatting', () => {
  it('shows a success rate as a percentage with one decimal, and none as a dash', () => {
    expect(percent(0.97123)).toBe('97.1%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(null)).toBe('–');
  });

  it('says how long ago in the largest whole unit', () => {
    const now = Date.parse('2026-01-15T12:00:00Z');
    expect(relativeTime('2026-01-15T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-01-15T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime('2026-01-15T14:00:00Z', now)).toBe('in 2 h');
    expect(relativeTime('2026-01-12T12:00:00Z', now)).toBe('3 d ago');
  });

  it('gives the exact instant in UTC with the zone the page shows', () => {
    expect(exactTime('2026-01-15T12:00:00.123Z', 'Europe/Paris')).toBe(
      '2026-01-15T12:00:00.123Z (shown in Europe/Paris)',
    );
  });

  it('reads an empty date input as no bound', () => {
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('2026-01-15T12:00')).toMatch(/^2026-01-1\dT\d\d:00:00.000Z$/);
  });

  it('pretty-prints JSON and leaves anything else as it is', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
    expect(prettyJson(null)).toBe('');
  });

  it('gives one bar per hour of the window, zero where the API listed no deliveries', () => {
    const buckets = hourlyBuckets(
      [
        { start: '2026-01-15T12:00:00.000Z', delivered: 3, failed: 1, pending: 1, skipped: 1 },
        { start: '2026-01-15T10:00:00.000Z', delivered: 1, failed: 0, pending: 0, skipped: 0 },
      ],
      '2026-01-14T13:00:00.000Z',
      '2026-01-15T12:30:00.000Z',
    );
    expect(buckets).toHaveLength(24);
    expect(buckets.at(-1)).toMatchObject({ delivered: 3, failed: 1, other: 2 });
    expect(buckets.at(-3)).toMatchObject({ delivered: 1, failed: 0, other: 0 });
    expect(buckets.at(-2)).toMatchObject({ delivered: 0, failed: 0, other: 0 });
    expect(new Date(buckets[0]?.start ?? 0).toISOString()).toBe('2026-01-14T13:00:00.000Z');
  });

  it('splits project ids on commas and lines, without blanks or repeats', () => {
    expect(parseProjectIds('a, b\n\nc,a')).toEqual(['a', 'b', 'c']);
  });
});
