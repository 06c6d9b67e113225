import { configValue } from '../config';
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { mondayOf, todayInLondon } from '../calendar/dates';
import { claimGoLive } from '../alerts/alert-cases';
import { storeAlerts, type AlertRunnerDeps, type RunSummary } from '../alerts/alert-runner';
import type { AttendanceAlert } from '../exclusions/alert-types';
import type { Database } from '../store/database';
import { resolveAttendanceSettings, type AttendanceSettings } from './attendance-rules';
import { addToRoll, evaluateRollOnSqlite, PUPILS_PER_READ, rollQuery, RollEvaluator, type Roll, type WeekRow } from './attendance-roll-scan';
import { evaluateInWorkers } from './attendance-rule-workers';
import { chunk, IDS_PER_QUERY, ROWS_PER_INSERT } from '../store/batches';

/**
 * Runs the attendance rules over stored marks and hands new alerts to the same store, cases,
 * subscriptions and outbox as exclusion alerts (alert-runner.ts storeAlerts). Runs for the pupils of
 * the schools an import changed (queued in the import's transaction), and daily for every school.
 */

export interface AttendanceRunDeps extends AlertRunnerDeps {
  attendanceSettings?: AttendanceSettings;
  /**
   * The embedded store's handle, for the week-row reads (outside any transaction): packed rows read
   * this way meet the 2 s budget where Kysely's objects do not (bench/attendance-alerts.ts). On a
   * SQLite file, runs over many schools go to short-lived worker processes that open the same file.
   */
  sqlite?: BetterSqlite3.Database;
  /** Pupils evaluated between turns of the event loop on SQLite's own thread (tests make it small). */
  pupilsPerTurn?: number;
  /** Worker processes for a run over many schools of a SQLite file; 0 evaluates on this thread (tests compare both). */
  ruleWorkers?: number;
}

/**
 * On the bot's thread (SQLite in memory): pupils read and evaluated between two turns of the event
 * loop. About 30 microseconds of CPU a pupil, so 250 keep a turn near 8 ms: inside the 50 ms
 * loop-delay budget even when a loaded machine stretches it several times over.
 */
const PUPILS_PER_TURN = 250;
/**
 * Whole-county runs on a SQLite file: one worker process per core of this 2-core deployment, each
 * for half of the pupil ids (bench/attendance-alerts.ts).
 */
const RULE_WORKERS = 2;
/** A run for at least this many schools (a county-wide import) goes to a worker too: its start-up is then small beside the work. */
const WORKER_MIN_SCHOOLS = 20;

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
  const firstMonday = mondayOf(yearStart);

  let alerts: AttendanceAlert[];
  let found: number;
  let evaluatedPupils: number;
  const workers = deps.ruleWorkers ?? RULE_WORKERS;
  if (deps.sqlite && !deps.sqlite.memory && workers > 0 && (!schoolUrns || schoolUrns.length >= WORKER_MIN_SCHOOLS)) {
    // Only the alerts not stored yet come back: storeAlerts would skip the others anyway.
    ({ alerts, found, evaluatedPupils } = await evaluateInWorkers({
      sqlite: deps.sqlite,
      db: deps.db,
      schoolUrns,
      workers: schoolUrns ? 1 : workers,
      firstMonday,
      today,
      academicYear,
      settings,
      links,
      schoolDays,
    }));
  } else {
    const roll = await loadRoll(deps.db, today, schoolUrns);
    const evaluator = new RollEvaluator({ roll, links, schoolDays, academicYear, settings });
    if (deps.sqlite) {
      // Synchronous SQLite on the bot's thread (an in-memory store, or workers turned off): a turn of
      // the event loop between parts, so the bot keeps answering (DESIGN.md: 50 ms loop delay).
      const steps = evaluateRollOnSqlite(deps.sqlite, evaluator, { firstMonday, today }, !schoolUrns, deps.pupilsPerTurn ?? PUPILS_PER_TURN);
      while (!steps.next().done) await new Promise<void>((resolve) => setImmediate(resolve));
    } else {
      const ids = [...roll.keys()];
      for (let at = 0; at < ids.length; at += PUPILS_PER_READ) {
        const rows = await deps.db
          .selectFrom('attendance_week')
          .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
          .where('pupil_id', 'in', ids.slice(at, at + PUPILS_PER_READ))
          .where('week_start', '>=', firstMonday)
          .where('week_start', '<=', today)
          .orderBy('pupil_id')
          .execute();
        evaluator.consume(rows.map((r): WeekRow => [r.pupil_id, r.school_urn, r.week_start, r.marks]));
      }
    }
    alerts = evaluator.alerts;
    found = alerts.length;
    evaluatedPupils = roll.size;
  }
  const stored = await storeAlerts(deps, alerts, afterStore, { history });
  return { evaluatedPupils, alerts: found, ...stored, problems: [] };
}

/** Compulsory-age pupils on roll today (Year 1 to 11), with the schools they are on roll at. */
async function loadRoll(db: Kysely<Database>, today: string, schoolUrns?: readonly number[]): Promise<Roll> {
  const roll: Roll = new Map();
  if (schoolUrns && schoolUrns.length === 0) return roll;
  for (const part of schoolUrns ? chunk(schoolUrns, IDS_PER_QUERY) : [undefined]) addToRoll(roll, await rollQuery(db, today, part).execute());
  return roll;
}
