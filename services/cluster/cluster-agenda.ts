import { sql, type Kysely } from 'kysely';
import type { GroupMeasures } from '../attendance/attendance-measures';
import { ensureAttendanceSummaries, summaryWindow } from '../attendance/attendance-summary';
import { ENGLAND_2023_24, ENGLAND_COHORT_2023_24, type NationalAbsence } from '../attendance/national-figures';
import { recordAccess } from '../audit/audit-log';
import { addDays, todayInLondon } from '../calendar/dates';
import type { Actor } from '../identity/actor';
import { describeScope } from '../identity/scope';
import { schoolInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import { agendaCategory, CATEGORY_SQL, COHORT_SQL, MULTI_AGENCY_SQL, multiAgencyNeeds, patternNotes, pupilLabelSql, type AgendaCategory } from './agenda-rules';
import { clusterAccess, mayListPupils, namesAllowed, type ClusterAccess } from './cluster-access';
import { COHORTS, EMPTY_DISTRICT_FIGURES, figuresFor, type CohortKey } from './cluster-figures';
import { districtNames, districtSchools, findDistrict, invitees, nextMeeting, storedMeetingId, type DistrictRef, type Invitee, type MeetingRef, type SchoolRef } from './cluster-meetings';
import { nominationsOf } from './cluster-nominations';
import { problem, type ClusterDeps, type ClusterResult, type NameMode } from './cluster-service-types';
import type { AbsenceBandText, TrendText } from '../store/tables/cluster';

/**
 * Pupils fetched per agenda card. The card shows as many of them as fit in 28 KB (usually all);
 * the next card starts after the last one shown, so paging is by position (`from`), not page number.
 */
export const AGENDA_PAGE_SIZE = 15;

/**
 * Product choice: a termly meeting gets through about 15-40 pupils, so the agenda holds this many
 * (CLUSTER_AGENDA_SIZE). Nominations and carried-over actions are always listed, even past it.
 */
const DEFAULT_AGENDA_SIZE = 30;

/** Why a pupil is on this meeting's agenda, in the order the agenda lists them. */
export type AgendaReason = 'nominated' | 'carried' | 'need';

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
  trend: TrendText;
  trendPoints: number | null;
  openActions: number;
  nextDue: string | null;
  overdue: boolean;
  /** Why on the agenda (absent on pool rows that are not on it). */
  reason?: AgendaReason;
  /** Who nominated the pupil for this meeting; the reason only in named views. */
  nomination?: { byName: string; reason: string } | null;
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
  /** Year to date: the academic year's first day to the last day with marks. */
  periodFrom: string;
  /** The last school day with marks in the district's registers (never after today). */
  asOf: string;
  schools: SchoolRef[];
  invitees: Invitee[];
  access: ClusterAccess;
  /** False for roles that see figures only (administrators). */
  pupilsShown: boolean;
  nameMode: NameMode;
  /** `cluster` and `authority`: Years 1 to 11, compared with England; `outsideCompulsory`: the cluster's other pupils, shown apart. */
  figures: { cluster: GroupMeasures; authority: GroupMeasures; england: NationalAbsence; outsideCompulsory: GroupMeasures };
  cohorts: CohortLine[];
  pupils: AgendaPupil[];
  /** Position of the first pupil listed, 0-based. */
  from: number;
  /** Pupils on this meeting's agenda. */
  total: number;
  /** The agenda's size setting (nominations and carried-over actions may take it past this). */
  agendaSize: number;
  counts: { nominated: number; carried: number; need: number; pool: number; poolSevere: number };
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

export function agendaSizeOf(deps: ClusterDeps): number {
  const size = deps.agendaSize;
  return size !== undefined && Number.isInteger(size) && size > 0 ? size : DEFAULT_AGENDA_SIZE;
}

export async function getClusterAgenda(deps: ClusterDeps, actor: Actor, request: AgendaRequest): Promise<ClusterResult<AgendaView>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  const { district, schools, access } = opened.view;
  const { db, calendar, clock } = deps;
  const today = todayInLondon(clock);
  const window = summaryWindow(calendar, today);
  const refresh = await ensureAttendanceSummaries(db, calendar, today, clock.now().toISOString());
  const urns = schools.map((s) => s.urn);
  const [meeting, invited, figures, lastMarked] = await Promise.all([
    nextMeeting(db, calendar, district.id, today),
    invitees(db, district, urns),
    figuresFor(db, window.academicYear, refresh.stamp),
    lastMarkedDay(db, district.id, urns, window.period.from, window.asOf < today ? window.asOf : today, refresh.stamp),
  ]);
  const districtFigures = figures.byDistrict.get(district.id) ?? EMPTY_DISTRICT_FIGURES;

  const nameMode: NameMode = namesAllowed(actor, request.view) ? 'names' : 'initials';
  const pupilsShown = mayListPupils(actor.role);
  const agendaSize = agendaSizeOf(deps);
  let from = Math.max(0, Math.floor(Number.isFinite(request.from) ? request.from! : 0));
  let list: AgendaList = { keys: [], pool: 0, poolSevere: 0, meetingId: null };
  if (pupilsShown) {
    const ctx: PoolContext = { deps, actor, district, urns, academicYear: window.academicYear, today };
    list = await agendaList(ctx, meeting.date, calendar.termOf(today)?.start ?? window.period.from, agendaSize);
  }
  // Past the end (the list got shorter since the card was drawn): start again.
  if (from >= list.keys.length) from = 0;
  const pageKeys = list.keys.slice(from, from + AGENDA_PAGE_SIZE);
  const ctx: PoolContext = { deps, actor, district, urns, academicYear: window.academicYear, today };
  const pupils = await pupilDetails(ctx, pageKeys, nameMode, meeting.date, list.meetingId);

  if (pupils.length) {
    await recordAccess(db, clock, {
      actor,
      action: nameMode === 'names' ? 'pupil.list' : 'pupil.list.minimised',
      command: 'cluster agenda',
      pupilIds: pupils.map((p) => p.pupilId),
    });
  }
  const count = (reason: AgendaReason) => list.keys.filter((k) => k.reason === reason).length;

  return {
    ok: true,
    view: {
      district: district.name,
      meeting,
      today,
      periodFrom: window.period.from,
      asOf: lastMarked,
      schools,
      invitees: invited,
      access,
      pupilsShown,
      nameMode,
      figures: { cluster: districtFigures.all, authority: figures.authority, england: ENGLAND_2023_24, outsideCompulsory: districtFigures.outsideCompulsory },
      cohorts: COHORTS.map((c) => ({ key: c.key, label: c.label, measures: districtFigures.cohorts[c.key], england: ENGLAND_COHORT_2023_24[c.key as keyof typeof ENGLAND_COHORT_2023_24] })),
      pupils,
      from,
      total: list.keys.length,
      agendaSize,
      counts: { nominated: count('nominated'), carried: count('carried'), need: count('need'), pool: list.pool, poolSevere: list.poolSevere },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The last day with marks

/** Per store, the last marked day per district under the summaries' refresh stamp. */
const lastMarkedCache = new WeakMap<object, { stamp: string; byDistrict: Map<number, string> }>();

/**
 * The last school day on or before `cap` with any mark in the district's registers, so a period
 * never ends on a day not yet marked (a Friday still to come). Reads the latest marked week only;
 * kept per refresh stamp (an import moves the stamp on).
 */
async function lastMarkedDay(db: Kysely<Database>, districtId: number, urns: readonly number[], from: string, cap: string, stamp: string): Promise<string> {
  let cached = lastMarkedCache.get(db);
  if (!cached || cached.stamp !== stamp) {
    cached = { stamp, byDistrict: new Map() };
    lastMarkedCache.set(db, cached);
  }
  const key = cached.byDistrict.get(districtId);
  if (key !== undefined && key <= cap) return key;
  if (urns.length === 0) return cap;
  const firstWeek = addDays(from, -6);
  let day = cap;
  let before = cap;
  // Newest week first; a week whose rows hold no mark yet (all '.') sends us one week back.
  for (let tries = 0; tries < 4; tries++) {
    const week = await db
      .selectFrom('attendance_week')
      .select(sql<string>`max(week_start)`.as('week_start'))
      .where('school_urn', 'in', [...urns])
      .where('week_start', '>=', firstWeek)
      .where('week_start', '<=', before)
      .executeTakeFirst();
    if (!week?.week_start) break;
    const row = await db
      .selectFrom('attendance_week')
      .select(sql<number>`max(length(rtrim(marks, '.')))`.as('n'))
      .where('school_urn', 'in', [...urns])
      .where('week_start', '=', week.week_start)
      .executeTakeFirst();
    const sessions = Number(row?.n ?? 0);
    if (sessions > 0) {
      day = addDays(week.week_start, Math.floor((sessions - 1) / 2));
      break;
    }
    before = addDays(week.week_start, -1);
  }
  if (day > cap) day = cap;
  if (day < from) day = from;
  cached.byDistrict.set(districtId, day);
  return day;
}

// ---------------------------------------------------------------------------------------------
// The agenda and the pool

export interface AgendaKey {
  pupil_id: number;
  school_urn: number;
  reason: AgendaReason;
}

interface AgendaList {
  keys: AgendaKey[];
  /** Candidates in the pool (severe, or persistent with a multi-agency need), in scope. */
  pool: number;
  poolSevere: number;
  meetingId: number | null;
}

export interface PoolContext {
  deps: ClusterDeps;
  actor: Actor;
  district: DistrictRef;
  urns: readonly number[];
  academicYear: string;
  today: string;
}

export interface PoolFilters {
  schoolUrn?: number;
  cohort?: CohortKey;
}

function onRollSql(pupil: string, school: string, today: string) {
  return sql<boolean>`exists (select 1 from enrolment e where e.pupil_id = ${sql.ref(pupil)} and e.school_urn = ${sql.ref(school)} and e.start_date <= ${today} and (e.end_date is null or e.end_date >= ${today}))`;
}

const ATTENDANCE_ORDER = sql<number>`case when s.possible > 0 then (s.present + s.aea) * 1.0 / s.possible else 1.0 end`;

/**
 * The pool the agenda draws on: severe absence, and persistent absence with a multi-agency need
 * (agenda-rules.ts), in schools of the district inside the actor's scope, on roll today. The
 * (academic_year, school_urn, band) index serves it.
 */
export function poolQuery(ctx: PoolContext, filters: PoolFilters = {}) {
  let q = ctx.deps.db
    .selectFrom('attendance_summary as s')
    .innerJoin('pupil as p', 'p.id', 's.pupil_id')
    .innerJoin('school', 'school.urn', 's.school_urn')
    .where('s.academic_year', '=', ctx.academicYear)
    .where('s.school_urn', 'in', [...ctx.urns])
    .where('s.band', 'in', ['severe', 'persistent'])
    .where(sql<boolean>`(s.band = 'severe' or ${MULTI_AGENCY_SQL})`)
    .where(schoolInScope(ctx.actor.scope, 'school'))
    .where(onRollSql('s.pupil_id', 's.school_urn', ctx.today));
  if (filters.schoolUrn !== undefined) q = q.where('s.school_urn', '=', filters.schoolUrn);
  if (filters.cohort) q = q.where(COHORT_SQL[filters.cohort]);
  return q;
}

/** Pool rows in agenda order: severe first, then persistent with a need; lowest attendance first. */
export function rankedPool(ctx: PoolContext, filters: PoolFilters = {}) {
  return poolQuery(ctx, filters)
    .select(['s.pupil_id', 's.school_urn'])
    .orderBy(CATEGORY_SQL)
    .orderBy(ATTENDANCE_ORDER)
    .orderBy('s.pupil_id')
    .orderBy('s.school_urn');
}

/**
 * This meeting's agenda, in order: pupils nominated for it (first nominated first), pupils with a
 * carried-over action due by the meeting (soonest due first), then the highest-need pupils of the
 * pool not reviewed at an earlier meeting this term, up to `size` in all.
 */
export async function agendaList(ctx: PoolContext, meetingDate: string, termStart: string, size: number): Promise<AgendaList> {
  const { db } = ctx.deps;
  if (ctx.urns.length === 0) return { keys: [], pool: 0, poolSevere: 0, meetingId: null };
  const urns = [...ctx.urns];
  const meetingId = await storedMeetingId(db, ctx.district.id, meetingDate);
  const keys: AgendaKey[] = [];
  const seen = new Set<number>();
  const add = (rows: readonly { pupil_id: number; school_urn: number }[], reason: AgendaReason) => {
    for (const r of rows) {
      if (seen.has(r.pupil_id)) continue;
      seen.add(r.pupil_id);
      keys.push({ pupil_id: r.pupil_id, school_urn: r.school_urn, reason });
    }
  };

  if (meetingId !== null) {
    const nominated = await db
      .selectFrom('cluster_nomination as n')
      .innerJoin('school', 'school.urn', 'n.school_urn')
      .select(['n.pupil_id', 'n.school_urn'])
      .where('n.meeting_id', '=', meetingId)
      .where('n.school_urn', 'in', urns)
      .where(schoolInScope(ctx.actor.scope, 'school'))
      .where(onRollSql('n.pupil_id', 'n.school_urn', ctx.today))
      .orderBy('n.nominated_at')
      .orderBy('n.id')
      .execute();
    add(nominated, 'nominated');
  }

  const carried = await db
    .selectFrom('cluster_action as a')
    .innerJoin('school', 'school.urn', 'a.school_urn')
    .select(['a.pupil_id', 'a.school_urn', sql<string>`min(a.due_date)`.as('due')])
    .where('a.status', '=', 'open')
    .where('a.due_date', '<=', meetingDate)
    .where('a.school_urn', 'in', urns)
    .where(schoolInScope(ctx.actor.scope, 'school'))
    .where(onRollSql('a.pupil_id', 'a.school_urn', ctx.today))
    .groupBy(['a.pupil_id', 'a.school_urn'])
    .orderBy(sql`min(a.due_date)`)
    .orderBy('a.pupil_id')
    .execute();
  add(carried, 'carried');

  const room = size - keys.length;
  let pool: number | undefined;
  let poolSevere = 0;
  if (room > 0) {
    // One pass over the pool: its size in window columns, the ranking, and whether each pupil was
    // reviewed at an earlier meeting this term (the next term's meeting picks them up again).
    const reviewed = sql<number>`case when exists (select 1 from pupil_review r join cluster_meeting m on m.id = r.meeting_id where r.pupil_id = s.pupil_id and m.meeting_date >= ${termStart} and m.meeting_date < ${meetingDate}) then 1 else 0 end`;
    const ranked = poolQuery(ctx).select([
      's.pupil_id',
      's.school_urn',
      CATEGORY_SQL.as('cat'),
      ATTENDANCE_ORDER.as('att'),
      sql<number>`count(*) over ()`.as('pool'),
      sql<number>`sum(case when s.band = 'severe' then 1 else 0 end) over ()`.as('pool_severe'),
      reviewed.as('reviewed'),
    ]);
    let need = db.selectFrom(ranked.as('c')).select(['c.pupil_id', 'c.school_urn', 'c.pool', 'c.pool_severe']).where('c.reviewed', '=', 0);
    if (seen.size) need = need.where('c.pupil_id', 'not in', [...seen]);
    const rows = await need.orderBy('c.cat').orderBy('c.att').orderBy('c.pupil_id').orderBy('c.school_urn').limit(room).execute();
    if (rows.length) {
      pool = Number(rows[0]!.pool);
      poolSevere = Number(rows[0]!.pool_severe);
    }
    add(rows, 'need');
  }
  if (pool === undefined) {
    const counts = await poolQuery(ctx)
      .select([sql<number>`count(*)`.as('total'), sql<number>`sum(case when s.band = 'severe' then 1 else 0 end)`.as('severe')])
      .executeTakeFirst();
    pool = Number(counts?.total ?? 0);
    poolSevere = Number(counts?.severe ?? 0);
  }
  return { keys, pool, poolSevere, meetingId };
}

/**
 * The rows' details (names or initials, measures, open actions, nominations), in the keys' order.
 * A nominated pupil may have no summary yet (no marks this year): their measures are empty.
 */
export async function pupilDetails(
  ctx: PoolContext,
  keys: readonly { pupil_id: number; school_urn: number; reason?: AgendaReason }[],
  nameMode: NameMode,
  meetingDate: string,
  meetingId: number | null,
): Promise<AgendaPupil[]> {
  if (keys.length === 0) return [];
  const ids = keys.map((k) => k.pupil_id);
  const details = await ctx.deps.db
    .selectFrom('pupil as p')
    .innerJoin('enrolment as e', 'e.pupil_id', 'p.id')
    .innerJoin('school', 'school.urn', 'e.school_urn')
    .leftJoin('attendance_summary as s', (join) => join.onRef('s.pupil_id', '=', 'p.id').onRef('s.school_urn', '=', 'e.school_urn').on('s.academic_year', '=', ctx.academicYear))
    .where('p.id', 'in', ids)
    .where('e.school_urn', 'in', [...ctx.urns])
    .where(schoolInScope(ctx.actor.scope, 'school'))
    .where('e.start_date', '<=', ctx.today)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', ctx.today)]))
    .select([
      'p.id as pupil_id',
      'e.school_urn',
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
    .execute();
  const byKey = new Map(details.map((d) => [`${d.pupil_id}|${d.school_urn}`, d]));
  const [actions, nominations] = await Promise.all([openActionsOf(ctx.deps, ids), nominationsOf(ctx.deps.db, meetingId, ids)]);
  const out: AgendaPupil[] = [];
  for (const k of keys) {
    const r = byKey.get(`${k.pupil_id}|${k.school_urn}`);
    if (!r) continue;
    const n = (v: number | null) => Number(v ?? 0);
    const trend: TrendText = r.trend ?? 'unknown';
    const band: AbsenceBandText = r.band ?? 'none';
    const needs = multiAgencyNeeds({ ...r, trend });
    const a = actions.get(r.pupil_id);
    const due = a !== undefined && a.nextDue <= meetingDate;
    const nomination = nominations.get(r.pupil_id);
    const possible = n(r.possible);
    out.push({
      pupilId: r.pupil_id,
      label: r.label,
      ncYear: r.nc_year,
      schoolUrn: r.school_urn,
      schoolName: r.school_name,
      attendanceRate: possible > 0 ? (n(r.present) + n(r.aea)) / possible : null,
      band,
      category: agendaCategory(band, needs, due) ?? (nomination ? 'nominated' : 'action_due'),
      needs,
      notes: patternNotes({
        not_attending: n(r.not_attending),
        longest_unauthorised_run: n(r.longest_unauthorised_run),
        s19_illness: r.s19_illness,
        part_time: n(r.part_time),
        unexplained: n(r.unexplained),
        holiday: n(r.holiday),
        excluded: n(r.excluded),
      }),
      trend,
      trendPoints: r.trend_points === null ? null : Number(r.trend_points),
      openActions: a?.open ?? 0,
      nextDue: a?.nextDue ?? null,
      overdue: a !== undefined && a.nextDue < ctx.today,
      ...(k.reason ? { reason: k.reason } : {}),
      // A nomination's reason is free text about a family: only in the user's own (named) view.
      nomination: nomination ? { byName: nomination.byName, reason: nameMode === 'names' ? nomination.reason : '' } : null,
    });
  }
  return out;
}

/** Open actions per pupil: how many and the earliest due date. */
async function openActionsOf(deps: ClusterDeps, pupilIds: readonly number[]): Promise<Map<number, { open: number; nextDue: string }>> {
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
