import type { Kysely } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { todayInLondon } from '../calendar/dates';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { Clock } from '../clock';
import { ETHNICITY_CODES, EXCLUSION_REASON_CODES } from '../domain/dfe-codes';
import { pupilsVisibleThroughExclusions } from '../exclusions/exclusion-roll';
import { ALERT_RULES, dueKindOf, type DueKind } from './alert-rules';
import { metByPlacement, windowClosed } from './due-state';
import type { AlertRuleId, AttendanceAlert, AttendanceRuleId, Cohort, DistrictAlert, ExclusionAlert, PupilAlert } from '../exclusions/alert-types';
import { CODE_BY_CHAR } from '../attendance/attendance-codes';
import { countSessions } from '../attendance/attendance-measures';
import { addDays, mondayOf } from '../calendar/dates';
import { mayShowNames, type Actor } from '../identity/actor';
import { mayReadPupils } from '../identity/role-policy';
import { placesNear, type PlacesNearView } from '../places/places-near';
import type { Database, Role } from '../store/database';
import { userMaySee } from './alert-routing';
import type { ExclusionAlertRow } from '../store/tables/alerts';
import { loadGeography } from './subscriptions';

/**
 * What an alert card shows to one viewer, decided here: scope is checked against the viewer's own
 * scope, pupil details are minimised outside personal chats (initials, year, school), school days
 * left are counted from today, and the read is audited.
 */

const COHORT_LABELS: Readonly<Record<Cohort, string>> = {
  ehc_plan: 'EHC plan',
  sen_support: 'SEN support',
  looked_after: 'Looked after',
  social_worker: 'Social worker',
  fsm: 'FSM',
};

/** The authority arranges education from day 6 of a permanent exclusion: its staff record the place. */
export const PLACEMENT_ROLES: readonly Role[] = ['la_manager', 'admin'];

const CATEGORY_LABELS = { SUSP: 'Suspension', PERM: 'Permanent exclusion', LUNC: 'Lunchtime suspension' } as const;

export interface DeadlineView {
  label: string;
  date: string;
  /** Negative when overdue; null when the calendar cannot count it. */
  schoolDaysLeft: number | null;
  /** A window (not a duty) reads "window closed" once past, never "overdue". Omitted: 'duty'. */
  dueKind?: DueKind;
}

/** 'closed': a window for someone else (parents) whose date has passed; nobody is overdue. */
export type DutyState = 'open' | 'overdue' | 'met' | 'acknowledged' | 'closed';

/** One duty of a case (one rule's alert): what it is, when it is due, and where it stands. */
export interface DutyView {
  alertId: number;
  rule: PupilAlert['rule'] | AttendanceRuleId;
  title: string;
  /** What the date means ("Governors must meet by"); null for duties without a date. */
  label: string | null;
  date: string | null;
  /** Negative when overdue; null when undated or the calendar cannot count it. */
  schoolDaysLeft: number | null;
  state: DutyState;
  nextStep: string;
  basis: string;
  /** Shown instead of the school days left (an attendance threshold reached on a past day). */
  note?: string;
}

/** An attendance alert's card (issue 12): the pupil, the weekly pattern, the marks behind it, the duty. */
export interface AttendanceAlertView {
  kind: 'attendance';
  alertId: number;
  version: number;
  rule: AttendanceRuleId;
  title: string;
  basis: string;
  nextStep: string;
  pupilLabel: string;
  pupilId: number;
  yearGroup: string;
  schoolName: string;
  cohorts: string[];
  facts: [string, string][];
  /** Attendance per school week this year, oldest first (for the chart). */
  weeks: { weekStart: string; possible: number; attended: number }[];
  /** The last weeks' marks as register codes, Monday am to Friday pm ('-' for no mark). */
  recentMarks: { weekStart: string; codes: string[] }[];
  duties: DutyView[];
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignedTo: string | null;
  snoozedUntil: string | null;
  minimised: boolean;
}

