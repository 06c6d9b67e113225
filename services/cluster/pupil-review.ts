import { sql } from 'kysely';
import { attendanceRate, codeBreakdown, countSessions, type SessionCounts, type WeekMarks } from '../attendance/attendance-measures';
import { ATTENDANCE_CODES } from '../attendance/attendance-codes';
import { ensureAttendanceSummaries, summaryWindow } from '../attendance/attendance-summary';
import { recordAccess } from '../audit/audit-log';
import { addDays, todayInLondon } from '../calendar/dates';
import { SEN_PROVISION_LABELS } from '../domain/dfe-codes';
import type { Actor } from '../identity/actor';
import { parseScope } from '../identity/scope';
import { schoolInScope } from '../identity/scope-query';
import { ALERT_RULES } from '../alerts/alert-rules';
import type { ExclusionCategory } from '../store/database';
import { multiAgencyNeeds, patternNotes, pupilLabelSql } from './agenda-rules';
import { mayListPupils, namesAllowed } from './cluster-access';
import { openCluster } from './cluster-agenda';
import { invitees, nextMeeting, type DistrictRef, type MeetingRef } from './cluster-meetings';
import { problem, type ClusterDeps, type ClusterResult, type NameMode } from './cluster-service-types';
import type { AbsenceBandText, ActionStatus, TrendText } from './cluster-tables';
import { MAX_DUE_DAYS } from './pupil-review-form';

/**
 * The read model of one pupil's review at a cluster meeting: attendance week by week, the register
 * codes, suspensions and exclusions, flags, earlier reviews and actions, and who may own an action.
 * The form's rules are in pupil-review-form.ts, recording a review in pupil-review-writes.ts.
 */

export interface WeekBar {
  weekStart: string;
  possible: number;
  attended: number;
  /** The week's ten marks as DfE codes, '' for no mark. */
  codes: string[];
}

export interface CodeCount {
  code: string;
  meaning: string;
  sessions: number;
  counts: string;
}

export interface ExclusionLine {
  category: ExclusionCategory;
  startDate: string;
  sessions: number;
  reasons: string;
}

export interface ActionLine {
  id: number;
  description: string;
  ownerName: string;
  ownerId: number;
  dueDate: string;
  status: ActionStatus;
  overdue: boolean;
  meetingDate: string;
}

/** An exclusion alert about the pupil, read-only here (the alert card acts on it). */
export interface AlertLine {
  id: number;
  title: string;
  status: string;
  createdOn: string;
  dueDate: string | null;
}

export interface ReviewLine {
  meetingDate: string;
  barriers: string;
  outcome: string;
  leadPractitioner: string;
  recordedBy: string;
}

export interface OwnerChoice {
  id: number;
  name: string;
  role: string;
}

export interface ReviewView {
  district: string;
  meeting: MeetingRef;
  today: string;
  periodFrom: string;
  /** The pupil's last school day with marks this year (never after today). */
  asOf: string;
  pupilId: number;
  label: string;
  nameMode: NameMode;
  ncYear: number;
  schoolUrn: number;
  schoolName: string;
  flags: string[];
  sessions: SessionCounts;
  attendanceRate: number | null;
  band: AbsenceBandText;
  trend: TrendText;
  trendPoints: number | null;
  notes: string[];
  weeks: WeekBar[];
  codes: CodeCount[];
  exclusions: ExclusionLine[];
  /** Exclusion alerts about the pupil this year, newest first (at most 3). */
  alerts: AlertLine[];
  /** Set when the pupil is nominated for the next meeting. */
  nomination: { byName: string; reason: string } | null;
  reviews: ReviewLine[];
  actions: ActionLine[];
  owners: OwnerChoice[];
  /** Latest due date the form accepts (the client checks it too). */
  latestDue?: string;
}

export interface ReviewRequest {
  district: string;
  pupilId: number;
  view: 'shared' | 'own';
}

