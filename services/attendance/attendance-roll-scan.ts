import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { AttendanceAlert } from '../exclusions/alert-types';
import type { Database } from '../store/database';
import type { WeekMarks } from './attendance-measures';
import { evaluateAttendanceRules, mergeWeeks, type AttendanceRulePupil, type AttendanceSettings } from './attendance-rules';

/**
 * The part of an attendance run that reads the roll's week rows and evaluates each pupil, shared by
 * the bot's thread (attendance-alerts.ts) and the worker processes that evaluate the whole county off
 * it (attendance-rule-workers.ts), so both find exactly the same alerts. Imports nothing heavy: a
 * worker loads this, the rules and better-sqlite3 only.
 */

export interface RollEntry {
  pupil: AttendanceRulePupil;
  schools: number[];
}

/** Pupils on roll, by id. */
export type Roll = Map<number, RollEntry>;

/** One row of the roll query (rollQuery). */
export interface RollRow extends AttendanceRulePupil {
  school_urn: number;
}

/**
 * Compulsory-age pupils on roll today (Year 1 to 11) at `urns` (all schools when omitted), with
 * their ids within `idRange` when given. One query builder for both the bot's thread, which runs it,
 * and the workers, which run its compiled SQL on their own connection.
 */
export function rollQuery(db: Kysely<Database>, today: string, urns?: readonly number[], idRange?: readonly [number, number]) {
  let q = db
    .selectFrom('enrolment')
    .innerJoin('pupil', 'pupil.id', 'enrolment.pupil_id')
    .select(['pupil.id', 'pupil.nc_year', 'pupil.sen_provision', 'pupil.looked_after', 'pupil.social_worker', 'pupil.youth_justice', 'pupil.fsm', 'enrolment.school_urn'])
    .where('enrolment.start_date', '<=', today)
    .where((eb) => eb.or([eb('enrolment.end_date', 'is', null), eb('enrolment.end_date', '>=', today)]))
    .where('pupil.nc_year', '>=', 1)
    .where('pupil.nc_year', '<=', 11);
  if (urns) q = q.where('enrolment.school_urn', 'in', urns);
  if (idRange) q = q.where('pupil.id', '>=', idRange[0]).where('pupil.id', '<=', idRange[1]);
  return q;
}

/** Adds rows of the roll query to `roll` (a pupil on roll at two schools is one entry, schools in URN order). */
export function addToRoll(roll: Roll, rows: readonly RollRow[]): void {
  for (const r of rows) {
    const known = roll.get(r.id);
    if (known) {
      // In URN order, whatever order the rows came in (a query plan's, which differs between a
      // whole-county read and a worker's id range): the alert's school list and the fallback school
      // must not depend on it.
      if (known.schools.includes(r.school_urn)) continue;
      const at = known.schools.findIndex((urn) => urn > r.school_urn);
      if (at < 0) known.schools.push(r.school_urn);
      else known.schools.splice(at, 0, r.school_urn);
    } else {
      roll.set(r.id, {
        pupil: { id: r.id, nc_year: r.nc_year, sen_provision: r.sen_provision, looked_after: r.looked_after, social_worker: r.social_worker, youth_justice: r.youth_justice, fsm: r.fsm },
        schools: [r.school_urn],
      });
    }
  }
}

export interface EvaluationContext {
  roll: Roll;
  /** Youth justice workers linked to each pupil. */
  links: ReadonlyMap<number, number[]>;
  /** The school days of the year so far at a school (lists shared by schools with the same days). */
  schoolDays: (urn: number) => readonly string[];
  academicYear: string;
  settings: AttendanceSettings;
}

export type WeekRow = [pupilId: number, schoolUrn: number, weekStart: string, marks: string];

/** Evaluates pupils of the roll from their week rows, collecting the alerts found. */
export class RollEvaluator {
  readonly alerts: AttendanceAlert[] = [];
  constructor(readonly ctx: EvaluationContext) {}

  evaluate(pupilId: number, weeks: WeekMarks[], latestUrn: number, twoSchools: boolean): void {
    const { roll, links, settings, academicYear } = this.ctx;
    const onRoll = roll.get(pupilId)!;
    const urn = onRoll.schools.includes(latestUrn) ? latestUrn : onRoll.schools[0]!;
    const found = evaluateAttendanceRules(
      { pupil: onRoll.pupil, schoolUrn: urn, currentSchoolUrns: onRoll.schools, weeks: twoSchools ? mergeWeeks(weeks) : weeks, youthJusticeWorkerIds: links.get(pupilId) ?? [] },
      { schoolDays: this.ctx.schoolDays(urn), academicYear, settings },
    );
    for (const a of found) this.alerts.push(a);
  }

