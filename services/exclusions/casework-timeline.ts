import type { Kysely } from 'kysely';
import type { Database } from '../store/database';

/**
 * The casework lines of a pupil's timeline (issue 9): the head's decision, the outcome, and each
 * review step from the governors' decision to the board's reconsideration, dated. Ids in, text out.
 */
export async function caseworkEntries(
  db: Kysely<Database>,
  exclusions: readonly { id: number; start_date: string; category: string; decision_date: string | null; outcome: string | null; outcome_date: string | null; outcome_by: string | null }[],
): Promise<{ date: string; text: string }[]> {
  const entries: { date: string; text: string }[] = [];
  for (const e of exclusions) {
    const what = e.category === 'PERM' ? 'permanent exclusion' : 'suspension';
    if (e.decision_date && e.decision_date !== e.start_date) entries.push({ date: e.decision_date, text: `Head's decision notified (${what} from ${e.start_date})` });
    if (e.outcome && e.outcome_date) entries.push({ date: e.outcome_date, text: `Outcome: ${what} ${e.outcome}${e.outcome_by === 'governors' ? ' by the governors' : e.outcome_by === 'head' ? ' by the head' : ''}` });
  }
  const ids = exclusions.map((e) => e.id);
  if (ids.length === 0) return entries;
  const reviews = await db.selectFrom('exclusion_review').selectAll().where('exclusion_id', 'in', ids).execute();
  for (const r of reviews) {
    if (r.governors_decision && r.governors_meeting_date) entries.push({ date: r.governors_meeting_date, text: `Governors met: exclusion ${r.governors_decision === 'upheld' ? 'upheld' : 'overturned, pupil reinstated'}` });
    if (r.governors_notified_date) entries.push({ date: r.governors_notified_date, text: 'Parents given notice of the governors’ decision' });
    if (r.irp_applied_date) entries.push({ date: r.irp_applied_date, text: `Independent review applied for${r.irp_sen_expert === 1 ? ' (SEN expert requested)' : ''}` });
    if (r.irp_outcome && r.irp_decision_notified_date)
      entries.push({ date: r.irp_decision_notified_date, text: `Review panel: ${r.irp_outcome === 'upheld' ? 'decision upheld' : r.irp_outcome === 'quashed' ? 'decision quashed, governors to reconsider' : 'governors asked to reconsider'}` });
    if (r.reconsidered_date) entries.push({ date: r.reconsidered_date, text: 'Governors reconsidered' });
  }
  return entries;
}
