import { sql } from 'kysely';
import type { GroupMeasures } from '../attendance/attendance-measures';
import { ensureAttendanceSummaries, summaryWindow } from '../attendance/attendance-summary';
import { ENGLAND_2023_24, ENGLAND_COHORT_2023_24, type NationalAbsence } from '../attendance/national-figures';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { describeScope } from '../identity/scope';
import { schoolInScope } from '../identity/scope-query';
import { agendaCategory, CATEGORY_SQL, MULTI_AGENCY_SQL, multiAgencyNeeds, patternNotes, pupilLabelSql, type AgendaCategory } from './agenda-rules';
import { clusterAccess, mayListPupils, namesAllowed, type ClusterAccess } from './cluster-access';
import { COHORTS, EMPTY_DISTRICT_FIGURES, figuresFor, type CohortKey } from './cluster-figures';
import { districtNames, districtSchools, findDistrict, invitees, nextMeeting, type DistrictRef, type Invitee, type MeetingRef, type SchoolRef } from './cluster-meetings';
import { problem, type ClusterDeps, type ClusterResult, type NameMode } from './cluster-service-types';
import type { AbsenceBandText } from './cluster-tables';

/**
 * Pupils fetched per agenda card. The card shows as many of them as fit in 28 KB (usually all);
 * the next card starts after the last one shown, so paging is by position (`from`), not page number.
 */
export const AGENDA_PAGE_SIZE = 15;

export interface AgendaPupil {
  pupilId: number;
  /** Full name, or initials when names are not allowed on this card. */
  label: string;
  ncYear: number;
  schoolUrn: number;
  schoolName: string;
  attendanceRate: number | null;
  band: AbsenceBandText;
  category: AgendaCategory;
  needs: string[];
  notes: string[];
  trendPoints: number | null;
  openActions: number;
  nextDue: string | null;
  overdue: boolean;
}

export interface CohortLine {
  key: CohortKey;
  label: string;
  measures: GroupMeasures;
  england?: { absenceRate?: number; persistentRate?: number };
}

export interface AgendaView {
  district: string;
  meeting: MeetingRef;
  today: string;
  /** Year to date: the academic year's first day to the Friday of this week. */
  periodFrom: string;
  asOf: string;
  schools: SchoolRef[];
  invitees: Invitee[];
  access: ClusterAccess;
  /** False for roles that see figures only (administrators). */
  pupilsShown: boolean;
  nameMode: NameMode;
  figures: { cluster: GroupMeasures; authority: GroupMeasures; england: NationalAbsence };
  cohorts: CohortLine[];
  pupils: AgendaPupil[];
  /** Position of the first pupil listed, 0-based. */
  from: number;
  total: number;
  counts: { severe: number; persistentNeed: number; actionDue: number };
}

export interface AgendaRequest {
  district: string;
  /** Position of the first pupil to list, 0-based. */
  from?: number;
  /** 'own' for a personal chat or one user's refresh; 'shared' for the card everyone in a chat sees. */
  view: 'shared' | 'own';
}

/** Resolves the district and checks the actor may see its cluster. */
export async function openCluster(
  deps: ClusterDeps,
  actor: Actor,
  districtName: string,
): Promise<ClusterResult<{ district: DistrictRef; schools: SchoolRef[]; access: Exclude<ClusterAccess, 'none'> }>> {
  const district = await findDistrict(deps.db, districtName);
  if (!district) {
    const names = await districtNames(deps.db);
    return problem('unknown_district', `There is no district called "${districtName.slice(0, 60)}". Districts: ${names.join(', ') || 'none yet'}.`);
  }
  const schools = await districtSchools(deps.db, district.id);
  const access = clusterAccess(actor.scope, district.name, schools.map((s) => s.urn));
  if (access === 'none') return problem('not_in_scope', `${district.name} is outside your scope (${describeScope(actor.scope)}), so I can't show its cluster meeting.`);
  return { ok: true, view: { district, schools, access } };
}

