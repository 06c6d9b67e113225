import { addDays } from '../calendar/dates';
import { ATTENDANCE_CODES, CODE_BY_NAME, SESSIONS_PER_WEEK, type MarkCount } from './attendance-codes';

/**
 * Attendance measures as pure functions over stored week rows (ten marks, Monday am .. Friday pm).
 * Nothing here reads the store, the clock or the calendar: callers pass the period and, for the
 * trend, the list of school weeks. Choices where the reference is unsure are written next to the
 * constant that holds them (see also ATTENDANCE_CODES[].counts, the one table of what counts).
 */

export interface WeekMarks {
  /** Monday of the week, ISO date. */
  weekStart: string;
  /** Ten mark characters; '.' is no mark. */
  marks: string;
}

/** Inclusive ISO dates. */
export interface Period {
  from: string;
  to: string;
}

export interface SessionCounts {
  present: number;
  aea: number;
  authorised: number;
  unauthorised: number;
  /** Marks that exist but are not possible sessions (D, X, Q, Y1-Y7, Z, #). */
  notCounted: number;
  /** present + aea + authorised + unauthorised. */
  possible: number;
}

const EMPTY_COUNTS: Readonly<SessionCounts> = Object.freeze({
  present: 0,
  aea: 0,
  authorised: 0,
  unauthorised: 0,
  notCounted: 0,
  possible: 0,
});

// Character code -> how the mark counts; built once from the code table so there is one source.
const KIND_NONE = 0;
const KIND_PRESENT = 1;
const KIND_AEA = 2;
const KIND_AUTHORISED = 3;
const KIND_UNAUTHORISED = 4;
const KIND_NOT_COUNTED = 5;
const KIND_OF: Record<MarkCount, number> = {
  present: KIND_PRESENT,
  aea: KIND_AEA,
  authorised: KIND_AUTHORISED,
  unauthorised: KIND_UNAUTHORISED,
  not_counted: KIND_NOT_COUNTED,
};
const MARK_KIND = new Uint8Array(128);
for (const code of ATTENDANCE_CODES) MARK_KIND[code.char.charCodeAt(0)] = KIND_OF[code.counts];

function charOf(codeName: string): number {
  const code = CODE_BY_NAME.get(codeName);
  if (!code) throw new Error(`unknown attendance code ${codeName}`);
  return code.char.charCodeAt(0);
}
const N_CHAR = charOf('N');
const O_CHAR = charOf('O');
const G_CHAR = charOf('G');
const C2_CHAR = charOf('C2');
const I_CHAR = charOf('I');
const E_CHAR = charOf('E');

/**
 * The sessions of a week that fall inside the period, as [first, end) indexes into the ten marks.
 * Weeks wholly inside the period (the common case) need no date arithmetic beyond one lookup.
 */
const weekEndCache = new Map<string, string>();
function fridayOf(weekStart: string): string {
  let friday = weekEndCache.get(weekStart);
  if (friday === undefined) {
    friday = addDays(weekStart, 4);
    if (weekEndCache.size > 5000) weekEndCache.clear();
    weekEndCache.set(weekStart, friday);
  }
  return friday;
}

export function sessionRange(weekStart: string, period: Period | undefined): [number, number] {
  if (!period) return [0, SESSIONS_PER_WEEK];
  if (weekStart > period.to) return [0, 0];
  const friday = fridayOf(weekStart);
  if (friday < period.from) return [0, 0];
  let first = 0;
  let end = SESSIONS_PER_WEEK;
  if (weekStart < period.from) {
    for (let day = 1; day < 5; day++) if (addDays(weekStart, day) >= period.from) { first = day * 2; break; }
  }
  if (friday > period.to) {
    for (let day = 4; day >= 0; day--) if (addDays(weekStart, day) <= period.to) { end = day * 2 + 2; break; }
  }
  return [first, end];
}

/** Sessions by how they count, over the weeks (optionally limited to a period). */
export function countSessions(weeks: readonly WeekMarks[], period?: Period): SessionCounts {
  let present = 0;
  let aea = 0;
  let authorised = 0;
  let unauthorised = 0;
  let notCounted = 0;
  for (const week of weeks) {
    const [first, end] = sessionRange(week.weekStart, period);
    const marks = week.marks;
    for (let i = first; i < end; i++) {
      switch (MARK_KIND[marks.charCodeAt(i)]) {
        case KIND_PRESENT:
          present++;
          break;
        case KIND_AEA:
          aea++;
          break;
        case KIND_AUTHORISED:
          authorised++;
          break;
        case KIND_UNAUTHORISED:
          unauthorised++;
          break;
        case KIND_NOT_COUNTED:
          notCounted++;
          break;
        default:
          break;
      }
    }
  }
  return { present, aea, authorised, unauthorised, notCounted, possible: present + aea + authorised + unauthorised };
}

