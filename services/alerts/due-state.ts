import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../store/database';
import { chunk, IDS_PER_QUERY } from '../store/batches';
import { dueKindOf, WINDOW_RULES } from './alert-rules';

/**
 * Where an alert's due date stands, decided once for the card (alert-view.ts) and, as SQL over
 * `exclusion_alert`, for every list and count (alert-digest.ts, alert-cases.ts), so a duty the card
 * shows as done is never listed as past due, and a closed window is never overdue.
 */

/** Duties the authority meets by recording the new full-time place (on or before the due date). */
export const PLACEMENT_DUTIES: readonly string[] = ['pex_la_day6', 'pex_no_placement', 'pex_no_free_place'];

/** Whether a duty is met by a place recorded from `placedOn` (null: no place recorded). */
export function metByPlacement(rule: string, dueDate: string | null, placedOn: string | null): boolean {
  return placedOn !== null && PLACEMENT_DUTIES.includes(rule) && (dueDate === null || placedOn <= dueDate);
}

/** Whether the date is a window (not a duty) that closed before today. */
export function windowClosed(rule: string, dueDate: string | null, today: string): boolean {
  return dueDate !== null && dueDate < today && dueKindOf(rule) === 'window';
}

function ruleIn(rules: readonly string[]): RawBuilder<SqlBool> {
  return rules.length ? sql<SqlBool>`exclusion_alert.rule in (${sql.join(rules)})` : sql<SqlBool>`1 = 0`;
}

/** SQL twin of metByPlacement, on the row's exclusion's recorded place. */
export function metByPlacementSql(): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${ruleIn(PLACEMENT_DUTIES)} and exists (select 1 from exclusion_placement ep where ep.exclusion_id = exclusion_alert.exclusion_id and (exclusion_alert.due_date is null or ep.placed_on <= exclusion_alert.due_date)))`;
}

/** SQL: the row's due date still runs against someone, i.e. not a window that closed before today. */
export function dueStillCountsSql(today: string): RawBuilder<SqlBool> {
  // Null-safe: an undated row (due_date null) still counts, never "unknown".
  return sql<SqlBool>`not (${ruleIn(WINDOW_RULES)} and exclusion_alert.due_date is not null and exclusion_alert.due_date < ${today})`;
}

/** SQL: the due date to rank by (null once a window has closed: it is no longer urgent). */
export function rankingDueDateSql(today: string): RawBuilder<string | null> {
  return sql<string | null>`case when ${dueStillCountsSql(today)} then exclusion_alert.due_date else null end`;
}

/** The due date to rank a new duty by: none once met by a placement or a closed window (see rankingDueDateSql). */
export function rankingDueDate(rule: string, dueDate: string | null, today: string, placedOn: string | null): string | null {
  return windowClosed(rule, dueDate, today) || metByPlacement(rule, dueDate, placedOn) ? null : dueDate;
}

/** The recorded place's start date of each of these exclusions that has one. */
export async function placementsOf(db: Kysely<Database>, exclusionIds: readonly number[]): Promise<Map<number, string>> {
  const placed = new Map<number, string>();
  for (const part of chunk([...new Set(exclusionIds)], IDS_PER_QUERY)) {
    const rows = await db.selectFrom('exclusion_placement').select(['exclusion_id', 'placed_on']).where('exclusion_id', 'in', part).execute();
    for (const r of rows) placed.set(r.exclusion_id, r.placed_on);
  }
  return placed;
}