export interface PupilAlertView {
  kind: 'pupil';
  alertId: number;
  version: number;
  rule: PupilAlert['rule'];
  title: string;
  basis: string;
  nextStep: string;
  /** Full name in personal chat; initials elsewhere. */
  pupilLabel: string;
  pupilId: number;
  yearGroup: string;
  schoolName: string;
  /** Where the pupil is on roll now, when that differs from the excluding school. */
  currentSchoolNames: string[];
  cohorts: string[];
  exclusion: { category: string; startDate: string; length: string; reasons: string[] } | null;
  facts: [string, string][];
  /** Every duty of this case (the pupil's exclusion), most urgent first; one card shows them all. */
  duties: DutyView[];
  deadline: DeadlineView | null;
  /** Set when the deadline falls after the loaded calendar, so it cannot be dated yet. */
  deadlineNote: string | null;
  /** For a permanent exclusion: the date the new full-time place starts, once recorded. */
  placementFrom: string | null;
  /** Permanent exclusion without a place yet: free alternative provision places near the pupil (issue 12). */
  apPlaces?: PlacesNearView | null;
  /** Whether this viewer may record the placement here (LA roles, permanent exclusion alerts). */
  canRecordPlacement: boolean;
  /** LA roles may record a withdrawal, cancellation or reinstatement (issue 9). */
  canRecordOutcome: boolean;
  /** Repeated suspensions suggest reviewing the pupil's rung on the ladder. */
  suggestLadder: boolean;
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignedTo: string | null;
  snoozedUntil: string | null;
  /** Whether the viewer's conversation shows names (for the card's small print). */
  minimised: boolean;
}

export interface DistrictAlertView {
  kind: 'district';
  alertId: number;
  version: number;
  title: string;
  basis: string;
  nextStep: string;
  districtName: string;
  groupLabel: string;
  facts: [string, string][];
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignedTo: string | null;
  snoozedUntil: string | null;
}

export type AlertView = PupilAlertView | DistrictAlertView | AttendanceAlertView;

export type AlertViewResult = { ok: true; view: AlertView; alert: ExclusionAlert; row: ExclusionAlertRow } | { ok: false; reason: 'not_found' | 'out_of_scope' | 'figures_only' };

export const FIGURES_ONLY_MESSAGE = 'Your role sees exclusion figures only, not individual pupils (type **alerts digest** for the figures).';

export interface AlertViewContext {
  db: Kysely<Database>;
  clock: Clock;
  calendar: SchoolCalendar;
}

function initials(forename: string, surname: string): string {
  return `${forename.trim()[0] ?? '?'}${surname.trim()[0] ?? '?'}`.toUpperCase();
}

function yearLabel(nc: number): string {
  if (nc === 0) return 'Reception';
  if (nc < 0) return 'Nursery';
  return `Year ${nc}`;
}

function daysLabel(sessions: number, category: string): string {
  if (category === 'PERM') return 'permanent';
  if (category === 'LUNC') return `${sessions} lunchtime${sessions === 1 ? '' : 's'} (${sessions / 2} day${sessions === 2 ? '' : 's'})`;
  const days = sessions / 2;
  return `${days} school day${days === 1 ? '' : 's'}`;
}

function deadlineLabel(rule: AlertRuleId): string {
  switch (rule) {
    case 'unauthorised_10_days':
      return 'School tells the authority (10th day)';
    case 'illness_15_days':
      return 'Section 19 duty from';
    case 'suspension_day6':
      return 'School provision from';
    case 'pex_la_day6':
    case 'pex_no_placement':
    case 'pex_no_free_place':
    case 'pru_suspension_day6':
      return 'LA provision from (day 6)';
    case 'pex_governors_review':
    case 'term_total_over_15':
    case 'missed_public_exam':
      return 'Governors must meet by';
    case 'term_total_over_5':
      return 'If parents ask, governors meet by';
    case 'irp_application_window':
      return 'Parents may apply for a review until';
    default:
      return 'Due';
  }
}

