import { sql } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { schoolInScope } from '../identity/scope-query';
import { pupilLabelSql } from './agenda-rules';
import { namesAllowed } from './cluster-access';
import type { ClusterDeps, NameMode } from './cluster-service-types';

/** A person's open cluster actions ("my actions"). */

export interface MyAction {
  id: number;
  pupilId: number;
  label: string;
  ncYear: number;
  schoolName: string;
  district: string;
  description: string;
  dueDate: string;
  overdue: boolean;
  meetingDate: string;
}

export interface MyActionsView {
  ownerName: string;
  today: string;
  nameMode: NameMode;
  actions: MyAction[];
  /** Open actions beyond the ones listed. */
  more: number;
}

export const MY_ACTIONS_LIMIT = 25;

/** The actor's open actions, soonest due first, for pupils still in their scope. */
export async function getMyActions(deps: ClusterDeps, actor: Actor, view: 'shared' | 'own'): Promise<MyActionsView> {
  const today = todayInLondon(deps.clock);
  const nameMode: NameMode = namesAllowed(actor, view) ? 'names' : 'initials';
  const rows = await deps.db
    .selectFrom('cluster_action as a')
    .innerJoin('pupil as p', 'p.id', 'a.pupil_id')
    .innerJoin('school', 'school.urn', 'a.school_urn')
    .innerJoin('district as d', 'd.id', 'school.district_id')
    .innerJoin('cluster_meeting as m', 'm.id', 'a.meeting_id')
    .where('a.owner_id', '=', actor.user.id)
    .where('a.status', '=', 'open')
    .where(schoolInScope(actor.scope, 'school'))
    .select([
      'a.id',
      'a.pupil_id',
      pupilLabelSql(nameMode).as('label'),
      'p.nc_year',
      'school.name as school_name',
      'd.name as district',
      'a.description',
      'a.due_date',
      'm.meeting_date',
      sql<number>`count(*) over ()`.as('total'),
    ])
    .orderBy('a.due_date')
    .orderBy('a.id')
    .limit(MY_ACTIONS_LIMIT)
    .execute();
  const actions = rows.map((r) => ({
    id: r.id,
    pupilId: r.pupil_id,
    label: r.label,
    ncYear: r.nc_year,
    schoolName: r.school_name,
    district: r.district,
    description: r.description,
    dueDate: r.due_date,
    overdue: r.due_date < today,
    meetingDate: r.meeting_date,
  }));
  if (actions.length) {
    await recordAccess(deps.db, deps.clock, {
      actor,
      action: nameMode === 'names' ? 'pupil.list' : 'pupil.list.minimised',
      command: 'my actions',
      pupilIds: actions.map((a) => a.pupilId),
    });
  }
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { ownerName: actor.user.name, today, nameMode, actions, more: Math.max(0, total - actions.length) };
}
