import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import '../alerts/alert-schema';
import type { ApPlaceRows } from '../places/free-places';
import { loadApPlaceRows } from '../places/place-rule-rows';
import type { Database } from '../store/database';
import type { RuleEnrolment, RuleExclusion, RulePlacement, RulePupil, RuleReview, RuleSchool } from './alert-types';
import type { CaseworkRecord } from './casework-fields';
import type { ExclusionRecord } from './exclusion-fields';
import { closeAlertsForOutcomes } from './exclusion-outcomes';

/** Reads and writes exclusion rows; shared by the importer, the intake API and the rule runner. */

export interface SaveCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface SavedExclusion {
  id: number;
  pupilId: number;
  outcome: 'inserted' | 'updated' | 'unchanged';
  /** This save recorded a withdrawal, cancellation or reinstatement (its open alerts were closed). */
  outcomeRecorded?: boolean;
}

/** The casework columns a row may set; a field not given keeps the stored value. */
const CASEWORK = ['decision_date', 'exam_date', 'start_session', 'outcome', 'outcome_date', 'outcome_by'] as const;
type CaseworkColumn = (typeof CASEWORK)[number];

export type ExclusionToSave = ExclusionRecord & { pupil_id: number };

const naturalKey = (r: { pupil_id: number; school_urn: number; category: string; start_date: string }) =>
  `${r.pupil_id}|${r.school_urn}|${r.category}|${r.start_date}`;

/**
 * Upserts by the natural key (pupil, school, category, start date): a re-sent row with new sessions,
 * reasons or dates updates the stored one; an identical row changes nothing. Run inside the caller's
 * transaction. Returns one entry per input row, in order.
 */
export async function saveExclusions(db: Kysely<Database>, rows: readonly ExclusionToSave[], source: string, now: string): Promise<SavedExclusion[]> {
  if (rows.length === 0) return [];
  const pupilIds = [...new Set(rows.map((r) => r.pupil_id))];
  type Stored = { id: number; sessions: number; reasons: string; notified_date: string | null; missed_public_exam: number } & Partial<Record<CaseworkColumn, string | null>>;
  const existing = new Map<string, Stored>();
  for (let i = 0; i < pupilIds.length; i += 500) {
    const found = await db
      .selectFrom('exclusion')
      .select(['id', 'pupil_id', 'school_urn', 'category', 'start_date', 'sessions', 'reasons', 'notified_date', 'missed_public_exam', ...CASEWORK])
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .execute();
    for (const e of found) existing.set(naturalKey(e), e);
  }
  const result: SavedExclusion[] = [];
  const toInsert: { index: number; row: ExclusionToSave }[] = [];
  for (const [index, row] of rows.entries()) {
    const old = existing.get(naturalKey(row));
    if (!old) {
      toInsert.push({ index, row });
      result[index] = { id: 0, pupilId: row.pupil_id, outcome: 'inserted' };
      continue;
    }
    const casework: CaseworkRecord = {};
    for (const column of CASEWORK) {
      const value = row[column];
      if (value !== undefined && value !== old[column]) Object.assign(casework, { [column]: value });
    }
    const same =
      old.sessions === row.sessions &&
      old.reasons === row.reasons &&
      old.notified_date === row.notified_date &&
      old.missed_public_exam === row.missed_public_exam &&
      Object.keys(casework).length === 0;
    if (!same) {
      await db
        .updateTable('exclusion')
        .set({ sessions: row.sessions, reasons: row.reasons, notified_date: row.notified_date, missed_public_exam: row.missed_public_exam, ...casework })
        .where('id', '=', old.id)
        .execute();
      Object.assign(old, row, casework);
    }
    result[index] = { id: old.id, pupilId: row.pupil_id, outcome: same ? 'unchanged' : 'updated', ...(casework.outcome ? { outcomeRecorded: true } : {}) };
  }
  // Two rows of one file with the same natural key: the later wins, as an update of the first.
  const seen = new Map<string, number>();
  const fresh: typeof toInsert = [];
  for (const item of toInsert) {
    const key = naturalKey(item.row);
    if (seen.has(key)) {
      result[item.index]!.outcome = 'updated';
      continue;
    }
    seen.set(key, item.index);
    fresh.push(item);
  }
  for (let i = 0; i < fresh.length; i += 400) {
    const chunk = fresh.slice(i, i + 400);
    const inserted = await db
      .insertInto('exclusion')
      .values(
        chunk.map(({ row }) => ({
          pupil_id: row.pupil_id,
          school_urn: row.school_urn,
          category: row.category,
          reasons: row.reasons,
          start_date: row.start_date,
          sessions: row.sessions,
          notified_date: row.notified_date,
          missed_public_exam: row.missed_public_exam,
          decision_date: row.decision_date ?? null,
          exam_date: row.exam_date ?? null,
          start_session: row.start_session ?? null,
          outcome: row.outcome ?? null,
          outcome_date: row.outcome_date ?? null,
          outcome_by: row.outcome_by ?? null,
          source,
          created_at: now,
        })),
      )
      .returning(['id', 'pupil_id', 'school_urn', 'category', 'start_date'])
      .execute();
    const ids = new Map(inserted.map((r) => [naturalKey(r), r.id]));
    for (const { index, row } of chunk) {
      result[index]!.id = ids.get(naturalKey(row))!;
      if (row.outcome) result[index]!.outcomeRecorded = true;
    }
  }
  for (const [index, row] of rows.entries()) {
    if (result[index]!.id === 0) {
      const key = naturalKey(row);
      const firstIndex = seen.get(key)!;
      result[index]!.id = result[firstIndex]!.id;
    }
  }
  const closed = result.filter((r) => r.outcomeRecorded);
  if (closed.length > 0) await closeAlertsForOutcomes(db, closed, source, now);
  return result;
}