  /** Week rows ordered by pupil: each pupil's weeks are one run of rows. */
  consume(rows: Iterable<WeekRow>): void {
    const { roll } = this.ctx;
    let current = -1;
    let weeks: WeekMarks[] = [];
    let latestUrn = 0;
    let latestWeek = '';
    let twoSchools = false;
    let firstUrn = 0;
    for (const [pupilId, urn, weekStart, marks] of rows) {
      if (pupilId !== current) {
        if (current >= 0 && roll.has(current)) this.evaluate(current, weeks, latestUrn, twoSchools);
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
    if (current >= 0 && roll.has(current)) this.evaluate(current, weeks, latestUrn, twoSchools);
  }

  /** One string per distinct week start (by its digits, yyyymmdd), shared by every pupil. */
  readonly #weekStarts = new Map<number, string>();

  /** One pupil's weeks packed by SQLite: week start, six-digit URN, ten marks (26 characters a week). */
  consumePacked(pupilId: number, packed: string): void {
    const weeks: WeekMarks[] = [];
    let latestKey = -1;
    let latestUrn = 0;
    let firstUrn = -1;
    let twoSchools = false;
    for (let pos = 0; pos + 26 <= packed.length; pos += 26) {
      // Digits read in place: Number() of a slice and a fresh week string per row (hashed again by
      // the rules' week lookup) were a third of the evaluation's time over a county.
      let key = 0;
      for (let k = pos; k < pos + 10; k++) {
        const c = packed.charCodeAt(k);
        if (c !== 45) key = key * 10 + c - 48;
      }
      let urn = 0;
      for (let k = pos + 10; k < pos + 16; k++) urn = urn * 10 + packed.charCodeAt(k) - 48;
      let weekStart = this.#weekStarts.get(key);
      if (weekStart === undefined) this.#weekStarts.set(key, (weekStart = packed.slice(pos, pos + 10)));
      if (firstUrn < 0) firstUrn = urn;
      else if (urn !== firstUrn) twoSchools = true;
      weeks.push({ weekStart, marks: packed.slice(pos + 16, pos + 26) });
      if (key >= latestKey) {
        latestKey = key;
        latestUrn = urn;
      }
    }
    this.evaluate(pupilId, weeks, latestUrn, twoSchools);
  }
}

/** Pupils per read of their week rows by id list: bounded memory and bounded statement parameters. */
export const PUPILS_PER_READ = 500;

/**
 * Reads and evaluates every pupil of the roll on a SQLite connection, yielding after each part
 * (`perPart` pupils) so a caller on the bot's thread can give the event loop a turn; a worker just
 * runs it through. `packed`: read in key ranges with each pupil's weeks packed into one string by
 * SQLite, so 1.5 million week rows cross into JavaScript as 100,000 values rather than 6 million
 * (the whole county, where the ranges hold almost only pupils on roll); otherwise by id lists.
 */
export function* evaluateRollOnSqlite(sqlite: BetterSqlite3.Database, evaluator: RollEvaluator, range: { firstMonday: string; today: string }, packed: boolean, perPart?: number): Generator<void> {
  const { roll } = evaluator.ctx;
  const sortedIds = Int32Array.from(roll.keys()).sort();
  if (packed) {
    const scan = sqlite
      .prepare(
        // English URNs have six digits: printf (a tenth of the read) only pads any other.
        "select pupil_id, group_concat(week_start || case when school_urn between 100000 and 999999 then school_urn else printf('%06d', school_urn) end || marks, '') from attendance_week where pupil_id >= ? and pupil_id <= ? and week_start >= ? and week_start <= ? group by pupil_id order by pupil_id",
      )
      .raw(true);
    const step = perPart ?? sortedIds.length;
    for (let at = 0; at < sortedIds.length; at += step) {
      if (at > 0) yield;
      const last = Math.min(at + step, sortedIds.length) - 1;
      for (const [pupilId, weeks] of scan.iterate(sortedIds[at], sortedIds[last], range.firstMonday, range.today) as IterableIterator<[number, string]>) {
        if (roll.has(pupilId)) evaluator.consumePacked(pupilId, weeks);
      }
    }
    return;
  }
  // Ids as explicit parameters: SQLite then seeks the primary key once per pupil (a json_each list
  // can make it scan the table for every part).
  const statements = new Map<number, BetterSqlite3.Statement>();
  const statementFor = (count: number) => {
    let statement = statements.get(count);
    if (!statement) {
      statement = sqlite.prepare(
        `select pupil_id, school_urn, week_start, marks from attendance_week where pupil_id in (${new Array(count).fill('?').join(', ')}) and week_start >= ? and week_start <= ? order by pupil_id`,
      );
      statement.raw(true);
      statements.set(count, statement);
    }
    return statement;
  };
  const ids = [...roll.keys()];
  for (let at = 0; at < ids.length; at += PUPILS_PER_READ) {
    if (at > 0) yield;
    const part = ids.slice(at, at + PUPILS_PER_READ);
    evaluator.consume(statementFor(part.length).all(...part, range.firstMonday, range.today) as WeekRow[]);
  }
}
