import { configValue } from '../config';
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { mondayOf, todayInLondon } from '../calendar/dates';
import { claimGoLive } from '../alerts/alert-cases';
import { storeAlerts, type AlertRunnerDeps, type RunSummary } from '../alerts/alert-runner';
import type { AttendanceAlert } from '../exclusions/alert-types';
import type { Database } from '../store/database';
import type { WeekMarks } from './attendance-measures';
import { evaluateAttendanceRules, mergeWeeks, resolveAttendanceSettings, type AttendanceRulePupil, type AttendanceSettings } from './attendance-rules';
import { chunk, IDS_PER_QUERY, ROWS_PER_INSERT } from '../store/batches';

/**
 * Runs the attendance rules over stored marks and hands new alerts to the same store, cases,
 * subscriptions and outbox as exclusion alerts (alert-runner.ts storeAlerts). Runs for the pupils of
 * the schools an import changed (queued in the import's transaction), and daily for every school.
 */

export interface AttendanceRunDeps extends AlertRunnerDeps {
  attendanceSettings?: AttendanceSettings;
  /**
   * The embedded store's handle, for the whole-county read only (outside any transaction): packed
   * rows read this way meet the 2 s budget where Kysely's objects do not (bench/attendance-alerts.ts).
   */
  sqlite?: BetterSqlite3.Database;
  /** Pupils evaluated between turns of the event loop on SQLite (tests make it small). */
  pupilsPerTurn?: number;
}

/** Pupils per read of their week rows: bounded memory and bounded statement parameters. */
const PUPILS_PER_READ = 500;
/**
 * Whole-county run on SQLite: pupils read and evaluated between two turns of the event loop. About
 * 30 microseconds of CPU a pupil, so 250 keep a turn near 8 ms: inside the 50 ms loop-delay budget
 * even when a loaded machine stretches it several times over.
 */
const PUPILS_PER_TURN = 250;

/** Queues schools whose marks changed (called inside the import's transaction). */
export async function queueAttendanceSchools(db: Kysely<Database>, urns: Iterable<number>, now: string): Promise<void> {
  const rows = [...new Set(urns)].map((school_urn) => ({ school_urn, queued_at: now, token: randomUUID() }));
  for (const part of chunk(rows, ROWS_PER_INSERT)) {
    await db
      .insertInto('attendance_alert_pending_school')
      .values(part)
      .onConflict((oc) => oc.column('school_urn').doUpdateSet((eb) => ({ queued_at: eb.ref('excluded.queued_at'), token: eb.ref('excluded.token') })))
      .execute();
  }
}

/** Evaluates the schools queued by imports, then removes exactly the entries it read. */
export async function drainAttendanceSchools(deps: AttendanceRunDeps): Promise<RunSummary> {
  const pending = await deps.db.selectFrom('attendance_alert_pending_school').select(['school_urn', 'token']).execute();
  if (pending.length === 0) return { evaluatedPupils: 0, alerts: 0, newAlerts: 0, queuedDeliveries: 0, problems: [] };
  return runAttendanceRules(
    deps,
    pending.map((p) => p.school_urn),
    async (trx) => {
      for (const p of pending) await trx.deleteFrom('attendance_alert_pending_school').where('school_urn', '=', p.school_urn).where('token', '=', p.token).execute();
    },
  );
}

interface RollEntry {
  pupil: AttendanceRulePupil;
  schools: number[];
}

