import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { addDays, mondayOf, todayInLondon } from '../calendar/dates';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { Clock } from '../clock';
import { ETHNICITY_CODES } from '../domain/dfe-codes';
import { ALERT_RULES, dueKindOf, type DueKind } from './alert-rules';
import { dueStillCountsSql, metByPlacementSql, rankingDueDateSql } from './due-state';
import type { DistrictAlert, ExclusionAlert } from '../exclusions/alert-types';
import { resolveRuleSettings } from '../exclusions/rule-settings';
import { mayShowNames, type Actor } from '../identity/actor';
import { mayReadPupils } from '../identity/role-policy';
import { schoolInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import { pupilsVisibleThroughExclusions } from '../exclusions/exclusion-roll';
import { userMaySee } from './alert-routing';
import { loadGeography } from './subscriptions';
import { IDS_PER_QUERY } from '../store/batches';

/**
 * The weekly summary for one viewer: new exclusions in their scope over the last seven days, open
 * and past-due deadlines, alerts nobody has acknowledged after two school days, and this week's
 * disproportionality flags. Scheduled on Mondays and on demand with `alerts digest`. Also the
 * "what is open now" summary card and the `alerts list` pages.
 *
 * Every count is one COUNT query over the same conditions as its list (never the length of a
 * capped row list), so the numbers match the store on SQLite and PostgreSQL alike. Figures-only
 * roles (see services/identity/role-policy.ts) get the counts and no pupil rows.
 */

const OVERDUE_ACK_SCHOOL_DAYS = 2;
const LIST_LIMIT = 8;
/** "Due soon" on the summary card: within a school week. */
const DUE_SOON_SCHOOL_DAYS = 5;
export const LIST_PAGE_SIZE = 15;

export interface DigestItem {
  alertId: number;
  title: string;
  /** Pupil label (name 1:1, initials elsewhere). */
  who: string;
  schoolName: string;
  due: string | null;
  schoolDaysLeft: number | null;
  /** A window (parents' review) reads "window closed" once past, never "overdue". */
  dueKind: DueKind;
}

export interface DigestView {
  periodStart: string;
  periodEnd: string;
  scopeLabel: string;
  newExclusions: { suspensions: number; lunchtimes: number; permanent: number };
  openDeadlines: { count: number; items: DigestItem[] };
  pastDue: { count: number; items: DigestItem[] };
  unacknowledged: { count: number; items: DigestItem[] };
  disproportionality: string[];
  /** Exclusions the authority heard of late this week, per school in scope (most first): the reg 5 fault a school fixes. */
  lateReports: LateReportCount[];
  /** Attendance alerts raised this week (issue 12), per kind, in the viewer's scope: counts only. */
  attendance: AttendanceAlertCount[];
  /** True when the viewer's role sees figures only: counts without pupil rows. */
  figuresOnly: boolean;
}

export interface AttendanceAlertCount {
  rule: string;
  title: string;
  count: number;
}

export interface LateReportCount {
  schoolName: string;
  count: number;
}

export interface DigestContext {
  db: Kysely<Database>;
  clock: Clock;
  calendar: SchoolCalendar;
}

type AlertQuery = SelectQueryBuilder<Database & { s: Database['school'] }, 'exclusion_alert' | 's', object>;

/**
 * Open pupil alerts at schools inside the viewer's scope: the one base every count and list uses.
 * A duty met by a recorded placement is not open (the card shows it done), so it is in no count.
 */
function openAlerts(db: Kysely<Database>, actor: Actor): AlertQuery {
  return db
    .selectFrom('exclusion_alert')
    .innerJoin('school as s', 's.urn', 'exclusion_alert.school_urn')
    .where('exclusion_alert.scope', '=', 'pupil')
    .where('exclusion_alert.status', '=', 'open')
    .where(sql<SqlBool>`not ${metByPlacementSql()}`)
    .where(schoolInScope(actor.scope, 's'))
    // The pupil must belong (or have belonged) to a school in scope too: a stored row naming
    // another school's pupil is neither counted nor listed for the school it names.
    .where(
      actor.scope.county
        ? sql<SqlBool>`1 = 1`
        : sql<SqlBool>`exists (select 1 from enrolment en inner join school es on es.urn = en.school_urn where en.pupil_id = exclusion_alert.pupil_id and ${schoolInScope(actor.scope, 'es')})`,
    ) as unknown as AlertQuery;
}

async function countOf(query: AlertQuery, distinctCases = false): Promise<number> {
  const row = await query
    .select(distinctCases ? sql<number>`count(distinct exclusion_alert.case_key)`.as('n') : sql<number>`count(*)`.as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

interface ItemRow {
  id: number;
  rule: string;
  pupil_id: number | null;
  due_date: string | null;
  event_date: string;
  school_name: string;
  school_urn: number | null;
}

/** Past due: a duty whose date has passed (a closed window is not: nobody missed it). */
function pastDueOf(query: AlertQuery, today: string): AlertQuery {
  return query.where('exclusion_alert.due_date', '<', today).where(dueStillCountsSql(today));
}

function rowsOf(query: AlertQuery, today: string, limit: number, offset = 0): Promise<ItemRow[]> {
  const rankDue = rankingDueDateSql(today);
  return (
    query
      .select(['exclusion_alert.id', 'exclusion_alert.rule', 'exclusion_alert.pupil_id', 'exclusion_alert.due_date', 'exclusion_alert.event_date', 'exclusion_alert.school_urn', 's.name as school_name'])
      // Dated first, soonest (most overdue) first, closed windows with the undated; portable
      // (SQLite and PostgreSQL order nulls differently).
      .orderBy(sql`case when ${rankDue} is null then 1 else 0 end`)
      .orderBy(rankDue)
      .orderBy('exclusion_alert.id')
      .limit(limit)
      .offset(offset)
      .execute() as Promise<ItemRow[]>
  );
}

async function pupilLabels(db: Kysely<Database>, actor: Actor, ids: readonly number[]): Promise<Map<number, string>> {
  const labels = new Map<number, string>();
  const showNames = mayShowNames(actor);
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await db.selectFrom('pupil').select(['id', 'legal_forename', 'legal_surname', 'preferred_forename', 'nc_year']).where('id', 'in', ids.slice(i, i + IDS_PER_QUERY)).execute();
    for (const p of rows) {
      const forename = p.preferred_forename ?? p.legal_forename;
      labels.set(p.id, showNames ? `${forename} ${p.legal_surname}` : `${forename[0] ?? '?'}${p.legal_surname[0] ?? '?'} (Y${p.nc_year})`);
    }
  }
  return labels;
}

function daysLeft(calendar: SchoolCalendar, today: string, due: string | null, urn: number | null): number | null {
  if (!due) return null;
  try {
    return calendar.schoolDaysBetween(today, due, urn ?? undefined);
  } catch {
    return null;
  }
}

/** Turns rows into items, reading pupil labels (audited) only for roles that may see pupils. */
async function itemsOf(ctx: DigestContext, actor: Actor, rows: readonly ItemRow[], today: string): Promise<DigestItem[]> {
  // A pupil is named only through a school the pupil belongs to (exclusions/exclusion-roll.ts),
  // whatever school a stored row names; other rows still count, as "a pupil".
  const visible = await pupilsVisibleThroughExclusions(
    ctx.db,
    actor.scope,
    rows.map((r) => ({ pupilId: r.pupil_id ?? 0, schoolUrn: r.school_urn ?? 0, startDate: r.event_date })),
    today,
  );
  const ids = [...new Set(rows.filter((r, i) => r.pupil_id !== null && visible[i]).map((r) => r.pupil_id as number))];
  const labels = ids.length ? await pupilLabels(ctx.db, actor, ids) : new Map<number, string>();
  return rows.map((r, i) => ({
    alertId: r.id,
    title: ALERT_RULES[r.rule as keyof typeof ALERT_RULES]?.title ?? r.rule,
    who: r.pupil_id !== null ? ((visible[i] && labels.get(r.pupil_id)) || 'a pupil') : '',
    schoolName: r.school_name,
    due: r.due_date,
    schoolDaysLeft: daysLeft(ctx.calendar, today, r.due_date, r.school_urn),
    dueKind: dueKindOf(r.rule),
  }));
}

function ackCutoffFor(calendar: SchoolCalendar, today: string): string {
  try {
    return calendar.schoolDays(addDays(today, -30), today).slice(-OVERDUE_ACK_SCHOOL_DAYS - 1)[0] ?? today;
  } catch {
    return addDays(today, -OVERDUE_ACK_SCHOOL_DAYS);
  }
}

/** "Gypsy/Roma", "Pupils with SEN": words a manager reads, never a DfE code. */
function groupWords(group: DistrictAlert['group']): string {
  if (group.kind === 'sen') return 'Pupils with SEN';
  if (group.kind === 'fsm') return 'Pupils eligible for free school meals';
  return ETHNICITY_CODES[group.code as keyof typeof ETHNICITY_CODES] ?? 'Another ethnic group';
}

/**
 * One line per flag, with the counts beside the ratio. Groups smaller than the minimum are left
 * out: with a handful of pupils a rate identifies children (small-number disclosure) and means little.
 */
function disproportionalityLine(alert: DistrictAlert, districtName: string, minGroupPupils: number): string | null {
  if (alert.groupPupils < minGroupPupils) return null;
  const ratio = alert.ratio === null ? 'others had none' : `${alert.ratio}x the rate of others`;
  return `${districtName}: ${groupWords(alert.group)}, ${alert.groupSuspensions} suspensions among ${alert.groupPupils} pupils (${alert.groupRate} per 100; ${ratio}, ${alert.restSuspensions} among ${alert.restPupils})`;
}

/**
 * Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 (the head tells the authority without delay).
 * Exclusions reported to the authority in the period (by the day it heard) that the `reported_late`
 * rule found late, one COUNT per school in the viewer's scope. Acknowledging the alert does not make
 * the report any less late, so every status counts.
 */
async function lateReportsBySchool(db: Kysely<Database>, actor: Actor, from: string, to: string): Promise<LateReportCount[]> {
  const rows = await db
    .selectFrom('exclusion_alert')
    .innerJoin('exclusion', 'exclusion.id', 'exclusion_alert.exclusion_id')
    .innerJoin('school as s', 's.urn', 'exclusion_alert.school_urn')
    .select(['s.urn', 's.name', sql<number>`count(distinct exclusion.id)`.as('n')])
    .where('exclusion_alert.rule', '=', 'reported_late')
    .where('exclusion_alert.scope', '=', 'pupil')
    .where('exclusion.notified_date', '>=', from)
    .where('exclusion.notified_date', '<=', to)
    .where(schoolInScope(actor.scope, 's'))
    .groupBy(['s.urn', 's.name'])
    .execute();
  return rows
    .map((r) => ({ schoolName: r.name, count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || a.schoolName.localeCompare(b.schoolName));
}

/**
 * Attendance alerts whose rule fired in the period (by the school day it fired), one COUNT per kind,
 * at schools in the viewer's scope; a youth justice worker counts only the young people linked to them.
 */
async function attendanceAlertCounts(db: Kysely<Database>, actor: Actor, from: string, to: string): Promise<AttendanceAlertCount[]> {
  let query = db
    .selectFrom('exclusion_alert')
    .innerJoin('school as s', 's.urn', 'exclusion_alert.school_urn')
    .select(['exclusion_alert.rule', sql<number>`count(*)`.as('n')])
    .where('exclusion_alert.scope', '=', 'attendance')
    .where('exclusion_alert.event_date', '>=', from)
    .where('exclusion_alert.event_date', '<=', to)
    .where(schoolInScope(actor.scope, 's'));
  if (actor.role === 'youth_justice_worker') {
    query = query.where(
      sql<SqlBool>`exists (select 1 from pupil_youth_justice_worker l where l.pupil_id = exclusion_alert.pupil_id and l.staff_user_id = ${actor.user.id})`,
    );
  }
  const rows = await query.groupBy('exclusion_alert.rule').execute();
  const order = Object.keys(ALERT_RULES);
  return rows
    .map((r) => ({ rule: r.rule, title: ALERT_RULES[r.rule as keyof typeof ALERT_RULES]?.title ?? r.rule, count: Number(r.n) }))
    .sort((a, b) => order.indexOf(a.rule) - order.indexOf(b.rule));
}

export async function buildDigest(ctx: DigestContext, actor: Actor, scopeLabel: string, command: string): Promise<DigestView> {
  const today = todayInLondon(ctx.clock);
  const from = addDays(today, -6);
  const counts = await ctx.db
    .selectFrom('exclusion')
    .innerJoin('school', 'school.urn', 'exclusion.school_urn')
    .select(['exclusion.category', sql<number>`count(*)`.as('n')])
    .where('exclusion.start_date', '>=', from)
    .where('exclusion.start_date', '<=', today)
    .where(schoolInScope(actor.scope))
    .groupBy('exclusion.category')
    .execute();
  const count = (c: string) => Number(counts.find((r) => r.category === c)?.n ?? 0);

  const deadlines = () => openAlerts(ctx.db, actor).where('exclusion_alert.due_date', '>=', today);
  const pastDue = () => pastDueOf(openAlerts(ctx.db, actor), today);
  const ackCutoff = ackCutoffFor(ctx.calendar, today);
  const unacknowledged = () => openAlerts(ctx.db, actor).where('exclusion_alert.created_at', '<', ackCutoff);
  const [deadlineCount, pastDueCount, unackCount] = await Promise.all([countOf(deadlines()), countOf(pastDue()), countOf(unacknowledged())]);

  const pupils = mayReadPupils(actor.role, 'alert_digest');
  let lists: [DigestItem[], DigestItem[], DigestItem[]] = [[], [], []];
  if (pupils) {
    const [a, b, c] = await Promise.all([rowsOf(deadlines(), today, LIST_LIMIT), rowsOf(pastDue(), today, LIST_LIMIT), rowsOf(unacknowledged(), today, LIST_LIMIT)]);
    lists = [await itemsOf(ctx, actor, a, today), await itemsOf(ctx, actor, b, today), await itemsOf(ctx, actor, c, today)];
    const listed = [...a, ...b, ...c].map((r) => r.pupil_id).filter((p): p is number => p !== null);
    if (listed.length) await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.list', command, pupilIds: [...new Set(listed)] });
  }

  const geo = await loadGeography(ctx.db);
  const minGroup = resolveRuleSettings().disproportionalityMinGroupPupils;
  const week = mondayOf(today);
  const flags = await ctx.db.selectFrom('exclusion_alert').select(['payload']).where('rule', '=', 'disproportionality').where('event_date', '=', week).orderBy('id').execute();
  const disproportionality = flags
    .map((f) => JSON.parse(f.payload) as ExclusionAlert)
    .filter((a): a is DistrictAlert => a.scope === 'district' && userMaySee(actor.scope, a, geo))
    .map((a) => disproportionalityLine(a, geo.districtNames.get(a.districtId) ?? 'District', minGroup))
    .filter((l): l is string => l !== null);
  const lateReports = await lateReportsBySchool(ctx.db, actor, from, today);
  const attendance = await attendanceAlertCounts(ctx.db, actor, from, today);

  return {
    periodStart: from,
    periodEnd: today,
    scopeLabel,
    newExclusions: { suspensions: count('SUSP'), lunchtimes: count('LUNC'), permanent: count('PERM') },
    openDeadlines: { count: deadlineCount, items: lists[0] },
    pastDue: { count: pastDueCount, items: lists[1] },
    unacknowledged: { count: unackCount, items: lists[2] },
    disproportionality,
    lateReports,
    attendance,
    figuresOnly: !pupils,
  };
}

export interface OpenSummaryView {
  scopeLabel: string;
  /** Open cases (a pupil's exclusion with every duty on it), not single duties. */
  openCases: number;
  pastDueCases: number;
  dueSoonCases: number;
  /** The most urgent open duties (empty for figures-only roles). */
  items: DigestItem[];
  figuresOnly: boolean;
}

/** "What is open now": the card that stands for everything not sent one card at a time. */
export async function buildOpenSummary(ctx: DigestContext, actor: Actor, scopeLabel: string, command: string): Promise<OpenSummaryView> {
  const today = todayInLondon(ctx.clock);
  let soon: string;
  try {
    soon = ctx.calendar.addSchoolDays(today, DUE_SOON_SCHOOL_DAYS);
  } catch {
    soon = addDays(today, 7);
  }
  const [openCases, pastDueCases, dueSoonCases] = await Promise.all([
    countOf(openAlerts(ctx.db, actor), true),
    countOf(pastDueOf(openAlerts(ctx.db, actor), today), true),
    countOf(openAlerts(ctx.db, actor).where('exclusion_alert.due_date', '>=', today).where('exclusion_alert.due_date', '<=', soon), true),
  ]);
  const pupils = mayReadPupils(actor.role, 'alert_digest');
  let items: DigestItem[] = [];
  if (pupils) {
    const rows = await rowsOf(openAlerts(ctx.db, actor), today, LIST_LIMIT);
    items = await itemsOf(ctx, actor, rows, today);
    const ids = rows.map((r) => r.pupil_id).filter((p): p is number => p !== null);
    if (ids.length) await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.list', command, pupilIds: [...new Set(ids)] });
  }
  return { scopeLabel, openCases, pastDueCases, dueSoonCases, items, figuresOnly: !pupils };
}

export interface OpenListPage {
  page: number;
  pages: number;
  total: number;
  items: DigestItem[];
  figuresOnly: boolean;
}

/** `alerts list [page]`: every open duty in scope, most urgent first, a page at a time, with school names. */
export async function listOpenAlerts(ctx: DigestContext, actor: Actor, page: number, command: string): Promise<OpenListPage> {
  const today = todayInLondon(ctx.clock);
  const total = await countOf(openAlerts(ctx.db, actor));
  const pages = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  if (!mayReadPupils(actor.role, 'alerts_list')) return { page: current, pages, total, items: [], figuresOnly: true };
  const rows = await rowsOf(openAlerts(ctx.db, actor), today, LIST_PAGE_SIZE, (current - 1) * LIST_PAGE_SIZE);
  const items = await itemsOf(ctx, actor, rows, today);
  const ids = rows.map((r) => r.pupil_id).filter((p): p is number => p !== null);
  if (ids.length) await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.list', command, pupilIds: [...new Set(ids)] });
  return { page: current, pages, total, items, figuresOnly: false };
}
