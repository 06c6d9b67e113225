import { sql, type Kysely } from 'kysely';
import { groupFromTotals, type GroupMeasures, type SessionCounts } from '../attendance/attendance-measures';
import type { Database } from '../store/database';

/**
 * Cluster, authority and cohort figures from the attendance summaries. They are the same for
 * every viewer and change only when the summaries are refreshed, so they are computed in one
 * grouped query per refresh and kept in memory under the refresh stamp (read from the store on
 * every request, so a refresh by another instance is seen at once).
 */

export type CohortKey = 'ehcp' | 'sen_support' | 'fsm' | 'social_worker' | 'looked_after' | 'youth_justice';

export const COHORTS: readonly { key: CohortKey; label: string }[] = [
  { key: 'ehcp', label: 'EHC plan' },
  { key: 'sen_support', label: 'SEN support' },
  { key: 'fsm', label: 'Free school meals' },
  { key: 'social_worker', label: 'Social worker' },
  { key: 'looked_after', label: 'Looked after' },
  { key: 'youth_justice', label: 'Youth justice' },
];

interface Totals {
  pupils: number;
  sessions: SessionCounts;
  persistent: number;
  severe: number;
}

function emptyTotals(): Totals {
  return { pupils: 0, sessions: { present: 0, aea: 0, authorised: 0, unauthorised: 0, notCounted: 0, possible: 0 }, persistent: 0, severe: 0 };
}

function addInto(t: Totals, row: GroupRow): void {
  t.pupils += row.pupils;
  t.sessions.present += row.present;
  t.sessions.aea += row.aea;
  t.sessions.authorised += row.authorised;
  t.sessions.unauthorised += row.unauthorised;
  t.sessions.possible += row.possible;
  t.persistent += row.persistent;
  t.severe += row.severe;
}

interface GroupRow {
  district_id: number;
  /** 1 for Year 1 to Year 11 (compulsory school age, as DfE's published absence figures). */
  compulsory: number;
  sen_provision: string;
  fsm: number;
  looked_after: number;
  has_social_worker: number;
  youth_justice: number;
  pupils: number;
  possible: number;
  present: number;
  aea: number;
  authorised: number;
  unauthorised: number;
  persistent: number;
  severe: number;
}

export interface DistrictFigures {
  /** Year 1 to Year 11 only: the figures compared with England. */
  all: GroupMeasures;
  cohorts: Record<CohortKey, GroupMeasures>;
  /** Reception, nursery and sixth form: shown apart, never in a rate compared with England. */
  outsideCompulsory: GroupMeasures;
}

export interface AllFigures {
  /** Year 1 to Year 11 only. */
  authority: GroupMeasures;
  authorityOutsideCompulsory: GroupMeasures;
  byDistrict: Map<number, DistrictFigures>;
}

function inCohort(row: GroupRow, key: CohortKey): boolean {
  switch (key) {
    case 'ehcp':
      return row.sen_provision === 'E';
    case 'sen_support':
      return row.sen_provision === 'K';
    case 'fsm':
      return Number(row.fsm) === 1;
    case 'social_worker':
      return Number(row.has_social_worker) === 1;
    case 'looked_after':
      return Number(row.looked_after) === 1;
    case 'youth_justice':
      return Number(row.youth_justice) === 1;
  }
}

