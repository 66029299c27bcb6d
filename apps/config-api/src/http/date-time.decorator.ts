import { ValidateBy } from 'class-validator';

// RFC 3339 `date-time`, what the document's `format: date-time` promises (and what schema tools
// generate): a full date, `T`, a time with optional fraction, and `Z` or an offset.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an RFC 3339 date-time of a day that exists (a leap second included). */
export function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [
    1, 2, 3, 4, 5, 6, 9, 10,
  ].map((group) => Number(match[group] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // setUTCFullYear, not Date.UTC: that reads the years 0-99 as 1900-1999.
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  const daysInMonth = lastDay.getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/** The instant of an `isDateTime` value; a leap second counts as the second before it. */
export function parseDateTime(value: string): Date {
  const date = new Date(value.replace(/:60(?=[.Zz+-])/, ':59'));
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date-time: ${value}`);
  return date;
}

/** class-validator: the property is an RFC 3339 date-time (`format: date-time`). */
export const IsDateTime = (): PropertyDecorator =>
  ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (value: unknown) => isDateTime(value),
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be an RFC 3339 date-time, e.g. 2026-01-15T14:00:00Z`,
    },
  });
