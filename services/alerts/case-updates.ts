import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import { DUE_NOW, newOutboxRow } from './outbox';
import { IDS_PER_QUERY } from '../store/batches';

/**
 * Case cards updated in place (issue 8): when a case's duties change after its card was sent (a new
 * duty arises, or one is met or acknowledged), each person holding that card gets one `case_update`
 * row pointing at the sent row (subject_id). The delivery worker redraws the card and replaces the
 * sent message (PUT to its activity id) through the same claim, fencing and pacing as any send.
 * A card still pending needs nothing: it is drawn fresh when it goes. Updates are not new cards,
 * so the daily card budget (which counts kind 'alert') never sees them.
 */

export const CASE_UPDATE_KIND = 'case_update';

function caseUpdateKey(sentRowId: number): string {
  return `update:${sentRowId}`;
}

/**
 * Queues an update for every sent card of these cases. At most one update waits per card: a change
 * while one is pending queues nothing; once it is being sent or has gone, the same row is re-armed.
 * Returns the number of updates queued or re-armed.
 */
export async function queueCaseUpdates(db: Kysely<Database>, caseKeys: readonly string[], now: string): Promise<number> {
  const keys = [...new Set(caseKeys)];
  let queued = 0;
  for (let i = 0; i < keys.length; i += IDS_PER_QUERY) {
    const sent = await db
      .selectFrom('alert_outbox as o')
      .innerJoin('exclusion_alert as a', 'a.id', 'o.alert_id')
      .select(['o.id', 'o.alert_id', 'o.subscriber_key', 'o.staff_user_id', 'o.sent_conversation_id'])
      .where('a.case_key', 'in', keys.slice(i, i + IDS_PER_QUERY))
      .where('o.kind', '=', 'alert')
      .where('o.status', '=', 'sent')
      .where('o.activity_id', 'is not', null)
      .execute();
    for (const row of sent) {
      const result = await db
        .insertInto('alert_outbox')
        .values(
          newOutboxRow({
            dedupeKey: caseUpdateKey(row.id),
            alertId: row.alert_id,
            subscriberKey: row.subscriber_key,
            staffUserId: row.staff_user_id,
            // The conversation the card was posted in, not wherever the person chats now.
            conversationId: row.sent_conversation_id,
            kind: CASE_UPDATE_KIND,
            due: DUE_NOW,
            createdAt: now,
            subjectId: row.id,
          }),
        )
        .onConflict((oc) =>
          oc
            .column('dedupe_key')
            .doUpdateSet({ status: 'pending', attempts: 0, next_attempt_at: DUE_NOW, claimed_by: null, claim_expires_at: null, last_error: null, created_at: now })
            // 'sending' too: its card may already be drawn without this change. Re-arming it fails
            // that send's fence (or its settle), and the row goes again, drawn afresh.
            .where('alert_outbox.status', 'in', ['sending', 'sent', 'failed', 'gone']),
        )
        .executeTakeFirst();
      queued += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
  }
  return queued;
}

/** The sent card an update replaces: its activity id, or null when there is none to replace. */
export async function sentCardActivityId(db: Kysely<Database>, sentRowId: number | null): Promise<string | null> {
  if (sentRowId === null) return null;
  const row = await db.selectFrom('alert_outbox').select(['activity_id', 'status']).where('id', '=', sentRowId).executeTakeFirst();
  return row && row.status === 'sent' ? row.activity_id : null;
}
