import type { Kysely } from 'kysely';
import { queueCaseUpdates } from '../alerts/case-updates';
import type { Database } from '../store/database';
import { IDS_PER_QUERY } from '../store/batches';

/**
 * Outcomes stop the clocks: when an exclusion is withdrawn, cancelled (reg 8A) or the pupil is
 * reinstated, its open alerts and their deadlines are closed (acknowledged, so they leave the
 * digest and the overdue lists) and the change is audited with pupil ids only. Run inside the
 * transaction that records the outcome, so the two never disagree.
 */

export interface OutcomeClosing {
  id: number;
  pupilId: number;
}

/**
 * Closes the open alerts of these exclusions. `source` is `import`, `api:<sender>` or a card verb;
 * `staffUserId` is set when a person recorded it on a card (their action is also in the history).
 */
export async function closeAlertsForOutcomes(
  db: Kysely<Database>,
  exclusions: readonly OutcomeClosing[],
  source: string,
  now: string,
  staffUserId: number | null = null,
): Promise<number> {
  return closeExclusionAlerts(db, { exclusions, source, now, staffUserId, auditAction: 'exclusion.outcome', detail: 'outcome recorded' });
}

/**
 * Closes open alerts of exclusions (only the given rules, when listed: a review step closes the step
 * before it) and writes one audit row.
 */
export async function closeExclusionAlerts(
  db: Kysely<Database>,
  options: { exclusions: readonly OutcomeClosing[]; source: string; now: string; staffUserId: number | null; auditAction: string; detail: string; rules?: readonly string[] },
): Promise<number> {
  const { exclusions, source, now, staffUserId } = options;
  if (exclusions.length === 0) return 0;
  const ids = [...new Set(exclusions.map((e) => e.id))];
  let closed = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const part = ids.slice(i, i + IDS_PER_QUERY);
    let query = db.selectFrom('exclusion_alert').select(['id', 'case_key']).where('exclusion_id', 'in', part).where('status', '=', 'open');
    if (options.rules) query = query.where('rule', 'in', options.rules.length ? [...options.rules] : ['-']);
    const open = await query.execute();
    if (open.length === 0) continue;
    await db
      .updateTable('exclusion_alert')
      .set((eb) => ({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: staffUserId, version: eb('version', '+', 1) }))
      .where('id', 'in', open.map((a) => a.id))
      .execute();
    if (staffUserId !== null)
      await db
        .insertInto('alert_action')
        .values(open.map((a) => ({ alert_id: a.id, staff_user_id: staffUserId, action: 'acknowledge' as const, detail: options.detail, at: now })))
        .execute();
    // Their cases' cards already sent are updated in place.
    await queueCaseUpdates(db, open.map((a) => a.case_key), now);
    closed += open.length;
  }
  const pupilIds = [...new Set(exclusions.map((e) => e.pupilId))].sort((a, b) => a - b);
  await db
    .insertInto('audit_log')
    .values({
      at: now,
      staff_user_id: staffUserId,
      aad_object_id: null,
      action: options.auditAction,
      command: source,
      subject_type: 'pupil',
      subject_ids: pupilIds.join(','),
      subject_count: pupilIds.length,
      conversation_type: null,
    })
    .execute();
  return closed;
}
