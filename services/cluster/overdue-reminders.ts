import type { Kysely } from 'kysely';
import { todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import type { Database } from '../store/database';
import { pupilLabelSql } from './agenda-rules';
import { DUE_NOW, newOutboxRow } from '../alerts/outbox';
import { personalSubscriberKey } from '../alerts/subscriptions';

/** Overdue cluster actions, each reminded once to its owner through the proactive outbox. */

export interface OverdueNotice {
  actionId: number;
  ownerId: number;
  ownerAadObjectId: string | null;
  ownerName: string;
  pupilId: number;
  /** Initials only: the notice may be read on a phone's lock screen. */
  pupilInitials: string;
  ncYear: number;
  schoolName: string;
  district: string;
  description: string;
  dueDate: string;
}

/**
 * Queues a reminder for each overdue open action not yet notified (due before today), once per
 * action, for its owner's personal chat. Marking the action and queueing the outbox row happen in
 * one transaction, so two instances never both queue one and nothing is half-written. Delivery
 * (pacing, Retry-After, retries, a user with no chat yet) is the outbox's, like every proactive
 * message; the card is built when it is sent, so an action closed meanwhile is not reminded.
 */
export async function queueOverdueReminders(db: Kysely<Database>, clock: Clock, limit = 100): Promise<ReminderRun> {
  const today = todayInLondon(clock);
  const now = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const due = trx
      .selectFrom('cluster_action')
      .select('id')
      .where('status', '=', 'open')
      .where('due_date', '<', today)
      .where('overdue_notified_at', 'is', null)
      .orderBy('due_date')
      .orderBy('id')
      .limit(limit);
    const claimed = await trx
      .updateTable('cluster_action')
      .set({ overdue_notified_at: now })
      .where('id', 'in', due)
      .where('overdue_notified_at', 'is', null)
      .returning(['id', 'owner_id'])
      .execute();
    if (claimed.length === 0) return { queued: 0 };
    const rows = claimed.map((c) =>
      newOutboxRow({
        dedupeKey: `${OVERDUE_REMINDER_KIND}>action:${c.id}>user:${c.owner_id}`,
        alertId: null,
        subjectId: c.id,
        subscriberKey: personalSubscriberKey(c.owner_id),
        staffUserId: c.owner_id,
        conversationId: null,
        kind: OVERDUE_REMINDER_KIND,
        due: DUE_NOW,
        createdAt: now,
      }),
    );
    const inserted = await trx.insertInto('alert_outbox').values(rows).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
    return { queued: inserted.reduce((n, r) => n + Number(r.numInsertedOrUpdatedRows ?? 0), 0) };
  });
}

/** The reminder for one action as it stands now; null once it is closed or gone (nothing to remind). */
export async function overdueNoticeFor(db: Kysely<Database>, actionId: number): Promise<OverdueNotice | null> {
  const r = await db
    .selectFrom('cluster_action as a')
    .innerJoin('staff_user as u', 'u.id', 'a.owner_id')
    .innerJoin('pupil as p', 'p.id', 'a.pupil_id')
    .innerJoin('school', 'school.urn', 'a.school_urn')
    .innerJoin('district as d', 'd.id', 'school.district_id')
    .where('a.id', '=', actionId)
    .where('a.status', '=', 'open')
    .select([
      'a.id',
      'a.owner_id',
      'u.aad_object_id',
      'u.name as owner_name',
      'a.pupil_id',
      pupilLabelSql('initials').as('initials'),
      'p.nc_year',
      'school.name as school_name',
      'd.name as district',
      'a.description',
      'a.due_date',
    ])
    .executeTakeFirst();
  if (!r) return null;
  return {
    actionId: r.id,
    ownerId: r.owner_id,
    ownerAadObjectId: r.aad_object_id,
    ownerName: r.owner_name,
    pupilId: r.pupil_id,
    pupilInitials: r.initials,
    ncYear: r.nc_year,
    schoolName: r.school_name,
    district: r.district,
    description: r.description,
    dueDate: r.due_date,
  };
}

/** The outbox kind of an overdue cluster action reminder. */
export const OVERDUE_REMINDER_KIND = 'cluster_overdue';

export interface ReminderRun {
  queued: number;
}
