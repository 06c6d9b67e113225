import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { schoolInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import { mayListPupils } from './cluster-access';
import { openCluster } from './cluster-agenda';
import { ensureMeeting, nextMeeting, type MeetingRef } from './cluster-meetings';
import { problem, type ClusterDeps, type ClusterResult } from './cluster-service-types';

/**
 * Nominations: a pupil put on a meeting's agenda by a school, the attendance officer or a cluster
 * member (table cluster_nomination, services/store/tables/cluster.ts).
 */

const nominateSchema = z.object({
  district: z.string({ required_error: 'is missing' }).trim().min(1, 'is missing').max(100),
  pupilId: z.coerce.number({ invalid_type_error: 'is missing' }).int().positive('is missing'),
  reason: z.string().max(300, 'must be at most 300 characters').optional().default(''),
});

export interface NominationResult {
  meeting: MeetingRef;
  pupilId: number;
  /** False when the pupil was already nominated for this meeting (nothing changed). */
  added: boolean;
}

/**
 * Puts a pupil on the district's next meeting agenda. The pupil must be on roll today at a school of
 * this district inside the actor's scope (a school leader: their own school), checked in the query
 * that finds the pupil, in the same transaction as the insert.
 * Legal basis: DfE "Working together to improve school attendance" (2024): schools and the LA
 * agree which pupils the targeting support meeting discusses.
 */
export async function nominatePupil(deps: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterResult<NominationResult>> {
  const parsed = nominateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return problem('invalid', `${String(issue.path[0] ?? 'form')}: ${issue.message}`);
  }
  const opened = await openCluster(deps, actor, parsed.data.district);
  if (!opened.ok) return opened;
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees cluster figures only, not individual pupils.');
  const district = opened.view.district;
  const today = todayInLondon(deps.clock);
  const meeting = await nextMeeting(deps.db, deps.calendar, district.id, today);
  const now = deps.clock.now().toISOString();
  const reason = parsed.data.reason.replace(/\s+/g, ' ').trim();
  const added = await deps.db.transaction().execute(async (trx) => {
    const pupil = await trx
      .selectFrom('enrolment as e')
      .innerJoin('school', 'school.urn', 'e.school_urn')
      .select(['e.pupil_id', 'e.school_urn'])
      .where('e.pupil_id', '=', parsed.data.pupilId)
      .where('school.district_id', '=', district.id)
      .where(schoolInScope(actor.scope, 'school'))
      .where('e.start_date', '<=', today)
      .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', today)]))
      .orderBy(sql`case when e.registration = 'S' then 1 else 0 end`)
      .orderBy('e.school_urn')
      .limit(1)
      .executeTakeFirst();
    if (!pupil) return undefined;
    const meetingId = await ensureMeeting(trx, district.id, meeting.date, actor.user.id, now);
    const inserted = await trx
      .insertInto('cluster_nomination')
      .values({ meeting_id: meetingId, pupil_id: pupil.pupil_id, school_urn: pupil.school_urn, reason, nominated_by: actor.user.id, nominated_at: now })
      .onConflict((oc) => oc.columns(['meeting_id', 'pupil_id']).doNothing())
      .executeTakeFirst();
    const changed = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    if (changed) await recordAccess(trx, deps.clock, { actor, action: 'pupil.nominate', command: 'cluster nominate', pupilIds: [pupil.pupil_id] });
    return changed;
  });
  if (added === undefined) return problem('not_found', 'That pupil is not on roll at a school in your scope in this district, so I cannot nominate them.');
  return { ok: true, view: { meeting: { date: meeting.date, stored: true }, pupilId: parsed.data.pupilId, added } };
}

export interface NominationInfo {
  byName: string;
  reason: string;
  at: string;
}

/** Nominations for one stored meeting, by pupil id (callers have already scope-filtered the ids). */
export async function nominationsOf(db: Kysely<Database>, meetingId: number | null, pupilIds: readonly number[]): Promise<Map<number, NominationInfo>> {
  const out = new Map<number, NominationInfo>();
  if (meetingId === null || pupilIds.length === 0) return out;
  const rows = await db
    .selectFrom('cluster_nomination as n')
    .innerJoin('staff_user as u', 'u.id', 'n.nominated_by')
    .select(['n.pupil_id', 'u.name', 'n.reason', 'n.nominated_at'])
    .where('n.meeting_id', '=', meetingId)
    .where('n.pupil_id', 'in', [...pupilIds])
    .execute();
  for (const r of rows) out.set(r.pupil_id, { byName: r.name, reason: r.reason, at: r.nominated_at });
  return out;
}
