import type { Kysely, Selectable } from 'kysely';
import { addDays, mondayOf } from '../calendar/dates';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { AttendanceSummaryTable } from '../store/tables/cluster';
import type { AttendanceWeekTable, Database } from '../store/database';
import {
  absenceBand,
  codePatterns,
  countSessions,
  trendFrom,
  trendWindows,
  TREND_WINDOW_WEEKS,
  type Period,
  type WeekMarks,
} from './attendance-measures';
import { IDS_PER_QUERY, ROWS_PER_INSERT } from '../store/batches';

/**
 * Per-pupil attendance summaries: the measures of attendance-measures.ts computed once per pupil,
 * school and academic year, so a cluster agenda reads one row per pupil rather than every week.
 *
 * When they are rebuilt:
 * - in full for an academic year when none exist yet or when the week moved on (the trend windows
 *   and the "as of" date depend on the week);
 * - for the (pupil, school) pairs listed in attendance_summary_stale, which the attendance importer
 *   fills in its own transaction.
 * Anything else that writes attendance_week directly (the demo generator, a test) must call
 * `rebuildAttendanceSummaries` afterwards, or mark the pairs stale.
 */

export interface SummaryWindow {
  academicYear: string;
  /** Year-to-date: from the academic year's start to the as-of date. */
  period: Period;
  /** The Friday of the week of the reference date: marks after it are ignored. */
  asOf: string;
  recentWeeks: readonly string[];
  previousWeeks: readonly string[];
  /** Monday of the week holding the year's first day. */
  firstWeek: string;
  /** Earliest week row needed: the year start or the first trend week, whichever is earlier. */
  readFrom: string;
}

/** Works out the year, period and trend weeks for a reference date ("today"). */
export function summaryWindow(calendar: SchoolCalendar, today: string): SummaryWindow {
  const asOf = addDays(mondayOf(today), 4);
  const academicYear = calendar.academicYearOf(today);
  const yearStart = calendar.academicYearStart(today);
  // Enough calendar days to hold 12 school weeks even across the summer holiday.
  const lookBack = addDays(asOf, -7 * (2 * TREND_WINDOW_WEEKS + 8));
  const from = lookBack < calendar.firstDay() ? calendar.firstDay() : lookBack;
  const weekSet = new Set<string>();
  for (const day of calendar.schoolDays(from, asOf)) weekSet.add(mondayOf(day));
  const { recent, previous } = trendWindows([...weekSet].sort());
  const firstTrendWeek = previous[0] ?? recent[0] ?? yearStart;
  return {
    academicYear,
    period: { from: yearStart, to: asOf },
    asOf,
    firstWeek: mondayOf(yearStart),
    recentWeeks: recent,
    previousWeeks: previous,
    readFrom: firstTrendWeek < mondayOf(yearStart) ? firstTrendWeek : mondayOf(yearStart),
  };
}

export type SummaryRow = AttendanceSummaryTable;

/** The summary row for one pupil at one school. Pure: weeks in date order, any range. */
export function summarisePupil(pupilId: number, schoolUrn: number, weeks: readonly WeekMarks[], window: SummaryWindow): SummaryRow {
  const yearWeeks = weeks.filter((w) => w.weekStart >= window.firstWeek);
  const counts = countSessions(yearWeeks, window.period);
  const patterns = codePatterns(yearWeeks, window.period);
  const recentSet = new Set(window.recentWeeks);
  const previousSet = new Set(window.previousWeeks);
  const recent = countSessions(
    weeks.filter((w) => recentSet.has(w.weekStart)),
    { from: '0000-01-01', to: window.asOf },
  );
  const previous = countSessions(
    weeks.filter((w) => previousSet.has(w.weekStart)),
    { from: '0000-01-01', to: window.asOf },
  );
  const trend = trendFrom(recent, previous);
  return {
    pupil_id: pupilId,
    school_urn: schoolUrn,
    academic_year: window.academicYear,
    as_of: window.asOf,
    possible: counts.possible,
    present: counts.present,
    aea: counts.aea,
    authorised: counts.authorised,
    unauthorised: counts.unauthorised,
    band: absenceBand(counts),
    recent_possible: recent.possible,
    recent_attended: recent.present + recent.aea,
    previous_possible: previous.possible,
    previous_attended: previous.present + previous.aea,
    trend_points: trend.changePoints,
    trend: trend.direction,
    unexplained: patterns.unexplainedSessions,
    holiday: patterns.holidaySessions,
    part_time: patterns.partTimeSessions,
    illness: patterns.illnessSessions,
    excluded: patterns.excludedSessions,
    s19_illness: patterns.s19Illness,
    longest_unauthorised_run: patterns.longestUnauthorisedRunDays,
    not_attending: patterns.notAttendingRegularly ? 1 : 0,
  };
}

