/** Formatting shared by the pages: plain functions, tested without a browser. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** In the user's time zone, e.g. "15 Jan 2025, 14:30:00". */
export function localTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** The exact instant, for a tooltip: ISO 8601 in UTC with milliseconds, and the zone. */
export function exactTime(iso: string, zone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString()} (shown in ${zone})`;
}

/** "3 min ago", "in 2 h", "just now". */
export function relativeTime(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  const [value, unit] =
    abs < 45_000
      ? [0, 'now']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), 'min']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), 'h']
          : [Math.round(abs / 86_400_000), 'd'];
  if (unit === 'now') return 'just now';
  return ms < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** 0.9712 → "97.1%"; null → "–". */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** A `datetime-local` input's value (local time) as an ISO instant, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant as a `datetime-local` input's value in local time. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** JSON text pretty-printed when it parses, else as it came. */
export function prettyJson(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export interface Bucket {
  readonly start: number;
  readonly delivered: number;
  readonly failed: number;
  readonly other: number;
}

/**
 * One bar per hour from `from` to `to`, oldest first, from the API's sparse activity rows of
 * one webhook: delivered, failed, and the rest (pending, skipped). Hours without rows are zero.
 */
export function hourlyBuckets(
  rows: ReadonlyArray<{
    start: string;
    delivered: number;
    failed: number;
    pending: number;
    skipped: number;
  }>,
  from: string,
  to: string,
): Bucket[] {
  const hour = 3_600_000;
  const first = Math.floor(new Date(from).getTime() / hour) * hour;
  const last = Math.floor(new Date(to).getTime() / hour) * hour;
  if (!(first <= last)) return [];
  const byStart = new Map(rows.map((row) => [new Date(row.start).getTime(), row]));
  const buckets: Bucket[] = [];
  for (let start = first; start <= last; start += hour) {
    const row = byStart.get(start);
    buckets.push({
      start,
      delivered: row?.delivered ?? 0,
      failed: row?.failed ?? 0,
      other: (row?.pending ?? 0) + (row?.skipped ?? 0),
    });
  }
  return buckets;
}

/** Project ids typed one per line or comma-separated: trimmed, without blanks or repeats. */
export function parseProjectIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}