export async function getClusterAgenda(deps: ClusterDeps, actor: Actor, request: AgendaRequest): Promise<ClusterResult<AgendaView>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  const { district, schools, access } = opened.view;
  const { db, calendar, clock } = deps;
  const today = todayInLondon(clock);
  const window = summaryWindow(calendar, today);
  const refresh = await ensureAttendanceSummaries(db, calendar, today, clock.now().toISOString());
  const [meeting, invited, figures] = await Promise.all([
    nextMeeting(db, calendar, district.id, today),
    invitees(db, district, schools.map((s) => s.urn)),
    figuresFor(db, window.academicYear, refresh.stamp),
  ]);
  const districtFigures = figures.byDistrict.get(district.id) ?? EMPTY_DISTRICT_FIGURES;

  const nameMode: NameMode = namesAllowed(actor, request.view) ? 'names' : 'initials';
  const pupilsShown = mayListPupils(actor.role);
  let from = Math.max(0, Math.floor(Number.isFinite(request.from) ? request.from! : 0));
  let page: AgendaPage = { rows: [], total: 0, severe: 0, persistentNeed: 0 };
  const urns = schools.map((s) => s.urn);
  if (pupilsShown) {
    page = await agendaRows(deps, actor, urns, window.academicYear, today, meeting.date, nameMode, AGENDA_PAGE_SIZE, from);
    if (page.rows.length === 0 && from > 0) {
      // Past the end (the list got shorter since the card was drawn): start again.
      from = 0;
      page = await agendaRows(deps, actor, urns, window.academicYear, today, meeting.date, nameMode, AGENDA_PAGE_SIZE, 0);
    }
  }
  const rows = page.rows;
  const total = page.total;
  const actions = await openActionsOf(deps, rows.map((r) => r.pupil_id));
  const pupils: AgendaPupil[] = rows.map((r) => {
    const needs = multiAgencyNeeds(r);
    const a = actions.get(r.pupil_id);
    const due = a !== undefined && a.nextDue <= meeting.date;
    return {
      pupilId: r.pupil_id,
      label: r.label,
      ncYear: r.nc_year,
      schoolUrn: r.school_urn,
      schoolName: r.school_name,
      attendanceRate: r.possible > 0 ? (r.present + r.aea) / r.possible : null,
      band: r.band,
      category: agendaCategory(r.band, needs, due) ?? 'action_due',
      needs,
      notes: patternNotes(r),
      trendPoints: r.trend_points === null ? null : Number(r.trend_points),
      openActions: a?.open ?? 0,
      nextDue: a?.nextDue ?? null,
      overdue: a !== undefined && a.nextDue < today,
    };
  });

  if (pupils.length) {
    await recordAccess(db, clock, {
      actor,
      action: nameMode === 'names' ? 'pupil.list' : 'pupil.list.minimised',
      command: 'cluster agenda',
      pupilIds: pupils.map((p) => p.pupilId),
    });
  }

  return {
    ok: true,
    view: {
      district: district.name,
      meeting,
      today,
      periodFrom: window.period.from,
      asOf: window.asOf,
      schools,
      invitees: invited,
      access,
      pupilsShown,
      nameMode,
      figures: { cluster: districtFigures.all, authority: figures.authority, england: ENGLAND_2023_24 },
      cohorts: COHORTS.map((c) => ({ key: c.key, label: c.label, measures: districtFigures.cohorts[c.key], england: ENGLAND_COHORT_2023_24[c.key as keyof typeof ENGLAND_COHORT_2023_24] })),
      pupils,
      from,
      total,
      counts: { severe: page.severe, persistentNeed: page.persistentNeed, actionDue: total - page.severe - page.persistentNeed },
    },
  };
}

interface AgendaRow {
  pupil_id: number;
  school_urn: number;
  school_name: string;
  label: string;
  nc_year: number;
  sen_provision: 'E' | 'K' | 'N';
  social_worker: 'N' | 'CIN' | 'CP';
  looked_after: number;
  youth_justice: number;
  possible: number;
  present: number;
  aea: number;
  band: AbsenceBandText;
  trend: 'worsening' | 'improving' | 'steady' | 'unknown';
  trend_points: number | null;
  not_attending: number;
  longest_unauthorised_run: number;
  s19_illness: 'reached' | 'expected' | null;
  part_time: number;
  unexplained: number;
  holiday: number;
  excluded: number;
}

interface AgendaPage {
  rows: AgendaRow[];
  total: number;
  severe: number;
  persistentNeed: number;
}

/**
 * The agenda's pupils, most urgent first: severe absence, then persistent absence with a
 * multi-agency need, then pupils with an action due by the meeting; within each, lowest attendance
 * first. Scope is in the query: rows of schools in the actor's scope where the pupil is on roll today.
 *
 * Two queries, each able to use an index: the absence bands through (academic_year, school_urn,
 * band), and the action-only pupils through the open actions. One query with an OR between them
 * makes SQLite read every summary of the year (about 90 ms at county scale instead of about 10).
 */