/** Loads an alert for a viewer; null-safe for ids from old or tampered buttons. */
export async function alertViewFor(ctx: AlertViewContext, actor: Actor, alertId: number, command: string): Promise<AlertViewResult> {
  const row = await ctx.db.selectFrom('exclusion_alert').selectAll().where('id', '=', alertId).executeTakeFirst();
  if (!row || row.scope === 'digest') return { ok: false, reason: 'not_found' };
  const alert = JSON.parse(row.payload) as ExclusionAlert;
  const geo = await loadGeography(ctx.db);
  if (!userMaySee(actor.scope, alert, geo)) return { ok: false, reason: 'out_of_scope' };
  const people = await staffNames(ctx.db, [row.acknowledged_by, row.assigned_to]);
  const common = {
    alertId: row.id,
    version: row.version,
    title: ALERT_RULES[alert.rule].title,
    basis: ALERT_RULES[alert.rule].basis,
    nextStep: ALERT_RULES[alert.rule].nextStep,
    status: row.status,
    acknowledgedBy: row.acknowledged_by ? (people.get(row.acknowledged_by) ?? 'a colleague') : null,
    acknowledgedAt: row.acknowledged_at,
    assignedTo: row.assigned_to ? (people.get(row.assigned_to) ?? 'a colleague') : null,
    snoozedUntil: row.snoozed_until,
  };
  // A youth justice worker sees the attendance of the young people linked to them, and nothing else.
  if (actor.role === 'youth_justice_worker' && alert.scope !== 'attendance') return { ok: false, reason: 'out_of_scope' };
  if (alert.scope === 'district') return { ok: true, view: districtView(alert, geo.districtNames.get(alert.districtId) ?? 'Unknown district', common), alert, row };
  if (alert.scope === 'attendance') {
    const view = await attendanceView(ctx, actor, alert, row, common, command);
    return typeof view === 'string' ? { ok: false, reason: view } : { ok: true, view, alert, row };
  }
  // The pupil must belong to a school in the viewer's scope (exclusions/exclusion-roll.ts), whatever school a stored row names.
  const [linked] = await pupilsVisibleThroughExclusions(ctx.db, actor.scope, [{ pupilId: alert.pupilId, schoolUrn: alert.schoolUrn, startDate: alert.eventDate }], todayInLondon(ctx.clock));
  if (!linked) return { ok: false, reason: 'out_of_scope' };

  // Decided before any pupil row is read (docs/role-policy.md).
  if (!mayReadPupils(actor.role, 'alert_card')) return { ok: false, reason: 'figures_only' };
  const pupil = await ctx.db
    .selectFrom('pupil')
    .select(['id', 'legal_forename', 'legal_surname', 'preferred_forename', 'nc_year'])
    .where('id', '=', alert.pupilId)
    .executeTakeFirst();
  if (!pupil) return { ok: false, reason: 'not_found' };
  const exclusion = await ctx.db
    .selectFrom('exclusion')
    .select(['category', 'start_date', 'sessions', 'reasons', 'outcome'])
    .where('id', '=', alert.exclusionId)
    .executeTakeFirst();
  const urns = [...new Set([alert.schoolUrn, ...alert.currentSchoolUrns])];
  const schools = new Map((await ctx.db.selectFrom('school').select(['urn', 'name']).where('urn', 'in', urns).execute()).map((s) => [s.urn, s.name]));
  const showNames = mayShowNames(actor);
  const forename = pupil.preferred_forename ?? pupil.legal_forename;
  const today = todayInLondon(ctx.clock);
  let deadline: DeadlineView | null = null;
  if (alert.dueDate) {
    let left: number | null = null;
    try {
      left = ctx.calendar.schoolDaysBetween(today, alert.dueDate, alert.schoolUrn);
    } catch {
      left = null;
    }
    deadline = { label: deadlineLabel(alert.rule), date: alert.dueDate, schoolDaysLeft: left, dueKind: dueKindOf(alert.rule) };
  }
  const isPermanent = exclusion?.category === 'PERM';
  const placement = isPermanent
    ? await ctx.db.selectFrom('exclusion_placement').select('placed_on').where('exclusion_id', '=', alert.exclusionId).executeTakeFirst()
    : undefined;
  const duties = await caseDuties(ctx, row, alert, today, placement?.placed_on ?? null);
  const first = [...duties].sort((a, b) => RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule))[0];
  await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.read', command, pupilIds: [pupil.id] });
  const view: PupilAlertView = {
    kind: 'pupil',
    rule: alert.rule,
    ...common,
    pupilId: pupil.id,
    pupilLabel: showNames ? `${forename} ${pupil.legal_surname}` : initials(forename, pupil.legal_surname),
    yearGroup: yearLabel(pupil.nc_year),
    schoolName: schools.get(alert.schoolUrn) ?? `School ${alert.schoolUrn}`,
    currentSchoolNames: alert.currentSchoolUrns.filter((u) => u !== alert.schoolUrn).map((u) => schools.get(u) ?? `School ${u}`),
    cohorts: alert.cohorts.map((c) => COHORT_LABELS[c]),
    exclusion: exclusion
      ? {
          category: CATEGORY_LABELS[exclusion.category],
          startDate: exclusion.start_date,
          length: daysLabel(exclusion.sessions, exclusion.category),
          reasons: exclusion.reasons
            .split(';')
            .filter(Boolean)
            .map((r) => EXCLUSION_REASON_CODES[r as keyof typeof EXCLUSION_REASON_CODES] ?? r),
        }
      : null,
    facts: pupilFacts(alert),
    duties,
    deadline,
    placementFrom: placement?.placed_on ?? null,
    apPlaces:
      isPermanent && !placement && !exclusion?.outcome
        ? await placesNear(ctx.db, ctx.calendar, { schoolUrn: alert.schoolUrn, exclusionStart: exclusion!.start_date, ncYear: pupil.nc_year, today })
        : null,
    canRecordPlacement: isPermanent && PLACEMENT_ROLES.includes(actor.role),
    canRecordOutcome: PLACEMENT_ROLES.includes(actor.role) && exclusion !== undefined && !exclusion.outcome,
    suggestLadder: alert.rule === 'repeated_suspensions',
    deadlineNote: alert.facts.dueBeyondCalendar ? `${deadlineLabel(alert.rule)}: after the end of the loaded school calendar (the authority needs to load next year's term dates)` : null,
    minimised: !showNames,
  };
  // The card is titled by the case's most serious duty (catalogue order), not the duty it was sent for.
  if (first) view.title = first.title;
  return { ok: true, view, alert, row };
}