/** UPN -> pupil id for the UPNs given (or every pupil when omitted, for file imports). */
export async function pupilIdsByUpn(db: Kysely<Database>, upns?: readonly string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  if (upns && upns.length === 0) return map;
  let query = db.selectFrom('pupil').select(['id', 'upn']);
  if (upns) query = query.where('upn', 'in', [...new Set(upns)]);
  for (const p of await query.execute()) map.set(p.upn, p.id);
  return map;
}

export interface RuleRows {
  pupils: RulePupil[];
  exclusions: RuleExclusion[];
  enrolments: RuleEnrolment[];
  placements: RulePlacement[];
  /** Pupil referral units (alternative provision) among the excluding schools. */
  pruSchoolUrns: Set<number>;
  reviews: RuleReview[];
  /** This authority's DfE code (the local_authority row), for pupils living elsewhere. */
  localLaCode?: string;
  /** Alternative provision hubs and placements (issue 12), when any hubs are recorded. */
  apPlaces?: ApPlaceRows;
}

const REVIEW_COLUMNS = [
  'exclusion_id',
  'governors_decision',
  'governors_meeting_date',
  'governors_notified_date',
  'irp_applied_date',
  'irp_sen_expert',
  'irp_outcome',
  'irp_decision_notified_date',
  'reconsidered_date',
] as const;

/** The exclusion columns the rules read. */
const RULE_COLUMNS = ['id', 'pupil_id', 'school_urn', 'category', 'start_date', 'sessions', 'notified_date', 'missed_public_exam', ...CASEWORK] as const;

/**
 * Everything the pupil rules need: exclusions starting on or after `since` (the start of the academic
 * year), their pupils, those pupils' enrolments and recorded placements. `pupilIds` narrows the
 * read to the pupils an import or intake touched.
 */
