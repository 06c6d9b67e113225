import { sql, type RawBuilder } from 'kysely';
import type { Pupil } from '../store/database';
import type { AbsenceBandText, S19Text, TrendText } from '../store/tables/cluster';
import type { NameMode } from './cluster-service-types';

/**
 * Which pupils a cluster meeting reviews, and why. The DfE 2024 guidance's targeting support
 * meeting covers every severely absent pupil and the persistently absent pupils whose barriers
 * need a multi-agency response; we add pupils whose agreed actions fall due by the meeting, so
 * follow-up is never lost. The SQL conditions below must say the same as the pure functions.
 */

/** Why a pupil is a concern; 'nominated' when a nomination is the only reason. */
export type AgendaCategory = 'severe' | 'persistent_need' | 'action_due' | 'nominated';

export type NeedFacts = Pick<Pupil, 'social_worker' | 'sen_provision' | 'looked_after' | 'youth_justice'> & { trend: TrendText };

/**
 * Signs that a persistently absent pupil's barriers need more than the school: a social worker,
 * an EHC plan, being looked after (the virtual school head), youth justice involvement, or
 * attendance falling fast. Looked-after is our addition to the list.
 * Legal basis: DfE "Working together to improve school attendance" (2024), targeting support meetings.
 */
export function multiAgencyNeeds(f: NeedFacts): string[] {
  const needs: string[] = [];
  if (f.social_worker !== 'N') needs.push(`Social worker (${f.social_worker})`);
  if (f.sen_provision === 'E') needs.push('EHC plan');
  if (Number(f.looked_after) === 1) needs.push('Looked after');
  if (Number(f.youth_justice) === 1) needs.push('Youth justice');
  if (f.trend === 'worsening') needs.push('Worsening');
  return needs;
}

export function agendaCategory(band: AbsenceBandText, needs: readonly string[], actionDue: boolean): AgendaCategory | null {
  if (band === 'severe') return 'severe';
  if (band === 'persistent' && needs.length > 0) return 'persistent_need';
  if (actionDue) return 'action_due';
  return null;
}

/** The SQL twin of multiAgencyNeeds(...).length > 0, over aliases p (pupil) and s (attendance_summary). */
export const MULTI_AGENCY_SQL = sql<boolean>`(p.social_worker <> 'N' or p.sen_provision = 'E' or p.looked_after = 1 or p.youth_justice = 1 or s.trend = 'worsening')`;

/** SQL conditions for the cohorts of cluster-figures.ts, over alias p (pupil), for filtering the pool. */
export const COHORT_SQL = {
  ehcp: sql<boolean>`p.sen_provision = 'E'`,
  sen_support: sql<boolean>`p.sen_provision = 'K'`,
  fsm: sql<boolean>`p.fsm = 1`,
  social_worker: sql<boolean>`p.social_worker <> 'N'`,
  looked_after: sql<boolean>`p.looked_after = 1`,
  youth_justice: sql<boolean>`p.youth_justice = 1`,
} as const;

/** The SQL twin of agendaCategory as a sort key: 0 severe, 1 persistent with need, 2 action due. */
export const CATEGORY_SQL = sql<number>`case when s.band = 'severe' then 0 when s.band = 'persistent' and ${MULTI_AGENCY_SQL} then 1 else 2 end`;

/** A pupil's name as the card may show it, built in the query so minimised views never read names. */
export function pupilLabelSql(mode: NameMode, alias = 'p'): RawBuilder<string> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  if (mode === 'names') return sql<string>`coalesce(${col('preferred_forename')}, ${col('legal_forename')}) || ' ' || ${col('legal_surname')}`;
  return sql<string>`upper(substr(coalesce(${col('preferred_forename')}, ${col('legal_forename')}), 1, 1)) || '.' || upper(substr(${col('legal_surname')}, 1, 1)) || '.'`;
}

export interface PatternFacts {
  not_attending: number;
  longest_unauthorised_run: number;
  s19_illness: S19Text | null;
  part_time: number;
  unexplained: number;
  holiday: number;
  excluded: number;
}

/** Short notes on register codes worth raising at the meeting. */
export function patternNotes(f: PatternFacts): string[] {
  const notes: string[] = [];
  if (Number(f.not_attending) === 1) notes.push(`${f.longest_unauthorised_run} days unauthorised in a row`);
  if (f.s19_illness === 'reached') notes.push('Illness 15+ days (s.19)');
  else if (f.s19_illness === 'expected') notes.push('Illness may pass 15 days (s.19)');
  if (f.part_time > 0) notes.push('Part-time timetable (C2)');
  if (f.unexplained >= 4) notes.push(`${f.unexplained} unexplained (N/O)`);
  if (f.holiday > 0) notes.push(`${f.holiday} holiday sessions (G)`);
  if (f.excluded > 0) notes.push(`${f.excluded} excluded sessions (E)`);
  return notes;
}