const RULE_ORDER = Object.keys(ALERT_RULES);

/** Every alert sharing this alert's case, as duties: met, acknowledged, overdue or open. */
async function caseDuties(ctx: AlertViewContext, row: ExclusionAlertRow, alert: PupilAlert, today: string, placedOn: string | null): Promise<DutyView[]> {
  const siblings = await ctx.db
    .selectFrom('exclusion_alert')
    .select(['id', 'rule', 'due_date', 'status'])
    .where('case_key', '=', row.case_key)
    .where('scope', '=', 'pupil')
    .orderBy('id')
    .execute();
  const rows = siblings.length ? siblings : [{ id: row.id, rule: row.rule, due_date: row.due_date, status: row.status }];
  return dutyViews(ctx, rows, alert.schoolUrn, today, placedOn);
}

function dutyViews(
  ctx: AlertViewContext,
  rows: readonly { id: number; rule: string; due_date: string | null; status: string }[],
  schoolUrn: number,
  today: string,
  placedOn: string | null,
): DutyView[] {
  const alert = { schoolUrn };
  const duties = rows.map((s): DutyView => {
    const rule = s.rule as DutyView['rule'];
    let left: number | null = null;
    if (s.due_date) {
      try {
        left = ctx.calendar.schoolDaysBetween(today, s.due_date, alert.schoolUrn);
      } catch {
        left = null;
      }
    }
    // The same tests the digest and first-contact queries make in SQL (due-state.ts).
    const state: DutyState = metByPlacement(rule, s.due_date, placedOn)
      ? 'met'
      : s.status === 'acknowledged'
        ? 'acknowledged'
        : windowClosed(rule, s.due_date, today)
          ? 'closed'
          : left !== null && left < 0
            ? 'overdue'
            : 'open';
    const info = ALERT_RULES[rule] ?? { title: rule, nextStep: '', basis: '' };
    return { alertId: s.id, rule, title: info.title, label: s.due_date ? deadlineLabel(rule) : null, date: s.due_date, schoolDaysLeft: left, state, nextStep: info.nextStep, basis: info.basis };
  });
  // Open duties by date (overdue first), then undated ones, then closed windows and those already met.
  const rank = (d: DutyView) => (d.state === 'met' || d.state === 'acknowledged' || d.state === 'closed' ? 2 : d.date ? 0 : 1);
  return duties.sort((a, b) => rank(a) - rank(b) || (a.date ?? '').localeCompare(b.date ?? '') || a.alertId - b.alertId);
}

