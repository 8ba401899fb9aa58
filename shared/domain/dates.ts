/**
 * Calendar dates for legal deadlines: plain `YYYY-MM-DD` strings in Korea Standard Time
 * (UTC+9, no daylight saving), compared and shifted without time-zone surprises.
 */

export type LocalDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const KST_OFFSET_MS = 9 * 3600 * 1000;
const DAY_MS = 86_400_000;

export class InvalidDateError extends Error {
  override readonly name = 'InvalidDateError';
}

/** The date's year, month and day; undefined if it is none (no exception: validators ask on every input). */
function parse(date: LocalDate): [number, number, number] | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) ? undefined : [y, mo, d];
}

function parts(date: LocalDate): [number, number, number] {
  const parsed = parse(date);
  if (parsed) return parsed;
  throw new InvalidDateError(
    DATE.test(date) ? `no such date: ${date}` : `not a YYYY-MM-DD date: ${JSON.stringify(date)}`,
  );
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of the Gregorian calendar: counted, not asked of a Date (every date parsed asks it). */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!;
}

function fromUtcMs(ms: number): LocalDate {
  return new Date(ms).toISOString().slice(0, 10);
}

function toUtcMs(date: LocalDate): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d);
}

export function isLocalDate(value: string): boolean {
  return parse(value) !== undefined;
}

export function assertLocalDate(value: string): LocalDate {
  parts(value);
  return value;
}

/** The Korean calendar date of an instant. */
export function kstDate(instant: Date | string): LocalDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new InvalidDateError(`not an instant: ${String(instant)}`);
  return fromUtcMs(ms + KST_OFFSET_MS);
}

/** The instant a Korean calendar date starts (00:00 KST). */
export function kstStartOfDay(date: LocalDate): Date {
  return new Date(toUtcMs(date) - KST_OFFSET_MS);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/**
 * The day after `months` months counted from `start` have passed (민법 §160②③, applied to local
 * taxes by 지방세기본법 §23; docs/LEGAL.md "Counting months"): the period ends at the end of the day
 * before the corresponding day of the last month, or at the end of that month when it has no such
 * day. Counted from `start` itself each time (not month by month), so a 31st start does not drift.
 */
export function afterMonthsFrom(start: LocalDate, months: number): LocalDate {
  const [y, m, d] = parts(start);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  // The corresponding day exists: the period ended the day before it, so it is the day after.
  if (d <= daysInMonth(year, month)) return ymd(year, month, d);
  // No corresponding day: the period ended with the month; the next day is the 1st of the next.
  return addDays(ymd(year, month, daysInMonth(year, month)), 1);
}

function ymd(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return toUtcMs(a) - toUtcMs(b);
}

export const isBefore = (a: LocalDate, b: LocalDate): boolean => compareDates(a, b) < 0;
export const isAfter = (a: LocalDate, b: LocalDate): boolean => compareDates(a, b) > 0;

/** Inclusive date range; `to` absent means still running. */
export interface DateRange {
  from: LocalDate;
  to?: LocalDate;
}

export function inRange(date: LocalDate, range: DateRange): boolean {
  return !isBefore(date, range.from) && (range.to === undefined || !isAfter(date, range.to));
}
