import { sql } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { schoolInScope } from '../identity/scope-query';
import { pupilLabelSql } from './agenda-rules';
import { mayListPupils, namesAllowed } from './cluster-access';
import { openCluster } from './cluster-agenda';
import type { ClusterDeps, ClusterResult, NameMode } from './cluster-service-types';
import type { ActionStatus } from './cluster-tables';

/** The minutes of a district's latest cluster meeting: the reviews recorded and the actions agreed there. */

export interface MinutesAction {
  id: number;
  description: string;
  ownerName: string;
  dueDate: string;
  status: ActionStatus;
  overdue: boolean;
}

export interface MinutesPupil {
  pupilId: number;
  label: string;
  ncYear: number;
  schoolName: string;
  leadPractitioner: string;
  /** Empty in a shared view: free text stays in the user's own view. */
  barriers: string;
  outcome: string;
  actions: MinutesAction[];
}

export interface MinutesView {
  district: string;
  /** Null when no meeting has anything recorded yet. */
  meetingDate: string | null;
  today: string;
  nameMode: NameMode;
  pupils: MinutesPupil[];
  totals: { reviewed: number; actions: number; open: number; done: number; overdue: number };
  /** Position of the first pupil listed, 0-based (the card shows as many as fit). */
  from: number;
}

/** Pupils fetched per minutes card; the card shows as many as fit in 28 KB. */
export const MINUTES_PAGE_SIZE = 12;

/** The latest meeting of the district with something recorded: reviews and the actions agreed there. */
export async function getMinutes(deps: ClusterDeps, actor: Actor, request: { district: string; from?: number; view: 'shared' | 'own' }): Promise<ClusterResult<MinutesView>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  const { district } = opened.view;
  const { db, clock } = deps;
  const today = todayInLondon(clock);
  const nameMode: NameMode = namesAllowed(actor, request.view) ? 'names' : 'initials';
  const empty: MinutesView = {
    district: district.name,
    meetingDate: null,
    today,
    nameMode,
    pupils: [],
    totals: { reviewed: 0, actions: 0, open: 0, done: 0, overdue: 0 },
    from: 0,
  };
  const from = Math.max(0, Math.floor(Number.isFinite(request.from) ? request.from! : 0));
  const meeting = await db
    .selectFrom('cluster_meeting as m')
    .select(['m.id', 'm.meeting_date'])
    .where('m.district_id', '=', district.id)
    .where((eb) => eb.or([eb.exists(eb.selectFrom('pupil_review as r').select('r.id').whereRef('r.meeting_id', '=', 'm.id')), eb.exists(eb.selectFrom('cluster_action as a').select('a.id').whereRef('a.meeting_id', '=', 'm.id'))]))
    .orderBy('m.meeting_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!meeting) return { ok: true, view: empty };

  // The meeting's (pupil, school) pairs: a review or an action from this meeting. Starting from the
  // meeting's own rows (indexed by meeting_id) keeps the work proportional to the meeting, not the county.
  const involved = () =>
    db
      .selectFrom('pupil_review')
      .select(['pupil_id', 'school_urn'])
      .where('meeting_id', '=', meeting.id)
      .union(db.selectFrom('cluster_action').select(['pupil_id', 'school_urn']).where('meeting_id', '=', meeting.id))
      .as('i');

  const totalsRow = await db
    .selectFrom('cluster_action as a')
    .innerJoin('school', 'school.urn', 'a.school_urn')
    .where('a.meeting_id', '=', meeting.id)
    .where(schoolInScope(actor.scope, 'school'))
    .select([
      sql<number>`count(*)`.as('actions'),
      sql<number>`sum(case when a.status = 'open' then 1 else 0 end)`.as('open'),
      sql<number>`sum(case when a.status = 'done' then 1 else 0 end)`.as('done'),
      sql<number>`sum(case when a.status = 'open' and a.due_date < ${today} then 1 else 0 end)`.as('overdue'),
    ])
    .executeTakeFirst();
  const actionTotals = {
    actions: Number(totalsRow?.actions ?? 0),
    open: Number(totalsRow?.open ?? 0),
    done: Number(totalsRow?.done ?? 0),
    overdue: Number(totalsRow?.overdue ?? 0),
  };

  if (!mayListPupils(actor.role)) {
    // Figures only (an administrator): how many were reviewed and agreed, never who.
    const counted = await db
      .selectFrom(involved())
      .innerJoin('school', 'school.urn', 'i.school_urn')
      .where(schoolInScope(actor.scope, 'school'))
      .select(sql<number>`count(*)`.as('reviewed'))
      .executeTakeFirst();
    return { ok: true, view: { ...empty, meetingDate: meeting.meeting_date, totals: { reviewed: Number(counted?.reviewed ?? 0), ...actionTotals } } };
  }

  // Pupils reviewed at the meeting or with actions from it, at schools in the actor's scope.
  const reviewed = await db
    .selectFrom(involved())
    .innerJoin('pupil as p', 'p.id', 'i.pupil_id')
    .innerJoin('school', 'school.urn', 'i.school_urn')
    .leftJoin('pupil_review as r', (join) => join.onRef('r.pupil_id', '=', 'p.id').on('r.meeting_id', '=', meeting.id))
    .where(schoolInScope(actor.scope, 'school'))
    .select([
      'p.id as pupil_id',
      pupilLabelSql(nameMode).as('label'),
      'p.nc_year',
      'school.name as school_name',
      'r.lead_practitioner',
      'r.barriers',
      'r.outcome',
      sql<number>`count(*) over ()`.as('total'),
    ])
    .orderBy('school.name')
    .orderBy('p.id')
    .limit(MINUTES_PAGE_SIZE)
    .offset(from)
    .execute();

  const ids = reviewed.map((r) => r.pupil_id);
  const actions = ids.length
    ? await db
        .selectFrom('cluster_action as a')
        .innerJoin('staff_user as u', 'u.id', 'a.owner_id')
        .select(['a.id', 'a.pupil_id', 'a.description', 'u.name as owner_name', 'a.due_date', 'a.status'])
        .where('a.meeting_id', '=', meeting.id)
        .where('a.pupil_id', 'in', ids)
        .orderBy('a.due_date')
        .orderBy('a.id')
        .execute()
    : [];
  const showText = nameMode === 'names';
  const pupils: MinutesPupil[] = reviewed.map((r) => ({
    pupilId: r.pupil_id,
    label: r.label,
    ncYear: r.nc_year,
    schoolName: r.school_name,
    leadPractitioner: r.lead_practitioner ?? '',
    barriers: showText ? (r.barriers ?? '') : '',
    outcome: showText ? (r.outcome ?? '') : '',
    actions: actions
      .filter((a) => a.pupil_id === r.pupil_id)
      .map((a) => ({ id: a.id, description: a.description, ownerName: a.owner_name, dueDate: a.due_date, status: a.status, overdue: a.status === 'open' && a.due_date < today })),
  }));
  if (ids.length) {
    await recordAccess(db, clock, { actor, action: showText ? 'pupil.list' : 'pupil.list.minimised', command: 'cluster minutes', pupilIds: ids });
  }
  const total = reviewed.length ? Number(reviewed[0]!.total) : 0;
  return {
    ok: true,
    view: {
      ...empty,
      meetingDate: meeting.meeting_date,
      pupils,
      totals: { reviewed: total, ...actionTotals },
      from,
    },
  };
}
