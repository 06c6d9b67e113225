import type { Kysely } from 'kysely';
import { addDays } from '../calendar/dates';
import { schoolInScope } from '../identity/scope-query';
import type { Scope } from '../identity/scope';
import type { Database } from '../store/database';
import { IDS_PER_QUERY } from '../store/batches';

/**
 * Which pupils a school may report an exclusion for, and so which pupils an exclusion may show to a
 * school's staff. One rule, used by the intake API, the exclusions file import and the alert views.
 *
 * The roll rule: the pupil is registered at that school (single, main or subsidiary dual
 * registration) on the exclusion's start date, or their registration there ended no more than
 * ROLL_GRACE_DAYS calendar days before it. The grace covers roll records that run ahead of a late
 * report (a pupil taken off roll, or moved by a pupils import, before the school's report arrived);
 * 20 calendar days is four school weeks, about the longest a report should lag.
 */

// Legal basis: a head teacher may exclude only a pupil of their own school (School Discipline (Pupil
// Exclusions and Reviews) (England) Regulations 2012, reg. 4); the roll is the admission register
// (Education (Pupil Registration) (England) Regulations 2006).
export const ROLL_GRACE_DAYS = 20;

export interface RollEnrolment {
  school_urn: number;
  start_date: string;
  end_date: string | null;
}

/** The roll rule, pure: whether the enrolments put the pupil on roll at `urn` for an exclusion starting `startDate`. */
export function onRollForExclusion(enrolments: readonly RollEnrolment[], urn: number, startDate: string): boolean {
  const earliestEnd = addDays(startDate, -ROLL_GRACE_DAYS);
  for (const e of enrolments) {
    if (e.school_urn !== urn || e.start_date > startDate) continue;
    if (e.end_date === null || e.end_date >= earliestEnd) return true;
  }
  return false;
}

/** Whether the pupil is on roll at the school for an exclusion starting then (one small query). */
export async function pupilOnRollForExclusion(db: Kysely<Database>, pupilId: number, urn: number, startDate: string): Promise<boolean> {
  const rows = await db
    .selectFrom('enrolment')
    .select(['school_urn', 'start_date', 'end_date'])
    .where('pupil_id', '=', pupilId)
    .where('school_urn', '=', urn)
    .execute();
  return onRollForExclusion(rows, urn, startDate);
}

/** Every enrolment, by pupil, for checking a whole file against the roll rule. */
export async function enrolmentsByPupil(db: Kysely<Database>): Promise<Map<number, RollEnrolment[]>> {
  const map = new Map<number, RollEnrolment[]>();
  const rows = await db.selectFrom('enrolment').select(['pupil_id', 'school_urn', 'start_date', 'end_date']).execute();
  for (const r of rows) {
    const list = map.get(r.pupil_id);
    const e = { school_urn: r.school_urn, start_date: r.start_date, end_date: r.end_date };
    if (list) list.push(e);
    else map.set(r.pupil_id, [e]);
  }
  return map;
}

export interface ExclusionSubject {
  pupilId: number;
  /** The excluding school. */
  schoolUrn: number;
  /** The exclusion's start date. */
  startDate: string;
}

/**
 * For each exclusion, whether a viewer with this scope may see its pupil: the pupil is on roll today
 * at a school in the scope, or the excluding school is in the scope and the pupil was on roll there
 * under the roll rule. A stored row naming a pupil the school never had (reported before this rule
 * existed) so shows that pupil to nobody at that school. Enforced in the query: only enrolments at
 * schools in the scope are read.
 */
export async function pupilsVisibleThroughExclusions(db: Kysely<Database>, scope: Scope, subjects: readonly ExclusionSubject[], today: string): Promise<boolean[]> {
  if (subjects.length === 0) return [];
  // The whole county's staff may see every pupil, on roll or not.
  if (scope.county) return subjects.map(() => true);
  const byPupil = new Map<number, RollEnrolment[]>();
  const ids = [...new Set(subjects.map((s) => s.pupilId))];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('enrolment')
      .innerJoin('school', 'school.urn', 'enrolment.school_urn')
      .select(['enrolment.pupil_id', 'enrolment.school_urn', 'enrolment.start_date', 'enrolment.end_date'])
      .where('enrolment.pupil_id', 'in', ids.slice(i, i + IDS_PER_QUERY))
      .where(schoolInScope(scope))
      .execute();
    for (const r of rows) {
      const list = byPupil.get(r.pupil_id) ?? [];
      list.push({ school_urn: r.school_urn, start_date: r.start_date, end_date: r.end_date });
      byPupil.set(r.pupil_id, list);
    }
  }
  return subjects.map((s) => {
    const inScope = byPupil.get(s.pupilId) ?? [];
    if (inScope.some((e) => e.start_date <= today && (e.end_date === null || e.end_date >= today))) return true;
    return onRollForExclusion(inScope, s.schoolUrn, s.startDate);
  });
}
