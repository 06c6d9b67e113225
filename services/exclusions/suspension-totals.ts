import type { SchoolCalendar } from '../calendar/school-calendar';
import type { RuleExclusion } from './alert-types';

/**
 * Turns exclusion rows into school days. Counting rules: one school day is two sessions; a
 * lunchtime counts as half a day; days are the excluding school's school days (its own closures
 * respected), starting on the start date or, if that is not a school day, the next one.
 */

export interface DayShare {
  date: string;
  /** 1 for a full day, 0.5 for a half day or a lunchtime. */
  days: number;
  /** For a half day of a suspension, the session it covers ('AM' or 'PM'); absent for full days and lunchtimes. */
  half?: 'AM' | 'PM';
}

/** The first school day of an exclusion at its school. */
export function firstSchoolDay(exclusion: Pick<RuleExclusion, 'start_date' | 'school_urn'>, calendar: SchoolCalendar): string {
  return calendar.isSchoolDay(exclusion.start_date, exclusion.school_urn)
    ? exclusion.start_date
    : calendar.addSchoolDays(exclusion.start_date, 1, exclusion.school_urn);
}

/** The n-th school day of an exclusion (day 1 is its first school day). */
export function nthSchoolDay(exclusion: Pick<RuleExclusion, 'start_date' | 'school_urn'>, n: number, calendar: SchoolCalendar): string {
  const first = firstSchoolDay(exclusion, calendar);
  return n === 1 ? first : calendar.addSchoolDays(first, n - 1, exclusion.school_urn);
}

/**
 * The school days a suspension or lunchtime suspension covers, in order. A suspension starting in
 * the morning of 2n+1 sessions is n full days then a morning; one starting in the afternoon is an
 * afternoon, then full days, then a morning if a session is left over. A lunchtime row of k sessions
 * is k lunchtimes on consecutive school days. Permanent exclusions do not count towards suspension
 * totals: empty. Days from the outcome date on (withdrawn, cancelled, reinstated) are not counted:
 * the pupil is back.
 */
export function suspensionDayShares(exclusion: RuleExclusion, calendar: SchoolCalendar): DayShare[] {
  if (exclusion.category === 'PERM' || exclusion.sessions <= 0) return [];
  const shares: DayShare[] = [];
  type Entry = { days: number; half?: 'AM' | 'PM' };
  let entries: Entry[];
  if (exclusion.category === 'LUNC') entries = Array.from({ length: exclusion.sessions }, () => ({ days: 0.5 }));
  else {
    const pm = exclusion.start_session === 'PM';
    const rest = exclusion.sessions - (pm ? 1 : 0);
    entries = [
      ...(pm ? [{ days: 0.5, half: 'PM' as const }] : []),
      ...Array.from({ length: Math.floor(rest / 2) }, () => ({ days: 1 })),
      ...(rest % 2 ? [{ days: 0.5, half: 'AM' as const }] : []),
    ];
  }
  let date = firstSchoolDay(exclusion, calendar);
  entries.forEach((entry, i) => {
    if (i > 0) date = calendar.addSchoolDays(date, 1, exclusion.school_urn);
    shares.push(entry.half ? { date, days: entry.days, half: entry.half } : { date, days: entry.days });
  });
  const back = exclusion.outcome ? exclusion.outcome_date : null;
  return back ? shares.filter((s) => s.date < back) : shares;
}

/** Total suspension days of one exclusion (sessions / 2 for both categories). */
export function suspensionDays(exclusion: Pick<RuleExclusion, 'category' | 'sessions'>): number {
  return exclusion.category === 'PERM' ? 0 : Math.max(0, exclusion.sessions) / 2;
}

/**
 * Running totals, in exclusion order, keyed by a bucket (a term or a year, optionally per school).
 * Calls `onCross` when an exclusion takes a bucket from at-or-below a level to above it.
 */
export interface RunningTotal {
  bucket: string;
  before: number;
  after: number;
}

export function runningTotals(
  ordered: readonly RuleExclusion[],
  shares: ReadonlyMap<number, readonly DayShare[]>,
  bucketOf: (exclusion: RuleExclusion, share: DayShare) => string,
): Map<number, RunningTotal[]> {
  const totals = new Map<string, number>();
  const result = new Map<number, RunningTotal[]>();
  for (const exclusion of ordered) {
    const perBucket = new Map<string, number>();
    for (const share of shares.get(exclusion.id) ?? []) {
      const bucket = bucketOf(exclusion, share);
      perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + share.days);
    }
    const changes: RunningTotal[] = [];
    for (const [bucket, added] of perBucket) {
      const before = totals.get(bucket) ?? 0;
      const after = before + added;
      totals.set(bucket, after);
      changes.push({ bucket, before, after });
    }
    result.set(exclusion.id, changes);
  }
  return result;
}

/** Orders exclusions by first day, then id, so "the one that crossed the line" is well defined. */
export function byStart<T extends Pick<RuleExclusion, 'start_date' | 'id'>>(a: T, b: T): number {
  return a.start_date < b.start_date ? -1 : a.start_date > b.start_date ? 1 : a.id - b.id;
}