export async function loadRuleRows(db: Kysely<Database>, since: string, pupilIds?: readonly number[]): Promise<RuleRows> {
  if (pupilIds && pupilIds.length === 0) return { pupils: [], exclusions: [], enrolments: [], placements: [], pruSchoolUrns: new Set(), reviews: [] };
  const chunks = pupilIds ? chunk([...new Set(pupilIds)], 500) : [undefined];
  const rows: RuleRows = { pupils: [], exclusions: [], enrolments: [], placements: [], pruSchoolUrns: new Set(), reviews: [] };
  // PRUs are few: one small read. Alternative-provision type stands for a PRU in the school list.
  for (const s of await db.selectFrom('school').select('urn').where('type', '=', 'alternative_provision').execute()) rows.pruSchoolUrns.add(s.urn);
  rows.localLaCode = (await db.selectFrom('local_authority').select('code').executeTakeFirst())?.code;
  for (const ids of chunks) {
    let exclusions = db.selectFrom('exclusion').select(RULE_COLUMNS).where('start_date', '>=', since);
    if (ids) exclusions = exclusions.where('pupil_id', 'in', ids);
    const found = await exclusions.execute();
    rows.exclusions.push(...found);
    const withExclusions = [...new Set(found.map((e) => e.pupil_id))];
    for (const part of chunk(withExclusions, 500)) {
      rows.pupils.push(
        ...(await db
          .selectFrom('pupil')
          .select(['id', 'sen_provision', 'looked_after', 'social_worker', 'fsm', 'ethnicity', 'home_la'])
          .where('id', 'in', part)
          .execute()),
      );
      rows.enrolments.push(
        ...(await db
          .selectFrom('enrolment')
          .select(['pupil_id', 'school_urn', 'start_date', 'end_date', 'registration'])
          .where('pupil_id', 'in', part)
          .execute()),
      );
    }
    for (const part of chunk(
      found.map((e) => e.id),
      500,
    )) {
      rows.reviews.push(...(await db.selectFrom('exclusion_review').select(REVIEW_COLUMNS).where('exclusion_id', 'in', part).execute()));
    }
    for (const part of chunk(
      found.filter((e) => e.category === 'PERM').map((e) => e.id),
      500,
    )) {
      const placed = await db.selectFrom('exclusion_placement').select(['exclusion_id', 'placed_on']).where('exclusion_id', 'in', part).execute();
      rows.placements.push(...placed.map((p) => ({ exclusionId: p.exclusion_id, recordedOn: p.placed_on })));
    }
  }
  rows.apPlaces = await loadApPlaceRows(db, since, rows.exclusions.filter((e) => e.category === 'PERM').map((e) => e.pupil_id));
  return rows;
}

/** The whole roll and every exclusion since `since`, for the weekly disproportionality check. */
export async function loadDistrictRows(db: Kysely<Database>, since: string, today: string) {
  const [pupils, enrolments, schools, exclusions] = await Promise.all([
    db.selectFrom('pupil').select(['id', 'sen_provision', 'looked_after', 'social_worker', 'fsm', 'ethnicity']).execute(),
    db
      .selectFrom('enrolment')
      .select(['pupil_id', 'school_urn', 'start_date', 'end_date', 'registration'])
      .where('start_date', '<=', today)
      .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', today)]))
      .execute(),
    db.selectFrom('school').select(['urn', 'district_id']).execute(),
    db
      .selectFrom('exclusion')
      .select(RULE_COLUMNS)
      .where('start_date', '>=', since)
      .execute(),
  ]);
  return { pupils, enrolments, schools: schools as RuleSchool[], exclusions };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Marks pupils for the rule runner (call inside the import or intake transaction). */
export async function queuePupilsForRules(db: Kysely<Database>, pupilIds: readonly number[], now: string): Promise<void> {
  const unique = [...new Set(pupilIds)];
  for (const part of chunk(unique, 300)) {
    await db
      .insertInto('alert_pending_pupil')
      .values(part.map((pupil_id) => ({ pupil_id, queued_at: now, token: randomUUID() })))
      .onConflict((oc) => oc.column('pupil_id').doUpdateSet((eb) => ({ queued_at: eb.ref('excluded.queued_at'), token: eb.ref('excluded.token') })))
      .execute();
  }
}

export interface PendingPupil {
  pupil_id: number;
  token: string;
}

export async function pendingPupils(db: Kysely<Database>, limit = 5000): Promise<PendingPupil[]> {
  return db.selectFrom('alert_pending_pupil').select(['pupil_id', 'token']).orderBy('queued_at').limit(limit).execute();
}

/** Removes the entries that were read; a pupil queued again meanwhile keeps its newer entry. */
export async function clearPendingPupils(db: Kysely<Database>, read: readonly PendingPupil[]): Promise<void> {
  for (const part of chunk(read, 300)) {
    await db
      .deleteFrom('alert_pending_pupil')
      .where((eb) => eb.or(part.map((p) => eb.and([eb('pupil_id', '=', p.pupil_id), eb('token', '=', p.token)]))))
      .execute();
  }
}