async function agendaRows(
  deps: ClusterDeps,
  actor: Actor,
  districtSchoolUrns: readonly number[],
  academicYear: string,
  today: string,
  meetingDate: string,
  nameMode: NameMode,
  limit: number,
  offset: number,
): Promise<AgendaPage> {
  if (districtSchoolUrns.length === 0) return { rows: [], total: 0, severe: 0, persistentNeed: 0 };
  const urns = [...districtSchoolUrns];
  const onRoll = sql<boolean>`exists (select 1 from enrolment e where e.pupil_id = s.pupil_id and e.school_urn = s.school_urn and e.start_date <= ${today} and (e.end_date is null or e.end_date >= ${today}))`;
  const absenceCondition = sql<boolean>`(s.band = 'severe' or ${MULTI_AGENCY_SQL})`;
  const attendanceOrder = sql`case when s.possible > 0 then (s.present + s.aea) * 1.0 / s.possible else 1.0 end`;
  const keyColumns = ['s.pupil_id', 's.school_urn', sql<number>`count(*) over ()`.as('total'), sql<number>`sum(case when s.band = 'severe' then 1 else 0 end) over ()`.as('severe_total')] as const;

  // Phase 1 finds the page's pupils and the totals with as little work per row as possible;
  // phase 2 reads the page's details (names or initials, measures) for those rows only.
  const absence = () =>
    deps.db
      .selectFrom('attendance_summary as s')
      .innerJoin('pupil as p', 'p.id', 's.pupil_id')
      .innerJoin('school', 'school.urn', 's.school_urn')
      .where('s.academic_year', '=', academicYear)
      .where('s.school_urn', 'in', urns)
      .where('s.band', 'in', ['severe', 'persistent'])
      .where(absenceCondition)
      .where(schoolInScope(actor.scope, 'school'))
      .where(onRoll);
  const first = await absence()
    .select(keyColumns)
    .orderBy(CATEGORY_SQL)
    .orderBy(attendanceOrder)
    .orderBy('s.pupil_id')
    .orderBy('s.school_urn')
    .limit(limit)
    .offset(offset)
    .execute();
  let absenceTotal = 0;
  let severe = 0;
  if (first.length) {
    absenceTotal = Number(first[0]!.total);
    severe = Number(first[0]!.severe_total);
  } else {
    const counts = await absence()
      .select([sql<number>`count(*)`.as('total'), sql<number>`sum(case when s.band = 'severe' then 1 else 0 end)`.as('severe_total')])
      .executeTakeFirst();
    absenceTotal = Number(counts?.total ?? 0);
    severe = Number(counts?.severe_total ?? 0);
  }

  // Pupils on the agenda only because an action falls due by the meeting.
  const actionOnly = () =>
    deps.db
      .selectFrom('attendance_summary as s')
      .innerJoin('pupil as p', 'p.id', 's.pupil_id')
      .innerJoin('school', 'school.urn', 's.school_urn')
      .where('s.academic_year', '=', academicYear)
      .where(
        sql<boolean>`(s.pupil_id, s.school_urn) in (select a.pupil_id, a.school_urn from cluster_action a where a.status = 'open' and a.due_date <= ${meetingDate} and a.school_urn in (${sql.join(urns)}))`,
      )
      .where(sql<boolean>`not (s.band in ('severe', 'persistent') and ${absenceCondition})`)
      .where(schoolInScope(actor.scope, 'school'))
      .where(onRoll);
  const room = limit - first.length;
  const secondOffset = Math.max(0, offset - absenceTotal);
  let second: typeof first = [];
  let actionTotal = 0;
  if (room > 0) {
    second = await actionOnly().select(keyColumns).orderBy(attendanceOrder).orderBy('s.pupil_id').orderBy('s.school_urn').limit(room).offset(secondOffset).execute();
    if (second.length) actionTotal = Number(second[0]!.total);
  }
  if (!second.length) {
    const counts = await actionOnly().select(sql<number>`count(*)`.as('total')).executeTakeFirst();
    actionTotal = Number(counts?.total ?? 0);
  }

  const keys = [...first, ...second];
  let rows: AgendaRow[] = [];
  if (keys.length) {
    const details = (await deps.db
      .selectFrom('attendance_summary as s')
      .innerJoin('pupil as p', 'p.id', 's.pupil_id')
      .innerJoin('school', 'school.urn', 's.school_urn')
      .where('s.academic_year', '=', academicYear)
      .where('s.pupil_id', 'in', keys.map((k) => k.pupil_id))
      .where('s.school_urn', 'in', urns)
      .where(schoolInScope(actor.scope, 'school'))
      .select([
        's.pupil_id',
        's.school_urn',
        'school.name as school_name',
        pupilLabelSql(nameMode).as('label'),
        'p.nc_year',
        'p.sen_provision',
        'p.social_worker',
        'p.looked_after',
        'p.youth_justice',
        's.possible',
        's.present',
        's.aea',
        's.band',
        's.trend',
        's.trend_points',
        's.not_attending',
        's.longest_unauthorised_run',
        's.s19_illness',
        's.part_time',
        's.unexplained',
        's.holiday',
        's.excluded',
      ])
      .execute()) as unknown as AgendaRow[];
    const byKey = new Map(details.map((d) => [`${d.pupil_id}|${d.school_urn}`, d]));
    rows = keys.map((k) => byKey.get(`${k.pupil_id}|${k.school_urn}`)).filter((d): d is AgendaRow => d !== undefined);
  }
  return { rows, total: absenceTotal + actionTotal, severe, persistentNeed: absenceTotal - severe };
}

/** Open actions per pupil: how many and the earliest due date. */
export async function openActionsOf(deps: ClusterDeps, pupilIds: readonly number[]): Promise<Map<number, { open: number; nextDue: string }>> {
  const out = new Map<number, { open: number; nextDue: string }>();
  if (pupilIds.length === 0) return out;
  const rows = await deps.db
    .selectFrom('cluster_action')
    .select(['pupil_id', sql<number>`count(*)`.as('open'), sql<string>`min(due_date)`.as('next_due')])
    .where('pupil_id', 'in', [...pupilIds])
    .where('status', '=', 'open')
    .groupBy('pupil_id')
    .execute();
  for (const r of rows) out.set(r.pupil_id, { open: Number(r.open), nextDue: r.next_due });
  return out;
}