type WeekRow = Selectable<AttendanceWeekTable>;

/** Groups week rows (ordered by pupil, school, week) into summary rows. */
function summariseRows(rows: readonly WeekRow[], window: SummaryWindow, out: SummaryRow[]): void {
  let i = 0;
  while (i < rows.length) {
    const pupil = rows[i]!.pupil_id;
    const school = rows[i]!.school_urn;
    const weeks: WeekMarks[] = [];
    while (i < rows.length && rows[i]!.pupil_id === pupil && rows[i]!.school_urn === school) {
      weeks.push({ weekStart: rows[i]!.week_start, marks: rows[i]!.marks });
      i++;
    }
    const row = summarisePupil(pupil, school, weeks, window);
    // A pupil with marks only in the previous year's trend weeks has no summary this year.
    if (weeks.some((w) => w.weekStart >= window.firstWeek)) out.push(row);
  }
}

/**
 * Writes summary rows, replacing any already there: two bot instances refreshing at once must not
 * fail on each other's rows (the later one wins with the same figures).
 */
async function insertSummaries(db: Kysely<Database>, rows: SummaryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('attendance_summary')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) =>
        oc.columns(['pupil_id', 'school_urn', 'academic_year']).doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const column of SUMMARY_COLUMNS) set[column] = eb.ref(`excluded.${column}`);
          return set as never;
        }),
      )
      .execute();
  }
}

const SUMMARY_COLUMNS = [
  'as_of',
  'possible',
  'present',
  'aea',
  'authorised',
  'unauthorised',
  'band',
  'recent_possible',
  'recent_attended',
  'previous_possible',
  'previous_attended',
  'trend_points',
  'trend',
  'unexplained',
  'holiday',
  'part_time',
  'illness',
  'excluded',
  's19_illness',
  'longest_unauthorised_run',
  'not_attending',
] as const;

/** Pupil ids grouped by school, so queries can filter on the (school_urn, pupil_id) index in chunks. */
function pupilIdsBySchool(pairs: readonly { pupil_id: number; school_urn: number }[]): Map<number, number[]> {
  const bySchool = new Map<number, number[]>();
  for (const p of pairs) {
    const list = bySchool.get(p.school_urn);
    if (list) list.push(p.pupil_id);
    else bySchool.set(p.school_urn, [p.pupil_id]);
  }
  return bySchool;
}

/** Clears the stale marks this refresh handled, and only those: an import committing meanwhile keeps its own. */
async function clearStale(db: Kysely<Database>, pairs: readonly { pupil_id: number; school_urn: number }[]): Promise<void> {
  for (const [school, pupils] of pupilIdsBySchool(pairs)) {
    for (let i = 0; i < pupils.length; i += IDS_PER_QUERY) {
      await db.deleteFrom('attendance_summary_stale').where('school_urn', '=', school).where('pupil_id', 'in', pupils.slice(i, i + IDS_PER_QUERY)).execute();
    }
  }
}

export interface RefreshResult {
  mode: 'none' | 'stale' | 'full';
  /** Summary rows written. */
  rows: number;
  /** The year's refresh stamp after this call: changes whenever summaries change (cache key). */
  stamp: string;
}

/**
 * The next refresh stamp: the current instant, or 1 ms after the previous stamp when the clock has
 * not moved on (a pinned clock), so every refresh gets a new one.
 */
function nextStamp(previous: string | undefined, now: string): string {
  const prev = previous ? Date.parse(previous) : NaN;
  const at = Date.parse(now);
  return Number.isFinite(prev) && prev >= at ? new Date(prev + 1).toISOString() : new Date(at).toISOString();
}

async function currentStamp(db: Kysely<Database>, academicYear: string): Promise<string | undefined> {
  const row = await db.selectFrom('attendance_summary_state').select('refreshed_at').where('academic_year', '=', academicYear).executeTakeFirst();
  return row?.refreshed_at;
}