/** Computes every district's figures and cohorts, and the authority's, in one grouped query. */
export async function computeFigures(db: Kysely<Database>, academicYear: string): Promise<AllFigures> {
  const rows = (await db
    .selectFrom('attendance_summary as s')
    .innerJoin('pupil as p', 'p.id', 's.pupil_id')
    .innerJoin('school', 'school.urn', 's.school_urn')
    .where('s.academic_year', '=', academicYear)
    .where('s.possible', '>', 0)
    .select([
      'school.district_id',
      sql<number>`case when p.nc_year between 1 and 11 then 1 else 0 end`.as('compulsory'),
      'p.sen_provision',
      'p.fsm',
      'p.looked_after',
      sql<number>`case when p.social_worker <> 'N' then 1 else 0 end`.as('has_social_worker'),
      'p.youth_justice',
      sql<number>`count(*)`.as('pupils'),
      sql<number>`sum(s.possible)`.as('possible'),
      sql<number>`sum(s.present)`.as('present'),
      sql<number>`sum(s.aea)`.as('aea'),
      sql<number>`sum(s.authorised)`.as('authorised'),
      sql<number>`sum(s.unauthorised)`.as('unauthorised'),
      sql<number>`sum(case when s.band <> 'none' then 1 else 0 end)`.as('persistent'),
      sql<number>`sum(case when s.band = 'severe' then 1 else 0 end)`.as('severe'),
    ])
    .groupBy(['school.district_id', sql`case when p.nc_year between 1 and 11 then 1 else 0 end`, 'p.sen_provision', 'p.fsm', 'p.looked_after', sql`case when p.social_worker <> 'N' then 1 else 0 end`, 'p.youth_justice'])
    .execute()) as unknown as GroupRow[];

  const authority = emptyTotals();
  const authorityOutside = emptyTotals();
  const districts = new Map<number, { all: Totals; cohorts: Record<CohortKey, Totals>; outside: Totals }>();
  for (const raw of rows) {
    const row = normalise(raw);
    let d = districts.get(row.district_id);
    if (!d) {
      d = { all: emptyTotals(), cohorts: Object.fromEntries(COHORTS.map((c) => [c.key, emptyTotals()])) as Record<CohortKey, Totals>, outside: emptyTotals() };
      districts.set(row.district_id, d);
    }
    // Persistent and severe absence are published for Years 1-11 (ages 5-15): Reception and sixth form apart.
    if (row.compulsory !== 1) {
      addInto(authorityOutside, row);
      addInto(d.outside, row);
      continue;
    }
    addInto(authority, row);
    addInto(d.all, row);
    for (const c of COHORTS) if (inCohort(row, c.key)) addInto(d.cohorts[c.key], row);
  }
  const byDistrict = new Map<number, DistrictFigures>();
  for (const [id, d] of districts) {
    byDistrict.set(id, {
      all: groupFromTotals(d.all),
      cohorts: Object.fromEntries(COHORTS.map((c) => [c.key, groupFromTotals(d.cohorts[c.key])])) as Record<CohortKey, GroupMeasures>,
      outsideCompulsory: groupFromTotals(d.outside),
    });
  }
  return { authority: groupFromTotals(authority), authorityOutsideCompulsory: groupFromTotals(authorityOutside), byDistrict };
}

/** PostgreSQL returns sums as numbers through the int8 parser; SQLite as numbers; both may be null for empty groups. */
function normalise(row: GroupRow): GroupRow {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    ...row,
    district_id: n(row.district_id),
    compulsory: n(row.compulsory),
    pupils: n(row.pupils),
    possible: n(row.possible),
    present: n(row.present),
    aea: n(row.aea),
    authorised: n(row.authorised),
    unauthorised: n(row.unauthorised),
    persistent: n(row.persistent),
    severe: n(row.severe),
  };
}

/** Per store (a Kysely instance), the figures of the latest refresh stamp seen. */
const cache = new WeakMap<object, { key: string; figures: AllFigures }>();

/**
 * Figures for the summaries as refreshed at `stamp` (attendance_summary_state.refreshed_at, which
 * every refresh moves forward); computed once per stamp per store and process.
 */
export async function figuresFor(db: Kysely<Database>, academicYear: string, stamp: string): Promise<AllFigures> {
  const key = `${academicYear}|${stamp}`;
  const hit = cache.get(db);
  if (hit && hit.key === key) return hit.figures;
  const figures = await computeFigures(db, academicYear);
  cache.set(db, { key, figures });
  return figures;
}

export const EMPTY_DISTRICT_FIGURES: DistrictFigures = {
  all: groupFromTotals(emptyTotals()),
  cohorts: Object.fromEntries(COHORTS.map((c) => [c.key, groupFromTotals(emptyTotals())])) as Record<CohortKey, GroupMeasures>,
  outsideCompulsory: groupFromTotals(emptyTotals()),
};
