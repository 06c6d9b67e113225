import { sql, type Kysely } from 'kysely';
import { recordAccess } from '../audit/audit-log';
import { addDays, mondayOf, todayInLondon } from '../calendar/dates';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { Clock } from '../clock';
import { ALERT_RULES, type ExclusionAlert } from '../exclusions/alert-types';
import { mayShowNames, type Actor } from '../identity/actor';
import { schoolInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import { pupilsVisibleThroughExclusions } from '../exclusions/exclusion-roll';
import { userMaySee } from './alert-routing';
import './alert-schema';
import { loadGeography } from './subscriptions';

/**
 * The weekly summary for one viewer: new exclusions in their scope over the last seven days, open
 * deadlines, alerts nobody has acknowledged after two school days, and this week's
 * disproportionality flags. Scheduled on Mondays and on demand with `alerts digest`.
 */

export const OVERDUE_ACK_SCHOOL_DAYS = 2;
const LIST_LIMIT = 8;

export interface DigestItem {
  alertId: number;
  title: string;
  who: string;
  due: string | null;
  schoolDaysLeft: number | null;
}

export interface DigestView {
  periodStart: string;
  periodEnd: string;
  scopeLabel: string;
  newExclusions: { suspensions: number; lunchtimes: number; permanent: number };
  openDeadlines: { count: number; items: DigestItem[] };
  unacknowledged: { count: number; items: DigestItem[] };
  disproportionality: string[];
}

export interface DigestContext {
  db: Kysely<Database>;
  clock: Clock;
  calendar: SchoolCalendar;
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

  // Alerts at schools in scope (the query narrows; userMaySee re-checks each payload).
  const open = await ctx.db
    .selectFrom('exclusion_alert')
    .leftJoin('school', 'school.urn', 'exclusion_alert.school_urn')
    .select(['exclusion_alert.id', 'exclusion_alert.rule', 'exclusion_alert.payload', 'exclusion_alert.due_date', 'exclusion_alert.created_at', 'exclusion_alert.pupil_id', 'exclusion_alert.status', 'exclusion_alert.scope'])
    .where('exclusion_alert.scope', '=', 'pupil')
    .where('exclusion_alert.status', '=', 'open')
    .where(schoolInScope(actor.scope))
    .orderBy('exclusion_alert.due_date')
    .orderBy('exclusion_alert.id')
    .limit(500)
    .execute();
  const geo = await loadGeography(ctx.db);
  const inScope = open.filter((r) => userMaySee(actor.scope, JSON.parse(r.payload) as ExclusionAlert, geo));
  // Only pupils of schools in scope (exclusions/exclusion-roll.ts), whatever school a stored row names.
  const linked = await pupilsVisibleThroughExclusions(
    ctx.db,
    actor.scope,
    inScope.map((r) => {
      const a = JSON.parse(r.payload) as ExclusionAlert & { scope: 'pupil' };
      return { pupilId: a.pupilId, schoolUrn: a.schoolUrn, startDate: a.eventDate };
    }),
    today,
  );
  const visible = inScope.filter((_, i) => linked[i]);
  const pupilIds = [...new Set(visible.map((r) => r.pupil_id).filter((p): p is number => p !== null))];
  const pupils = new Map<number, { label: string }>();
  const showNames = mayShowNames(actor);
  for (let i = 0; i < pupilIds.length; i += 500) {
    const rows = await ctx.db
      .selectFrom('pupil')
      .select(['id', 'legal_forename', 'legal_surname', 'preferred_forename', 'nc_year'])
      .where('id', 'in', pupilIds.slice(i, i + 500))
      .execute();
    for (const p of rows) {
      const forename = p.preferred_forename ?? p.legal_forename;
      pupils.set(p.id, { label: showNames ? `${forename} ${p.legal_surname}` : `${forename[0] ?? '?'}${p.legal_surname[0] ?? '?'} (Y${p.nc_year})` });
    }
  }
  const item = (r: (typeof visible)[number]): DigestItem => {
    let left: number | null = null;
    if (r.due_date) {
      try {
        left = ctx.calendar.schoolDaysBetween(today, r.due_date);
      } catch {
        left = null;
      }
    }
    return {
      alertId: r.id,
      title: ALERT_RULES[r.rule as keyof typeof ALERT_RULES]?.title ?? r.rule,
      who: r.pupil_id !== null ? (pupils.get(r.pupil_id)?.label ?? 'a pupil') : '',
      due: r.due_date,
      schoolDaysLeft: left,
    };
  };
  const deadlines = visible.filter((r) => r.due_date !== null && r.due_date >= today);
  let ackCutoff: string;
  try {
    ackCutoff = ctx.calendar.schoolDays(addDays(today, -30), today).slice(-OVERDUE_ACK_SCHOOL_DAYS - 1)[0] ?? today;
  } catch {
    ackCutoff = addDays(today, -OVERDUE_ACK_SCHOOL_DAYS);
  }
  const unacknowledged = visible.filter((r) => r.created_at.slice(0, 10) < ackCutoff);

  const week = mondayOf(today);
  const flags = await ctx.db.selectFrom('exclusion_alert').select(['payload']).where('rule', '=', 'disproportionality').where('event_date', '=', week).execute();
  const disproportionality = flags
    .map((f) => JSON.parse(f.payload) as ExclusionAlert)
    .filter((a) => a.scope === 'district' && userMaySee(actor.scope, a, geo))
    .map((a) => {
      if (a.scope !== 'district') return '';
      const group = a.group.kind === 'ethnicity' ? a.group.code : a.group.kind === 'sen' ? 'SEN' : 'FSM';
      return `${geo.districtNames.get(a.districtId) ?? 'District'}: ${group} suspended at ${a.ratio === null ? 'a rate where others had none' : `${a.ratio}x the rate of others`}`;
    });

  const listed = [...deadlines.slice(0, LIST_LIMIT), ...unacknowledged.slice(0, LIST_LIMIT)];
  await recordAccess(ctx.db, ctx.clock, { actor, action: 'pupil.list', command, pupilIds: listed.map((r) => r.pupil_id).filter((p): p is number => p !== null) });
  return {
    periodStart: from,
    periodEnd: today,
    scopeLabel,
    newExclusions: { suspensions: count('SUSP'), lunchtimes: count('LUNC'), permanent: count('PERM') },
    openDeadlines: { count: deadlines.length, items: deadlines.slice(0, LIST_LIMIT).map(item) },
    unacknowledged: { count: unacknowledged.length, items: unacknowledged.slice(0, LIST_LIMIT).map(item) },
    disproportionality,
  };
}