function addCounts(a: SessionCounts, b: SessionCounts): SessionCounts {
  return {
    present: a.present + b.present,
    aea: a.aea + b.aea,
    authorised: a.authorised + b.authorised,
    unauthorised: a.unauthorised + b.unauthorised,
    notCounted: a.notCounted + b.notCounted,
    possible: a.possible + b.possible,
  };
}

function absentSessions(c: SessionCounts): number {
  return c.authorised + c.unauthorised;
}

/** Attendance: sessions attended (present, or approved education off site) over possible sessions. */
export function attendanceRate(c: SessionCounts): number | null {
  return c.possible === 0 ? null : (c.present + c.aea) / c.possible;
}

/** Overall absence (authorised + unauthorised) over possible sessions. */
export function absenceRate(c: SessionCounts): number | null {
  return c.possible === 0 ? null : absentSessions(c) / c.possible;
}

function unauthorisedRate(c: SessionCounts): number | null {
  return c.possible === 0 ? null : c.unauthorised / c.possible;
}

export type AbsenceBand = 'severe' | 'persistent' | 'none';

/**
 * Persistent absence: 10% or more of possible sessions missed; severe: 50% or more. All absence
 * counts, authorised included. Whole-number comparisons, so 9.99...% never rounds into PA.
 * Legal basis: DfE "Working together to improve school attendance" (2024) definitions, as used in
 * DfE absence statistics (reference B.1).
 */
export function absenceBand(c: SessionCounts): AbsenceBand {
  if (c.possible === 0) return 'none';
  const absent = absentSessions(c);
  if (absent * 2 >= c.possible) return 'severe';
  if (absent * 10 >= c.possible) return 'persistent';
  return 'none';
}

// ---------------------------------------------------------------------------------------------
// Trend

/** School weeks in each window of the trend (the guidance's "last 6 weeks against the 6 before"). */
export const TREND_WINDOW_WEEKS = 6;
/**
 * Product choice (the guidance names no threshold): a fall of 5 percentage points or more is
 * "worsening", a rise of 5 or more "improving". Each window needs at least a week of possible
 * sessions (10) or the trend is "unknown" rather than a guess from a day or two.
 */
const TREND_CHANGE_POINTS = 5;
const TREND_MIN_POSSIBLE = 10;

export type TrendDirection = 'worsening' | 'improving' | 'steady' | 'unknown';

export interface Trend {
  recent: SessionCounts;
  previous: SessionCounts;
  /** Attendance in the recent window minus the previous one, in percentage points; null when unknown. */
  changePoints: number | null;
  direction: TrendDirection;
}

/**
 * The two trend windows from an ascending list of school-week Mondays up to the as-of date (weeks
 * with at least one school day; holidays are not weeks). Returns the recent and previous windows.
 */
export function trendWindows(schoolWeeks: readonly string[], windowWeeks = TREND_WINDOW_WEEKS): { recent: string[]; previous: string[] } {
  const recent = schoolWeeks.slice(Math.max(0, schoolWeeks.length - windowWeeks));
  const previous = schoolWeeks.slice(Math.max(0, schoolWeeks.length - 2 * windowWeeks), Math.max(0, schoolWeeks.length - windowWeeks));
  return { recent, previous };
}

/**
 * Attendance in the last six school weeks against the six before. `asOf` caps the recent window
 * (marks after it are ignored).
 */
export function attendanceTrend(weeks: readonly WeekMarks[], schoolWeeks: readonly string[], asOf: string): Trend {
  const { recent, previous } = trendWindows(schoolWeeks);
  const inSet = (set: readonly string[]) => {
    const wanted = new Set(set);
    return weeks.filter((w) => wanted.has(w.weekStart));
  };
  const recentCounts = recent.length ? countSessions(inSet(recent), { from: recent[0]!, to: asOf }) : { ...EMPTY_COUNTS };
  const previousCounts = previous.length ? countSessions(inSet(previous), { from: previous[0]!, to: asOf }) : { ...EMPTY_COUNTS };
  return trendFrom(recentCounts, previousCounts);
}