/** Rebuilds every summary of the academic year containing `today`, school by school, in one transaction. */
export async function rebuildAttendanceSummaries(db: Kysely<Database>, calendar: SchoolCalendar, today: string, refreshedAt: string): Promise<RefreshResult> {
  const window = summaryWindow(calendar, today);
  let written = 0;
  let stamp = '';
  await db.transaction().execute(async (trx) => {
    stamp = nextStamp(await currentStamp(trx, window.academicYear), refreshedAt);
    const staleBefore = await trx.selectFrom('attendance_summary_stale').select(['pupil_id', 'school_urn']).execute();
    await trx.deleteFrom('attendance_summary').where('academic_year', '=', window.academicYear).execute();
    const schools = await trx
      .selectFrom('attendance_week')
      .select('school_urn')
      .distinct()
      .where('week_start', '>=', window.readFrom)
      .where('week_start', '<=', window.asOf)
      .execute();
    for (const { school_urn } of schools) {
      const rows = await trx
        .selectFrom('attendance_week')
        .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
        .where('school_urn', '=', school_urn)
        .where('week_start', '>=', window.readFrom)
        .where('week_start', '<=', window.asOf)
        .orderBy('pupil_id')
        .orderBy('week_start')
        .execute();
      const out: SummaryRow[] = [];
      summariseRows(rows, window, out);
      await insertSummaries(trx, out);
      written += out.length;
    }
    // Everything read above is fresh now, including pairs an import marked stale before it.
    await clearStale(trx, staleBefore);
    await trx
      .insertInto('attendance_summary_state')
      .values({ academic_year: window.academicYear, as_of: window.asOf, refreshed_at: stamp })
      .onConflict((oc) => oc.column('academic_year').doUpdateSet({ as_of: window.asOf, refreshed_at: stamp }))
      .execute();
  });
  return { mode: 'full', rows: written, stamp };
}

/** Re-summarises only the (pupil, school) pairs marked stale, as of the year's stored date. */
async function refreshStale(db: Kysely<Database>, calendar: SchoolCalendar, today: string, refreshedAt: string): Promise<RefreshResult> {
  const window = summaryWindow(calendar, today);
  let written = 0;
  let stamp = '';
  await db.transaction().execute(async (trx) => {
    const current = await currentStamp(trx, window.academicYear);
    stamp = current ?? '';
    const stale = await trx.selectFrom('attendance_summary_stale').select(['pupil_id', 'school_urn']).orderBy('school_urn').orderBy('pupil_id').execute();
    if (stale.length === 0) return;
    stamp = nextStamp(current, refreshedAt);
    for (const [school, pupils] of pupilIdsBySchool(stale)) {
      for (let i = 0; i < pupils.length; i += IDS_PER_QUERY) {
        const chunk = pupils.slice(i, i + IDS_PER_QUERY);
        const rows = await trx
          .selectFrom('attendance_week')
          .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
          .where('school_urn', '=', school)
          .where('pupil_id', 'in', chunk)
          .where('week_start', '>=', window.readFrom)
          .where('week_start', '<=', window.asOf)
          .orderBy('pupil_id')
          .orderBy('week_start')
          .execute();
        const out: SummaryRow[] = [];
        summariseRows(rows, window, out);
        await trx
          .deleteFrom('attendance_summary')
          .where('academic_year', '=', window.academicYear)
          .where('school_urn', '=', school)
          .where('pupil_id', 'in', chunk)
          .execute();
        await insertSummaries(trx, out);
        written += out.length;
      }
    }
    await clearStale(trx, stale);
    await trx.updateTable('attendance_summary_state').set({ refreshed_at: stamp }).where('academic_year', '=', window.academicYear).execute();
  });
  return { mode: 'stale', rows: written, stamp };
}

/**
 * Makes the summaries of the year containing `today` current: a full rebuild when there are none
 * or the week moved on, else only the stale pairs, else nothing (two small reads).
 */
/** Refreshes in progress per store: concurrent requests wait for the one refresh instead of each starting their own. */
const inFlight = new WeakMap<object, Promise<RefreshResult>>();

export async function ensureAttendanceSummaries(db: Kysely<Database>, calendar: SchoolCalendar, today: string, refreshedAt: string): Promise<RefreshResult> {
  const running = inFlight.get(db);
  if (running) await running.catch(() => undefined);
  const work = ensureNow(db, calendar, today, refreshedAt);
  inFlight.set(db, work);
  try {
    return await work;
  } finally {
    if (inFlight.get(db) === work) inFlight.delete(db);
  }
}

async function ensureNow(db: Kysely<Database>, calendar: SchoolCalendar, today: string, refreshedAt: string): Promise<RefreshResult> {
  const window = summaryWindow(calendar, today);
  const state = await db.selectFrom('attendance_summary_state').select(['as_of', 'refreshed_at']).where('academic_year', '=', window.academicYear).executeTakeFirst();
  if (!state || state.as_of !== window.asOf) return rebuildAttendanceSummaries(db, calendar, today, refreshedAt);
  const anyStale = await db.selectFrom('attendance_summary_stale').select('pupil_id').limit(1).executeTakeFirst();
  if (!anyStale) return { mode: 'none', rows: 0, stamp: state.refreshed_at };
  return refreshStale(db, calendar, today, refreshedAt);
}