function pupilFacts(alert: PupilAlert): [string, string][] {
  const f = alert.facts;
  const out: [string, string][] = [];
  if (f.termTotalDays !== undefined) out.push([`Days suspended, ${f.term ?? 'this term'}`, String(f.termTotalDays)]);
  if (f.yearTotalDays !== undefined) out.push([`Days suspended, ${f.academicYear ?? 'this year'}`, `${f.yearTotalDays} of 45${f.yearTotalSchools && f.yearTotalSchools > 1 ? ` (${f.yearTotalSchools} schools)` : ''}`]);
  if (f.consecutiveDays !== undefined) out.push(['Consecutive school days', String(f.consecutiveDays)]);
  if (f.suspensionsInWindow !== undefined) out.push(['Suspensions within 30 school days', String(f.suspensionsInWindow)]);
  // Casework (issue 9): the board's clock runs from the head's notice; show when the LA heard too.
  if (f.decisionDate !== undefined) out.push(["Head's notice to parents and board", f.decisionDate]);
  if (f.laNotifiedDate !== undefined) out.push(['Authority told', f.laNotifiedDate]);
  if (f.schoolDaysLate !== undefined) out.push(['Reported late by', `${f.schoolDaysLate} school day${f.schoolDaysLate === 1 ? '' : 's'}`]);
  if (f.homeLa !== undefined) out.push(['Home authority (DfE code)', f.homeLa]);
  if (f.irpAppliedDate !== undefined) out.push(['Independent review applied for', `${f.irpAppliedDate}${f.irpSenExpert ? ' (SEN expert requested)' : ''}`]);
  if (f.examDate !== undefined) out.push([f.missesExam ? 'Also misses a public exam on' : 'Public exam', `${f.examDate}${f.beforeExam ? ' (board to meet before it)' : ''}`]);
  return out;
}

function districtView(alert: DistrictAlert, districtName: string, common: Omit<DistrictAlertView, 'kind' | 'districtName' | 'groupLabel' | 'facts'>): DistrictAlertView {
  const group =
    alert.group.kind === 'sen' ? 'Pupils with SEN' : alert.group.kind === 'fsm' ? 'Pupils eligible for free school meals' : `Ethnicity: ${ETHNICITY_CODES[alert.group.code as keyof typeof ETHNICITY_CODES] ?? 'another ethnic group'}`;
  return {
    kind: 'district',
    ...common,
    districtName,
    groupLabel: group,
    facts: [
      ['Period', `${alert.periodStart} to ${alert.periodEnd}`],
      ['Group', `${alert.groupSuspensions} suspensions, ${alert.groupPupils} pupils (${alert.groupRate} per 100)`],
      ['Everyone else', `${alert.restSuspensions} suspensions, ${alert.restPupils} pupils (${alert.restRate} per 100)`],
      ['Ratio', alert.ratio === null ? 'no suspensions among everyone else' : `${alert.ratio} times the rate of everyone else`],
    ],
  };
}

