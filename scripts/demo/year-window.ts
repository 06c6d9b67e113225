import type { SchoolCalendar } from '../../services/calendar/school-calendar';
import { addDays, isWeekend } from '../../services/calendar/dates';
import type { CountyPlan } from './county-plan';
import type { Segment } from './pupil-generator';
import { lowerBound, upperBound } from '../../services/util/sorted-search';

/**
 * The part of the academic year the demo covers: from the first day of the academic year that
 * contains "today" up to yesterday (today's registers are not complete yet).
 */
export interface YearWindow {
  calendar: SchoolCalendar;
  today: string;
  yesterday: string;
  /** The calendar year the academic year starts in (2026 for 2026/27). */
  startYear: number;
  /** 1 September of that year. */
  yearStart: string;
  /** Authority-wide school days from yearStart to yesterday, ascending. */
  days: string[];
  /** Position of each of those days in `days`. */
  dayIndex: Map<string, number>;
  /** The share of the academic year's school days already behind us (0..1). */
  fractionOfYear: number;
}

/** A typical English school year, used when the calendar does not reach the year's end. */
const TYPICAL_SCHOOL_DAYS = 190;

export function yearWindow(calendar: SchoolCalendar, today: string): YearWindow {
  const yearStart = calendar.academicYearStart(today);
  const yesterday = addDays(today, -1);
  const days = yesterday < yearStart ? [] : calendar.schoolDays(yearStart, yesterday);
  let yearDays = TYPICAL_SCHOOL_DAYS;
  try {
    yearDays = calendar.schoolDays(yearStart, `${Number(yearStart.slice(0, 4)) + 1}-08-31`).length || TYPICAL_SCHOOL_DAYS;
  } catch {
    // The calendar stops before the year ends: fall back to the usual length.
  }
  return {
    calendar,
    today,
    yesterday,
    startYear: Number(yearStart.slice(0, 4)),
    yearStart,
    days,
    dayIndex: new Map(days.map((d, i) => [d, i])),
    fractionOfYear: Math.min(1, days.length / yearDays),
  };
}

/** Moves a weekend date to the following Monday (for dates before the calendar's range). */
export function weekdayOnOrAfter(date: string): string {
  let d = date;
  while (isWeekend(d)) d = addDays(d, 1);
  return d;
}

/** Inclusive day-index range of a segment within the window; lo > hi when it does not overlap. */
export function segmentRange(segment: Segment, window: YearWindow): [number, number] {
  const days = window.days;
  const lo = lowerBound(days, segment.start);
  const hi = segment.end === null ? days.length - 1 : upperBound(days, segment.end) - 1;
  return [lo, hi];
}

/** School index -> window days on which that school is closed although the county's schools are open. */
export function schoolClosures(plan: CountyPlan, window: YearWindow): Map<number, Set<number>> {
  const days = window.days;
  const closed = new Map<number, Set<number>>();
  if (days.length === 0) return closed;
  for (const school of plan.schools) {
    const open = window.calendar.schoolDays(days[0]!, days[days.length - 1]!, school.urn);
    if (open.length === days.length) continue;
    const openSet = new Set(open);
    closed.set(school.index, new Set(days.map((d, i) => (openSet.has(d) ? -1 : i)).filter((i) => i >= 0)));
  }
  return closed;
}