interface PupilRow {
  id: number;
  label: string;
  nc_year: number;
  school_urn: number;
  school_name: string;
  sen_provision: 'E' | 'K' | 'N';
  social_worker: 'N' | 'CIN' | 'CP';
  looked_after: number;
  youth_justice: number;
  fsm: number;
}

/** The pupil, if on roll today at a school of this district that is inside the actor's scope. */
async function findPupil(deps: ClusterDeps, actor: Actor, district: DistrictRef, pupilId: number, today: string, nameMode: NameMode): Promise<PupilRow | undefined> {
  return (await deps.db
    .selectFrom('pupil as p')
    .innerJoin('enrolment as e', 'e.pupil_id', 'p.id')
    .innerJoin('school', 'school.urn', 'e.school_urn')
    .where('p.id', '=', pupilId)
    .where('school.district_id', '=', district.id)
    .where(schoolInScope(actor.scope, 'school'))
    .where('e.start_date', '<=', today)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', today)]))
    .select([
      'p.id',
      pupilLabelSql(nameMode).as('label'),
      'p.nc_year',
      'e.school_urn',
      'school.name as school_name',
      'p.sen_provision',
      'p.social_worker',
      'p.looked_after',
      'p.youth_justice',
      'p.fsm',
    ])
    // A dual-registered pupil: the main or single registration first.
    .orderBy(sql`case when e.registration = 'S' then 1 else 0 end`)
    .orderBy('e.school_urn')
    .limit(1)
    .executeTakeFirst()) as PupilRow | undefined;
}

export const PUPIL_NOT_FOUND = 'That pupil is not on roll at a school in your scope in this district, so I cannot show them.';

export async function getPupilReview(deps: ClusterDeps, actor: Actor, request: ReviewRequest): Promise<ClusterResult<ReviewView>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  if (!mayListPupils(actor.role)) return problem('not_in_scope', 'Your role sees cluster figures only, not individual pupils.');
  const view = await buildReview(deps, actor, opened.view.district, request.pupilId, request.view);
  if (!view) return problem('not_found', PUPIL_NOT_FOUND);
  await recordAccess(deps.db, deps.clock, {
    actor,
    action: view.nameMode === 'names' ? 'pupil.read' : 'pupil.read.minimised',
    command: 'cluster review',
    pupilIds: [view.pupilId],
  });
  return { ok: true, view };
}