/** The trend from the two windows' counts (used where counts were summed elsewhere). */
export function trendFrom(recent: SessionCounts, previous: SessionCounts): Trend {
  if (recent.possible < TREND_MIN_POSSIBLE || previous.possible < TREND_MIN_POSSIBLE) {
    return { recent, previous, changePoints: null, direction: 'unknown' };
  }
  const change = (attendanceRate(recent)! - attendanceRate(previous)!) * 100;
  const rounded = Math.round(change * 10) / 10;
  let direction: TrendDirection = 'steady';
  if (rounded <= -TREND_CHANGE_POINTS) direction = 'worsening';
  else if (rounded >= TREND_CHANGE_POINTS) direction = 'improving';
  return { recent, previous, changePoints: rounded, direction };
}

// ---------------------------------------------------------------------------------------------
// Code patterns

/**
 * Unauthorised absence for 10 school days in a row must be reported to the LA ("pupils not
 * attending regularly"). Legal basis: SI 2024/208 and the 2024 guidance's school-to-LA returns
 * (reference B.3; Lincolnshire "PNAR").
 */
const NOT_ATTENDING_RUN_DAYS = 10;
/**
 * Illness the school expects to last 15 school days, in a row or in total, triggers the LA's
 * duty to arrange education. Legal basis: Education Act 1996 s.19 (reference B.3).
 */
const S19_ILLNESS_DAYS = 15;
/**
 * Product choice, since a register cannot know what a school "expects": illness is flagged as
 * expected to pass 15 days when the pupil is ill on the latest marked school day and has already
 * missed 10 days or more through illness this period.
 */
const S19_EXPECTED_FROM_DAYS = 10;

export type S19Illness = 'reached' | 'expected' | null;

export interface CodePatterns {
  /** N and O sessions: absence with no reason given or no reason known. */
  unexplainedSessions: number;
  /** G sessions: holidays the school did not authorise. */
  holidaySessions: number;
  /** C2 sessions: a temporary part-time timetable. */
  partTimeSessions: number;
  /** I sessions. */
  illnessSessions: number;
  /** E sessions: suspended or excluded with no alternative provision. */
  excludedSessions: number;
  /** Longest run of school days off ill, in days. */
  longestIllnessRunDays: number;
  /** True when the latest school day with a counted mark was an illness day. */
  illOnLatestDay: boolean;
  s19Illness: S19Illness;
  /** Longest run of school days with only unauthorised absence. */
  longestUnauthorisedRunDays: number;
  /** The run still going on the latest school day with a counted mark. */
  currentUnauthorisedRunDays: number;
  /** A run of 10 or more school days of unauthorised absence in the period. */
  notAttendingRegularly: boolean;
}

/**
 * Code patterns over the period. Runs are counted in school days: a day joins a run when every
 * counted mark that day belongs to the run's kind (both sessions unauthorised; both sessions I).
 * Days with no counted mark (holidays, closures, Y codes, days not yet on roll) neither break nor
 * extend a run; a day with any attendance or other absence breaks it. Weeks must be in date order.
 */