async function staffNames(db: Kysely<Database>, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = ids.filter((i): i is number => i !== null);
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('staff_user').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Weeks of marks printed on an attendance card (the chart shows the whole year). */
const RECENT_MARK_WEEKS = 4;

/** The attendance card's view: scope and the youth justice link checked before any pupil row is read; the read audited. */
async function attendanceView(
  ctx: AlertViewContext,
  actor: Actor,
  alert: AttendanceAlert,
  row: ExclusionAlertRow,
  common: Omit<AttendanceAlertView, 'kind' | 'rule' | 'pupilLabel' | 'pupilId' | 'yearGroup' | 'schoolName' | 'cohorts' | 'facts' | 'weeks' | 'recentMarks' | 'duties' | 'minimised'>,
  command: string,
): Promise<AttendanceAlertView | 'not_found' | 'out_of_scope' | 'figures_only'> {
  if (!mayReadPupils(actor.role, 'alert_card')) return 'figures_only';
  if (actor.role === 'youth_justice_worker') {
    const link = await ctx.db
      .selectFrom('pupil_youth_justice_worker')
      .select('pupil_id')
      .where('pupil_id', '=', alert.pupilId)
      .where('staff_user_id', '=', actor.user.id)
      .executeTakeFirst();
    if (!link) return 'out_of_scope';
  }
  const today = todayInLondon(ctx.clock);
  // The pupil must be on roll today at a school in the viewer's scope, whatever the stored alert names.
  const enrolled = await ctx.db
    .selectFrom('enrolment')
    .select('school_urn')
    .where('pupil_id', '=', alert.pupilId)
    .where('start_date', '<=', today)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', today)]))
    .execute();
  const geo = await loadGeography(ctx.db);
  const visible = enrolled.some((e) => userMaySee(actor.scope, { ...alert, schoolUrn: e.school_urn, currentSchoolUrns: [] }, geo));
  if (!visible) return 'out_of_scope';
  const pupil = await ctx.db
    .selectFrom('pupil')
    .select(['id', 'legal_forename', 'legal_surname', 'preferred_forename', 'nc_year'])
    .where('id', '=', alert.pupilId)
    .executeTakeFirst();
  if (!pupil) return 'not_found';
  let yearStart: string;
  try {
    yearStart = ctx.calendar.academicYearStart(alert.eventDate);
  } catch {
    yearStart = addDays(alert.eventDate, -365);
  }
  const weekRows = await ctx.db
    .selectFrom('attendance_week')
    .select(['week_start', 'marks'])
    .where('pupil_id', '=', alert.pupilId)
    .where('week_start', '>=', mondayOf(yearStart))
    .where('week_start', '<=', today)
    .orderBy('week_start')
    .execute();
  const byWeek = new Map<string, string>();
  for (const w of weekRows) {
    // Two schools in one week (a move, dual registration): the first mark of each session wins.
    const known = byWeek.get(w.week_start);
    byWeek.set(w.week_start, known ? [...known].map((c, i) => (c === '.' ? w.marks[i]! : c)).join('') : w.marks);
  }
  const weeks = [...byWeek].map(([weekStart, marks]) => {
    const c = countSessions([{ weekStart, marks }]);
    return { weekStart, possible: c.possible, attended: c.present + c.aea };
  });
  const recentMarks = [...byWeek]
    .slice(-RECENT_MARK_WEEKS)
    .map(([weekStart, marks]) => ({ weekStart, codes: [...marks].map((c) => CODE_BY_CHAR.get(c)?.code ?? '-') }));
  const siblings = await ctx.db
    .selectFrom('exclusion_alert')
    .select(['id', 'rule', 'due_date', 'event_date', 'status'])
    .where('case_key', '=', row.case_key)
    .where('scope', '=', 'attendance')
    .orderBy('id')
    .execute();
  const duties = dutyViews(ctx, siblings.length ? siblings : [row], alert.schoolUrn, today, null).map((d) => {
    if (d.date) return d;
    // No statutory date: the card shows the day the threshold was reached.
    const event = (siblings.find((s) => s.id === d.alertId) ?? row).event_date;
    return event ? { ...d, label: 'Reached on', date: event, note: 'reached' } : d;
  });
  const schools = new Map((await ctx.db.selectFrom('school').select(['urn', 'name']).where('urn', '=', alert.schoolUrn).execute()).map((s) => [s.urn, s.name]));
  await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.read', command, pupilIds: [pupil.id] });
  const showNames = mayShowNames(actor);
  const forename = pupil.preferred_forename ?? pupil.legal_forename;
  const f = alert.facts;
  const facts: [string, string][] = [];
  if (f.yearRate !== undefined) facts.push(['Attendance this year', `${f.yearRate}%`]);
  if (f.windowRate !== undefined) facts.push([`Attendance since ${f.windowStart ?? 'four school weeks ago'}`, `${f.windowRate}% (below ${f.threshold}%)`]);
  if (f.consecutiveDays !== undefined) facts.push(['Consecutive school days unauthorised', String(f.consecutiveDays)]);
  if (f.illnessDays !== undefined) facts.push(['School days of illness this year', String(f.illnessDays)]);
  if (f.unauthorisedSessions !== undefined) facts.push([`Unauthorised sessions since ${f.windowStart ?? 'ten school weeks ago'}`, String(f.unauthorisedSessions)]);
  facts.push(['Episode began', alert.episodeStart]);
  const cohorts = alert.cohorts.map((c) => COHORT_LABELS[c]);
  if (alert.youthJustice) cohorts.push('Youth justice');
  const first = [...duties].sort((a, b) => RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule))[0];
  return {
    kind: 'attendance',
    ...common,
    title: first?.title ?? common.title,
    rule: alert.rule,
    pupilId: pupil.id,
    pupilLabel: showNames ? `${forename} ${pupil.legal_surname}` : initials(forename, pupil.legal_surname),
    yearGroup: yearLabel(pupil.nc_year),
    schoolName: schools.get(alert.schoolUrn) ?? `School ${alert.schoolUrn}`,
    cohorts,
    facts,
    weeks,
    recentMarks,
    duties,
    minimised: !showNames,
  };
}