/** The review as the actor may see it; undefined when the pupil is not on roll in their scope here. Not audited: callers record the read or write. */
export async function buildReview(deps: ClusterDeps, actor: Actor, district: DistrictRef, pupilId: number, viewKind: 'shared' | 'own'): Promise<ReviewView | undefined> {
  const { db, calendar, clock } = deps;
  const today = todayInLondon(clock);
  const nameMode: NameMode = namesAllowed(actor, viewKind) ? 'names' : 'initials';
  const pupil = await findPupil(deps, actor, district, pupilId, today, nameMode);
  if (!pupil) return undefined;
  const window = summaryWindow(calendar, today);
  await ensureAttendanceSummaries(db, calendar, today, clock.now().toISOString());

  const [meeting, weekRows, summary, exclusions, reviews, actions, schoolsOfDistrict, alerts] = await Promise.all([
    nextMeeting(db, calendar, district.id, today),
    db
      .selectFrom('attendance_week')
      .select(['week_start', 'marks'])
      .where('pupil_id', '=', pupil.id)
      .where('school_urn', '=', pupil.school_urn)
      .where('week_start', '>=', window.firstWeek)
      .where('week_start', '<=', window.asOf)
      .orderBy('week_start')
      .execute(),
    db
      .selectFrom('attendance_summary')
      .selectAll()
      .where('pupil_id', '=', pupil.id)
      .where('school_urn', '=', pupil.school_urn)
      .where('academic_year', '=', window.academicYear)
      .executeTakeFirst(),
    db
      .selectFrom('exclusion')
      .select(['category', 'start_date', 'sessions', 'reasons'])
      .where('pupil_id', '=', pupil.id)
      .where('start_date', '>=', window.period.from)
      .orderBy('start_date', 'desc')
      .limit(10)
      .execute(),
    db
      .selectFrom('pupil_review as r')
      .innerJoin('cluster_meeting as m', 'm.id', 'r.meeting_id')
      .innerJoin('staff_user as u', 'u.id', 'r.recorded_by')
      .select(['m.meeting_date', 'r.barriers', 'r.outcome', 'r.lead_practitioner', 'u.name as recorded_by'])
      .where('r.pupil_id', '=', pupil.id)
      .orderBy('m.meeting_date', 'desc')
      .limit(3)
      .execute(),
    actionsOfPupil(deps, pupil.id, today),
    db.selectFrom('school').select('urn').where('district_id', '=', district.id).execute(),
    db
      .selectFrom('exclusion_alert')
      .select(['id', 'rule', 'status', 'created_at', 'due_date'])
      .where('pupil_id', '=', pupil.id)
      .where('created_at', '>=', window.period.from)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(3)
      .execute(),
  ]);
  const nominated = await db
    .selectFrom('cluster_nomination as n')
    .innerJoin('cluster_meeting as m', 'm.id', 'n.meeting_id')
    .innerJoin('staff_user as u', 'u.id', 'n.nominated_by')
    .select(['u.name', 'n.reason'])
    .where('m.district_id', '=', district.id)
    .where('m.meeting_date', '=', meeting.date)
    .where('n.pupil_id', '=', pupil.id)
    .executeTakeFirst();

  const weeks: WeekMarks[] = weekRows.map((w) => ({ weekStart: w.week_start, marks: w.marks }));
  const period = window.period;
  const sessions = countSessions(weeks, period);
  const owners = await ownerChoices(deps, actor, district, schoolsOfDistrict.map((s) => s.urn), pupil.school_urn);
  const showText = nameMode === 'names';
  return {
    district: district.name,
    meeting,
    today,
    latestDue: addDays(today, MAX_DUE_DAYS),
    periodFrom: period.from,
    asOf: lastMarked(weeks, period.from, window.asOf < today ? window.asOf : today),
    pupilId: pupil.id,
    label: pupil.label,
    nameMode,
    ncYear: pupil.nc_year,
    schoolUrn: pupil.school_urn,
    schoolName: pupil.school_name,
    flags: pupilFlags(pupil),
    sessions,
    attendanceRate: attendanceRate(sessions),
    band: summary?.band ?? 'none',
    trend: summary?.trend ?? 'unknown',
    trendPoints: summary?.trend_points === null || summary?.trend_points === undefined ? null : Number(summary.trend_points),
    notes: summary ? patternNotes(summary) : [],
    weeks: weeks.map((w) => weekBar(w, period)),
    codes: codeLines(weeks, period),
    exclusions: exclusions.map((x) => ({ category: x.category, startDate: x.start_date, sessions: x.sessions, reasons: x.reasons })),
    alerts: alerts.map((a) => ({
      id: a.id,
      title: ALERT_RULES[a.rule as keyof typeof ALERT_RULES]?.title ?? a.rule,
      status: a.status,
      createdOn: a.created_at.slice(0, 10),
      dueDate: a.due_date,
    })),
    nomination: nominated ? { byName: nominated.name, reason: showText ? nominated.reason : '' } : null,
    // Free text typed at meetings can say a lot about a family: only in the user's own view.
    reviews: reviews.map((r) => ({
      meetingDate: r.meeting_date,
      barriers: showText ? r.barriers : '',
      outcome: showText ? r.outcome : '',
      leadPractitioner: r.lead_practitioner,
      recordedBy: r.recorded_by,
    })),
    actions,
    owners,
  };
}