export function codePatterns(weeks: readonly WeekMarks[], period?: Period): CodePatterns {
  let unexplained = 0;
  let holiday = 0;
  let partTime = 0;
  let illness = 0;
  let excluded = 0;
  let illRun = 0;
  let longestIll = 0;
  let unauthRun = 0;
  let longestUnauth = 0;
  let illOnLatest = false;

  const sorted = isSorted(weeks) ? weeks : [...weeks].sort((a, b) => (a.weekStart < b.weekStart ? -1 : a.weekStart > b.weekStart ? 1 : 0));
  for (const week of sorted) {
    const [first, end] = sessionRange(week.weekStart, period);
    const marks = week.marks;
    for (let i = first; i < end; i++) {
      const c = marks.charCodeAt(i);
      if (c === N_CHAR || c === O_CHAR) unexplained++;
      else if (c === G_CHAR) holiday++;
      else if (c === C2_CHAR) partTime++;
      else if (c === I_CHAR) illness++;
      else if (c === E_CHAR) excluded++;
    }
    // Day by day for runs; a period boundary inside a day keeps only its sessions in range.
    for (let day = first - (first % 2); day < end; day += 2) {
      let counted = 0;
      let unauth = 0;
      let ill = 0;
      for (let s = day; s < day + 2; s++) {
        if (s < first || s >= end) continue;
        const c = marks.charCodeAt(s);
        const kind = MARK_KIND[c];
        if (kind === KIND_PRESENT || kind === KIND_AEA || kind === KIND_AUTHORISED || kind === KIND_UNAUTHORISED) {
          counted++;
          if (kind === KIND_UNAUTHORISED) unauth++;
          if (c === I_CHAR) ill++;
        }
      }
      if (counted === 0) continue;
      if (unauth === counted) {
        unauthRun++;
        if (unauthRun > longestUnauth) longestUnauth = unauthRun;
      } else unauthRun = 0;
      if (ill === counted) {
        illRun++;
        if (illRun > longestIll) longestIll = illRun;
        illOnLatest = true;
      } else {
        illRun = 0;
        illOnLatest = false;
      }
    }
  }
  const illnessDays = illness / 2;
  let s19: S19Illness = null;
  if (illnessDays >= S19_ILLNESS_DAYS || longestIll >= S19_ILLNESS_DAYS) s19 = 'reached';
  else if (illOnLatest && illnessDays >= S19_EXPECTED_FROM_DAYS) s19 = 'expected';
  return {
    unexplainedSessions: unexplained,
    holidaySessions: holiday,
    partTimeSessions: partTime,
    illnessSessions: illness,
    excludedSessions: excluded,
    longestIllnessRunDays: longestIll,
    illOnLatestDay: illOnLatest,
    s19Illness: s19,
    longestUnauthorisedRunDays: longestUnauth,
    currentUnauthorisedRunDays: unauthRun,
    notAttendingRegularly: longestUnauth >= NOT_ATTENDING_RUN_DAYS,
  };
}

function isSorted(weeks: readonly WeekMarks[]): boolean {
  for (let i = 1; i < weeks.length; i++) if (weeks[i - 1]!.weekStart > weeks[i]!.weekStart) return false;
  return true;
}

/** Sessions per register code (by code name, e.g. 'C2'), over the period; codes with none left out. */
export function codeBreakdown(weeks: readonly WeekMarks[], period?: Period): Map<string, number> {
  const byChar = new Map<string, number>();
  for (const week of weeks) {
    const [first, end] = sessionRange(week.weekStart, period);
    for (let i = first; i < end; i++) {
      const ch = week.marks[i]!;
      if (MARK_KIND[ch.charCodeAt(0)] === KIND_NONE) continue;
      byChar.set(ch, (byChar.get(ch) ?? 0) + 1);
    }
  }
  const out = new Map<string, number>();
  for (const code of ATTENDANCE_CODES) {
    const n = byChar.get(code.char);
    if (n) out.set(code.code, n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Groups (school, district, cohort, authority)

export interface GroupMeasures {
  /** Pupils with at least one possible session in the period. */
  pupils: number;
  sessions: SessionCounts;
  persistent: number;
  severe: number;
  attendanceRate: number | null;
  absenceRate: number | null;
  unauthorisedRate: number | null;
  /** Share of pupils persistently absent (severe included), as DfE publishes it. */
  persistentRate: number | null;
  severeRate: number | null;
}

/**
 * Group figures the way DfE publishes them: session rates from summed sessions (not an average
 * of pupils' rates), PA and SA rates as a share of pupils with possible sessions.
 */
export function groupMeasures(members: Iterable<SessionCounts>): GroupMeasures {
  let sessions: SessionCounts = { ...EMPTY_COUNTS };
  let pupils = 0;
  let persistent = 0;
  let severe = 0;
  for (const m of members) {
    if (m.possible === 0) continue;
    pupils++;
    sessions = addCounts(sessions, m);
    const band = absenceBand(m);
    if (band !== 'none') persistent++;
    if (band === 'severe') severe++;
  }
  return groupFromTotals({ pupils, sessions, persistent, severe });
}

/** Rates from already-summed totals (e.g. an SQL aggregate). */
export function groupFromTotals(t: { pupils: number; sessions: SessionCounts; persistent: number; severe: number }): GroupMeasures {
  return {
    pupils: t.pupils,
    sessions: t.sessions,
    persistent: t.persistent,
    severe: t.severe,
    attendanceRate: attendanceRate(t.sessions),
    absenceRate: absenceRate(t.sessions),
    unauthorisedRate: unauthorisedRate(t.sessions),
    persistentRate: t.pupils === 0 ? null : t.persistent / t.pupils,
    severeRate: t.pupils === 0 ? null : t.severe / t.pupils,
  };
}
