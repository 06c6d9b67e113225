import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { NewExclusionAlert } from '../store/tables/alerts';
// Multi-row inserts through Kysely are no slower than a prepared statement per row (bench/alert-insert.ts).
import { ROWS_PER_INSERT } from '../store/batches';

/**
 * The one place an exclusion_alert row is created: rule alerts, the weekly digest and the daily
 * summary all come through here. A new alert is open, unacknowledged, unassigned and at version 1:
 * those are the columns' defaults, so callers give only what the alert says.
 */
export type NewAlertFields = Omit<
  NewExclusionAlert,
  'id' | 'status' | 'version' | 'acknowledged_by' | 'acknowledged_at' | 'assigned_to' | 'assigned_at' | 'snoozed_until'
>;

/** Every row with the same columns (a multi-row insert needs that); unset nullable facts are null. */
function alertRow(a: NewAlertFields) {
  return {
    dedupe_key: a.dedupe_key,
    rule: a.rule,
    scope: a.scope,
    pupil_id: a.pupil_id ?? null,
    exclusion_id: a.exclusion_id ?? null,
    school_urn: a.school_urn ?? null,
    district_id: a.district_id ?? null,
    event_date: a.event_date ?? null,
    due_date: a.due_date ?? null,
    payload: a.payload,
    created_at: a.created_at,
    case_key: a.case_key ?? '',
  };
}

/**
 * Stores new alerts and returns the id of each one this call inserted, by dedupe key. An alert
 * whose dedupe key is already stored (a re-run, or another instance a moment ago) is left as it is
 * and not returned, so only our own inserts fan out to deliveries.
 */
export async function insertNewAlerts(db: Kysely<Database>, alerts: readonly NewAlertFields[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < alerts.length; i += ROWS_PER_INSERT) {
    const inserted = await db
      .insertInto('exclusion_alert')
      .values(alerts.slice(i, i + ROWS_PER_INSERT).map(alertRow))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning(['id', 'dedupe_key'])
      .execute();
    for (const r of inserted) ids.set(r.dedupe_key, r.id);
  }
  return ids;
}