/** The attendance rules for the pupils on roll today at `schoolUrns` (all schools when omitted). */
export async function runAttendanceRules(deps: AttendanceRunDeps, schoolUrns?: readonly number[], afterStore?: (trx: Kysely<Database>) => Promise<void>): Promise<RunSummary> {
  const settings = deps.attendanceSettings ?? resolveAttendanceSettings(configValue('ATTENDANCE_ALERTS') ?? '');
  const today = todayInLondon(deps.clock);
  let yearStart: string;
  let academicYear: string;
  try {
    yearStart = deps.calendar.academicYearStart(today);
    academicYear = deps.calendar.academicYearOf(today);
  } catch (error) {
    return { evaluatedPupils: 0, alerts: 0, newAlerts: 0, queuedDeliveries: 0, problems: [{ message: (error as Error).message }] };
  }
  const history = await claimGoLive(deps.db, deps.clock);
  const roll = await loadRoll(deps.db, today, schoolUrns);
  const links = new Map<number, number[]>();
  for (const l of await deps.db.selectFrom('pupil_youth_justice_worker').select(['pupil_id', 'staff_user_id']).execute()) {
    const list = links.get(l.pupil_id);
    if (list) list.push(l.staff_user_id);
    else links.set(l.pupil_id, [l.staff_user_id]);
  }
  // School days differ only for schools with their own closures: computed once per distinct school.
  // Schools with the same days share one list, so the rules' per-list work (placesOf) is done once per list.
  const daysBySchool = new Map<number, string[]>();
  const sameDays = new Map<string, string[]>();
  const schoolDays = (urn: number) => {
    let days = daysBySchool.get(urn);
    if (!days) {
      days = deps.calendar.schoolDays(yearStart, today, urn);
      const key = days.join();
      days = sameDays.get(key) ?? (sameDays.set(key, days), days);
      daysBySchool.set(urn, days);
    }
    return days;
  };

  const alerts: AttendanceAlert[] = [];
  const ids = [...roll.keys()];
  const firstMonday = mondayOf(yearStart);
  // SQLite: prepared statements, rows as plain arrays (a county is well over a million week rows).
  // Ids as explicit parameters: SQLite then seeks the primary key once per pupil (a json_each list
  // can make it scan the table for every chunk).
  const statements = new Map<number, BetterSqlite3.Statement>();
  const statementFor = (count: number) => {
    let statement = statements.get(count);
    if (!statement) {
      statement = deps.sqlite!.prepare(
        `select pupil_id, school_urn, week_start, marks from attendance_week where pupil_id in (${new Array(count).fill('?').join(', ')}) and week_start >= ? and week_start <= ? order by pupil_id`,
      );
      statement.raw(true);
      statements.set(count, statement);
    }
    return statement;
  };
  type WeekRow = [pupilId: number, schoolUrn: number, weekStart: string, marks: string];
  const readWeeks = async (part: number[]): Promise<WeekRow[]> => {
    if (deps.sqlite) return statementFor(part.length).all(...part, firstMonday, today) as WeekRow[];
    const rows = await deps.db
      .selectFrom('attendance_week')
      .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
      .where('pupil_id', 'in', part)
      .where('week_start', '>=', firstMonday)
      .where('week_start', '<=', today)
      .orderBy('pupil_id')
      .execute();
    return rows.map((r): WeekRow => [r.pupil_id, r.school_urn, r.week_start, r.marks]);
  };
  const evaluate = (pupilId: number, weeks: WeekMarks[], latestUrn: number, twoSchools: boolean) => {
    const onRoll = roll.get(pupilId)!;
    const urn = onRoll.schools.includes(latestUrn) ? latestUrn : onRoll.schools[0]!;
    const found = evaluateAttendanceRules(
      { pupil: onRoll.pupil, schoolUrn: urn, currentSchoolUrns: onRoll.schools, weeks: twoSchools ? mergeWeeks(weeks) : weeks, youthJusticeWorkerIds: links.get(pupilId) ?? [] },
      { schoolDays: schoolDays(urn), academicYear, settings },
    );
    for (const a of found) alerts.push(a);
  };
  // Rows come ordered by pupil: each pupil's weeks are one run of rows.
  const consume = (rows: Iterable<WeekRow>) => {
    let current = -1;
    let weeks: WeekMarks[] = [];
    let latestUrn = 0;
    let latestWeek = '';
    let twoSchools = false;
    let firstUrn = 0;
    for (const [pupilId, urn, weekStart, marks] of rows) {
      if (pupilId !== current) {
        if (current >= 0 && roll.has(current)) evaluate(current, weeks, latestUrn, twoSchools);
        current = pupilId;
        weeks = [];
        latestWeek = '';
        twoSchools = false;
        firstUrn = urn;
      }
      if (!roll.has(pupilId)) continue;
      if (urn !== firstUrn) twoSchools = true;
      weeks.push({ weekStart, marks });
      if (weekStart >= latestWeek) {
        latestWeek = weekStart;
        latestUrn = urn;
      }
    }
    if (current >= 0 && roll.has(current)) evaluate(current, weeks, latestUrn, twoSchools);
  };
  if (!schoolUrns && deps.sqlite) {
    // The whole county on SQLite: each pupil's weeks packed into one string by SQLite (week start,
    // six-digit URN, ten marks: 26 characters a week), so 1.5 million week rows cross into JavaScript
    // as 100,000 values rather than 6 million. Read in key ranges of the roll's pupils, with a turn
    // of the event loop between ranges: the run is synchronous SQLite on the bot's thread, and the
    // bot must keep answering while it goes (DESIGN.md: 50 ms loop delay).
    const scan = deps.sqlite
      .prepare(
        "select pupil_id, group_concat(week_start || printf('%06d', school_urn) || marks, '') from attendance_week where pupil_id >= ? and pupil_id <= ? and week_start >= ? and week_start <= ? group by pupil_id order by pupil_id",
      )
      .raw(true);
    const sortedIds = Int32Array.from(ids).sort();
    const perTurn = deps.pupilsPerTurn ?? PUPILS_PER_TURN;
    for (let at = 0; at < sortedIds.length; at += perTurn) {
      if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const last = Math.min(at + perTurn, sortedIds.length) - 1;
      for (const [pupilId, packed] of scan.iterate(sortedIds[at], sortedIds[last], firstMonday, today) as IterableIterator<[number, string]>) {
        if (!roll.has(pupilId)) continue;
        const weeks: WeekMarks[] = [];
        let latestWeek = '';
        let latestUrn = 0;
        let firstUrn = -1;
        let twoSchools = false;
        for (let pos = 0; pos + 26 <= packed.length; pos += 26) {
          const weekStart = packed.slice(pos, pos + 10);
          const urn = Number(packed.slice(pos + 10, pos + 16));
          if (firstUrn < 0) firstUrn = urn;
          else if (urn !== firstUrn) twoSchools = true;
          weeks.push({ weekStart, marks: packed.slice(pos + 16, pos + 26) });
          if (weekStart >= latestWeek) {
            latestWeek = weekStart;
            latestUrn = urn;
          }
        }
        evaluate(pupilId, weeks, latestUrn, twoSchools);
      }
    }
  } else {
    for (let at = 0; at < ids.length; at += PUPILS_PER_READ) {
      // SQLite reads here are synchronous too (a county-wide import queues every school): same turns.
      if (deps.sqlite && at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      consume(await readWeeks(ids.slice(at, at + PUPILS_PER_READ)));
    }
  }
  const stored = await storeAlerts(deps, alerts, afterStore, { history });
  return { evaluatedPupils: roll.size, alerts: alerts.length, ...stored, problems: [] };
}

/** Compulsory-age pupils on roll today (Year 1 to 11), with the schools they are on roll at. */
async function loadRoll(db: Kysely<Database>, today: string, schoolUrns?: readonly number[]): Promise<Map<number, RollEntry>> {
  const roll = new Map<number, RollEntry>();
  if (schoolUrns && schoolUrns.length === 0) return roll;
  const read = (urns?: readonly number[]) => {
    let q = db
      .selectFrom('enrolment')
      .innerJoin('pupil', 'pupil.id', 'enrolment.pupil_id')
      .select(['pupil.id', 'pupil.nc_year', 'pupil.sen_provision', 'pupil.looked_after', 'pupil.social_worker', 'pupil.youth_justice', 'pupil.fsm', 'enrolment.school_urn'])
      .where('enrolment.start_date', '<=', today)
      .where((eb) => eb.or([eb('enrolment.end_date', 'is', null), eb('enrolment.end_date', '>=', today)]))
      .where('pupil.nc_year', '>=', 1)
      .where('pupil.nc_year', '<=', 11);
    if (urns) q = q.where('enrolment.school_urn', 'in', urns);
    return q.execute();
  };
  const parts: (readonly number[] | undefined)[] = [];
  if (!schoolUrns) parts.push(undefined);
  else parts.push(...chunk(schoolUrns, IDS_PER_QUERY));
  for (const part of parts) {
    for (const r of await read(part)) {
      const known = roll.get(r.id);
      if (known) {
        if (!known.schools.includes(r.school_urn)) known.schools.push(r.school_urn);
      } else {
        roll.set(r.id, {
          pupil: { id: r.id, nc_year: r.nc_year, sen_provision: r.sen_provision, looked_after: r.looked_after, social_worker: r.social_worker, youth_justice: r.youth_justice, fsm: r.fsm },
          schools: [r.school_urn],
        });
      }
    }
  }
  return roll;
}
