import type { Clock } from '../clock';

/**
 * Pure helpers over ISO calendar dates ('YYYY-MM-DD'). Arithmetic runs in UTC on purpose: a date
 * has no time zone, and UTC has no daylight-saving jumps, so adding days never lands on the wrong
 * date. Only `todayInLondon` deals with an instant, and it converts through Europe/London.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2026-02-30, 2026-2-3, ...). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC treats years 0..99 as 1900+; setUTCFullYear undoes that so the round trip is exact.
  parsed.setUTCFullYear(year);
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

function toUtcMs(date: string): number {
  if (!isIsoDate(date)) throw new Error(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return Date.parse(`${date}T00:00:00Z`);
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Today's date in England, whatever the server's time zone. */
export function todayInLondon(clock: Clock): string {
  return dateInLondon(clock.now());
}

/** The Europe/London calendar date of an instant. */
export function dateInLondon(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Calendar days, not school days; n may be negative. */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new Error(`addDays needs a whole number of days, got ${n}`);
  return fromUtcMs(toUtcMs(date) + n * MS_PER_DAY);
}

/** 1 = Monday ... 7 = Sunday (ISO 8601). */
export function isoWeekday(date: string): number {
  const day = new Date(toUtcMs(date)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The Monday of the ISO week containing the date. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

/** Calendar days from a to b: positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / MS_PER_DAY);
}

export function isWeekend(date: string): boolean {
  return isoWeekday(date) >= 6;
}

// ---------------------------------------------------------------------------------------------
// Dates in words, for cards and documents: fixed English names, so the output never depends on the
// server's locale. Input is an ISO date (YYYY-MM-DD).

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_ABBREVIATIONS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function parts(iso: string): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(`${iso}T00:00:00Z`);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** '2026-11-30' -> 'Mon 30 Nov 2026'. */
export function weekdayDate(iso: string): string {
  const p = parts(iso);
  return `${DAY_ABBREVIATIONS[p.weekday]} ${p.day} ${MONTH_NAMES[p.month]!.slice(0, 3)} ${p.year}`;
}

/** '2026-12-09' -> '9 Dec'. */
export function dayMonth(iso: string): string {
  const p = parts(iso);
  return `${p.day} ${MONTH_NAMES[p.month]!.slice(0, 3)}`;
}

/** '2026-11-30' -> '30 November 2026'. */
export function dayMonthYear(iso: string): string {
  const p = parts(iso);
  return `${p.day} ${MONTH_NAMES[p.month]} ${p.year}`;
}
