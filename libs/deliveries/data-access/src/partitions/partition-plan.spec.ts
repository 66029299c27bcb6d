import {
  horizon,
  parsePartitionName,
  planRetention,
  weekPartitionName,
  weeksBetween,
  weekStart,
} from './partition-plan';

const at = (iso: string) => new Date(iso);

describe('partition plan', () => {
  it('starts weeks on Monday 00:00 UTC', () => {
    expect(weekStart(at('2026-12-03T23:59:59.999Z')).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(weekStart(at('2026-11-30T00:00:00.000Z')).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(weekStart(at('2026-12-06T23:59:59.999Z')).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(weekStart(at('2026-12-07T00:00:00.000Z')).toISOString()).toBe(
      '2026-12-07T00:00:00.000Z',
    );
  });

  it('names a week by its Monday and reads the range back from the name', () => {
    const name = weekPartitionName('deliveries', at('2026-11-30T00:00:00Z'));
    expect(name).toBe('deliveries_p20261130');
    expect(parsePartitionName('deliveries', name)).toEqual({
      name,
      from: at('2026-11-30T00:00:00Z'),
      to: at('2026-12-07T00:00:00Z'),
    });
    expect(parsePartitionName('deliveries', 'deliveries_before_p20261130')).toEqual({
      name: 'deliveries_before_p20261130',
      to: at('2026-11-30T00:00:00Z'),
    });
    // Not a Monday, not a date, another table's: none of ours.
    expect(parsePartitionName('deliveries', 'deliveries_p20261201')).toBeUndefined();
    expect(parsePartitionName('deliveries', 'deliveries_p2026113')).toBeUndefined();
    expect(parsePartitionName('deliveries', 'delivery_events_p20261130')).toBeUndefined();
  });

  it('keeps the current week and four ahead', () => {
    const now = at('2026-12-03T12:00:00Z');
    expect(horizon(now).toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(weeksBetween(now, horizon(now))).toHaveLength(5);
  });

  it('drops only weeks wholly older than the cutoff, and moves the catch-all up to the oldest kept', () => {
    const weeks = weeksBetween(at('2026-08-03T00:00:00Z'), at('2026-09-14T00:00:00Z')).map(
      (from) => ({
        name: weekPartitionName('deliveries', from),
        from,
        to: new Date(from.getTime() + 7 * 86_400_000),
      }),
    );
    // The cutoff falls inside the week of 2026-08-24: that week stays whole.
    const plan = planRetention(weeks, at('2026-08-26T10:00:00Z'));
    expect(plan.drop.map((p) => p.name)).toEqual([
      'deliveries_p20260803',
      'deliveries_p20260810',
      'deliveries_p20260817',
    ]);
    expect(plan.newBefore).toEqual(at('2026-08-24T00:00:00Z'));
    expect(planRetention(weeks, at('2026-08-09T00:00:00Z'))).toEqual({ drop: [] });
  });
});