/** The last day with a mark in the pupil's weeks, between `from` and `cap`; `cap` when none. */
export function lastMarked(weeks: readonly WeekMarks[], from: string, cap: string): string {
  for (let w = weeks.length - 1; w >= 0; w--) {
    const week = weeks[w]!;
    if (week.weekStart > cap) continue;
    const filled = week.marks.replace(/\.+$/, '').length;
    if (filled === 0) continue;
    const day = addDays(week.weekStart, Math.floor((filled - 1) / 2));
    if (day < from) break;
    return day > cap ? cap : day;
  }
  return cap;
}

function pupilFlags(p: PupilRow): string[] {
  const flags: string[] = [];
  if (p.sen_provision !== 'N') flags.push(SEN_PROVISION_LABELS[p.sen_provision]);
  if (Number(p.fsm) === 1) flags.push('FSM');
  for (const need of multiAgencyNeeds({ ...p, trend: 'unknown' })) if (need !== 'EHC plan') flags.push(need);
  return flags;
}

function weekBar(week: WeekMarks, period: { from: string; to: string }): WeekBar {
  const c = countSessions([week], period);
  const byChar = new Map(ATTENDANCE_CODES.map((code) => [code.char, code.code]));
  return {
    weekStart: week.weekStart,
    possible: c.possible,
    attended: c.present + c.aea,
    codes: [...week.marks].map((ch) => byChar.get(ch) ?? ''),
  };
}

function codeLines(weeks: WeekMarks[], period: { from: string; to: string }): CodeCount[] {
  const breakdown = codeBreakdown(weeks, period);
  const out: CodeCount[] = [];
  for (const code of ATTENDANCE_CODES) {
    const n = breakdown.get(code.code);
    if (n) out.push({ code: code.code, meaning: code.meaning, sessions: n, counts: code.counts });
  }
  return out;
}

async function actionsOfPupil(deps: ClusterDeps, pupilId: number, today: string): Promise<ActionLine[]> {
  const rows = await deps.db
    .selectFrom('cluster_action as a')
    .innerJoin('staff_user as u', 'u.id', 'a.owner_id')
    .innerJoin('cluster_meeting as m', 'm.id', 'a.meeting_id')
    .select(['a.id', 'a.description', 'u.name as owner_name', 'a.owner_id', 'a.due_date', 'a.status', 'm.meeting_date'])
    .where('a.pupil_id', '=', pupilId)
    // Open ones first (soonest due), then the most recent closed ones.
    .orderBy(sql`case when a.status = 'open' then 0 else 1 end`)
    .orderBy('a.due_date')
    .orderBy('a.id')
    .limit(12)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    description: r.description,
    ownerName: r.owner_name,
    ownerId: r.owner_id,
    dueDate: r.due_date,
    status: r.status,
    overdue: r.status === 'open' && r.due_date < today,
    meetingDate: r.meeting_date,
  }));
}

/**
 * Who can own an action for this pupil: invitees who can see the pupil (the district's officers
 * and cluster members, the leaders of the pupil's school), and the person recording it.
 */
async function ownerChoices(deps: ClusterDeps, actor: Actor, district: DistrictRef, schoolUrns: number[], pupilSchool: number): Promise<OwnerChoice[]> {
  const list = await invitees(deps.db, district, schoolUrns);
  const out: OwnerChoice[] = [];
  for (const i of list) {
    if (i.role === 'school_leader') {
      const row = await deps.db.selectFrom('staff_user').select('scope').where('id', '=', i.id).executeTakeFirst();
      let leads = false;
      try {
        leads = row ? parseScope(row.scope).schoolUrns.includes(pupilSchool) : false;
      } catch {
        leads = false;
      }
      if (!leads) continue;
    }
    out.push({ id: i.id, name: i.name, role: i.role });
  }
  if (!out.some((o) => o.id === actor.user.id) && mayListPupils(actor.role)) out.push({ id: actor.user.id, name: actor.user.name, role: actor.role });
  return out;
}
