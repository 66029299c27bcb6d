/**
 * The time partitions of the delivery log (ADR 0011), as pure calculations: which weekly
 * partitions to create ahead, which ones a retention window drops, and their names.
 *
 * Each of the three tables is range-partitioned on the creation time of the delivery a row
 * belongs to, so a delivery's row, its accepted request and all its log events share a week and
 * leave together. Weeks start on Monday 00:00 UTC. Below the oldest weekly partition a catch-all
 * partition (`<table>_before_p<date>`, from MINVALUE to that date) takes what belongs to no week
 * kept, instead of a DEFAULT partition, with which PostgreSQL refuses `DETACH ... CONCURRENTLY`.
 */

/** The partitioned tables and the column each is partitioned on. */
export const PARTITIONED_TABLES = [
  { table: 'deliveries', key: 'created_at' },
  { table: 'delivery_requests', key: 'recorded_at' },
  { table: 'delivery_events', key: 'delivery_created_at' },
] as const;

export type PartitionedTable = (typeof PARTITIONED_TABLES)[number]['table'];

/** Weekly partitions kept created ahead of the current week (this one included: 1 + ahead). */
export const PARTITION_WEEKS_AHEAD = 4;

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The Monday 00:00 UTC that starts the week of `date`. */
export function weekStart(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 24 * 60 * 60 * 1000);
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

function parseStamp(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `<table>_pYYYYMMDD`: the week starting that Monday. */
export function weekPartitionName(table: PartitionedTable, start: Date): string {
  return `${table}_p${stamp(start)}`;
}

/** `<table>_before_pYYYYMMDD`: everything before that date. */
export function beforePartitionName(table: PartitionedTable, bound: Date): string {
  return `${table}_before_p${stamp(bound)}`;
}

/** One partition (attached or left detached) as its name describes it. */
export interface PartitionRange {
  readonly name: string;
  /** `undefined`: the catch-all from MINVALUE. */
  readonly from?: Date;
  readonly to: Date;
}

/** The range a partition's name stands for, or `undefined` for a name that is none of ours. */
export function parsePartitionName(
  table: PartitionedTable,
  name: string,
): PartitionRange | undefined {
  if (name.startsWith(`${table}_before_p`)) {
    const to = parseStamp(name.slice(`${table}_before_p`.length));
    return to ? { name, to } : undefined;
  }
  if (name.startsWith(`${table}_p`)) {
    const from = parseStamp(name.slice(`${table}_p`.length));
    return from && weekStart(from).getTime() === from.getTime()
      ? { name, from, to: new Date(from.getTime() + WEEK_MS) }
      : undefined;
  }
  return undefined;
}

/** The weeks `[from, to)` starting on Mondays, oldest first. */
export function weeksBetween(from: Date, to: Date): Date[] {
  const weeks: Date[] = [];
  for (let week = weekStart(from); week < to; week = new Date(week.getTime() + WEEK_MS)) {
    weeks.push(week);
  }
  return weeks;
}

/** The end of the partitions to have by `now`: the start of the week after the last one ahead. */
export function horizon(now: Date): Date {
  return new Date(weekStart(now).getTime() + (PARTITION_WEEKS_AHEAD + 1) * WEEK_MS);
}

/** Oldest creation time a window of `days` keeps at `now`. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
}

/** What a retention run does to one table. */
export interface RetentionPlan {
  /** Weekly partitions wholly older than the cutoff, oldest first. */
  readonly drop: PartitionRange[];
  /**
   * Where the new catch-all ends (where the oldest kept partition starts): it replaces the
   * current one, which goes with the dropped weeks (its rows are older still). `undefined` when
   * nothing is dropped.
   */
  readonly newBefore?: Date;
}

/**
 * Weekly partitions whose whole range is older than `cutoff` are dropped, and the catch-all
 * below them with them; an empty catch-all takes its place below the oldest week kept, so the
 * ranges stay contiguous. A week that still holds rows younger than the cutoff is kept whole:
 * rows live up to a week longer than the window, never shorter.
 */
export function planRetention(weekly: readonly PartitionRange[], cutoff: Date): RetentionPlan {
  const drop = weekly
    .filter((p) => p.to.getTime() <= cutoff.getTime())
    .sort((a, b) => a.to.getTime() - b.to.getTime());
  const last = drop.at(-1);
  return last ? { drop, newBefore: last.to } : { drop: [] };
}
