import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAccess } from '../audit/audit-log';
import { isIsoDate, todayInLondon } from '../calendar/dates';
import { ALERT_RULES } from './alert-rules';
import type { ExclusionAlert } from '../exclusions/alert-types';
import { caseworkEntries } from '../exclusions/casework-timeline';
import type { Actor } from '../identity/actor';
import { parseScope } from '../identity/scope';
import type { Database } from '../store/database';
import { recordIdSchema } from '../util/text-input';
import { userMaySee } from './alert-routing';
import { queueCaseUpdates } from './case-updates';
import { DUE_NOW, newOutboxRow } from './outbox';
import { mayReadPupils } from '../identity/role-policy';
import { alertViewFor, FIGURES_ONLY_MESSAGE, PLACEMENT_ROLES, type AlertView, type AlertViewContext } from './alert-view';
import { loadGeography, personalSubscriberKey } from './subscriptions';
import { checkPlacementFit } from '../places/placement-fields';
import { loadHubs, loadPlacementSpans, lockHub, savePlacement } from '../places/places-repository';

/**
 * Acknowledge, assign and snooze: each checks the button data with zod, checks the alert is inside
 * the actor's scope, records the action in alert_action and the audit log, bumps the alert's version
 * (so every copy of the card refreshes to the same state) and returns the updated view.
 */

export const alertRefSchema = z.object({ alertId: recordIdSchema() }).strip();
/** "Assign to me" sends to: 'me'; "Assign to colleague" sends the card's email input. */
const assignSchema = z
  .object({
    alertId: recordIdSchema(),
    to: z.literal('me').optional(),
    email: z.string().trim().max(200).optional(),
  })
  .strip()
  .refine((d) => d.to === 'me' || (d.email ?? '') !== '', { message: 'type a colleague’s email address', path: ['email'] });
const SNOOZE_CHOICES = [1, 3, 5] as const;
const snoozeSchema = z
  .object({
    alertId: recordIdSchema(),
    days: z.coerce.number().refine((d) => (SNOOZE_CHOICES as readonly number[]).includes(d), 'choose 1, 3 or 5 school days'),
  })
  .strip();

const placementSchema = z
  .object({
    alertId: recordIdSchema(),
    placedOn: z.string().refine(isIsoDate, 'choose the date the place starts'),
    /** An alternative provision hub from the card's list; 'elsewhere', '' or absent: a place not at a hub. */
    hubId: z.union([z.literal('elsewhere'), z.literal(''), recordIdSchema()]).optional(),
    placeKind: z.enum(['commissioned', 'transient']).optional(),
  })
  .strip();

export type ActionResult =
  | { ok: true; view: AlertView; message?: string }
  | {
      ok: false;
      message: string;
      /** A typed field was wrong: the unchanged alert, to show again with the message beside the field and the text kept. */
      field?: { name: 'email'; value: string; view: AlertView };
    };

export const ALERT_GONE = 'That alert is no longer available to you (it may be outside your scope).';

function problem(error: z.ZodError): ActionResult {
  const issue = error.issues[0]!;
  if (issue.path[0] === 'email') return { ok: false, message: `Please ${issue.message}, or choose "Assign to me".` };
  return { ok: false, message: `That button's data is not valid (${issue.path.join('.') || 'data'}: ${issue.message}).` };
}

function typedEmail(data: unknown): string {
  const email = data && typeof data === 'object' ? (data as { email?: unknown }).email : undefined;
  return typeof email === 'string' ? email.slice(0, 200) : '';
}

async function load(ctx: AlertViewContext, actor: Actor, alertId: number, command: string) {
  const result = await alertViewFor(ctx, actor, alertId, command);
  return result.ok ? result : undefined;
}

/** The refusal to show for a failed load: figures-only roles are told why. */
function refusal(actor: Actor): string {
  return mayReadPupils(actor.role, 'alert_card') ? ALERT_GONE : FIGURES_ONLY_MESSAGE;
}

async function bump(db: Kysely<Database>, alertId: number, set: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('exclusion_alert')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('id', '=', alertId)
    .execute();
}

function pupilIdsOf(alert: ExclusionAlert): number[] {
  return alert.scope !== 'district' ? [alert.pupilId] : [];
}

export async function acknowledgeAlert(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = alertRefSchema.safeParse(data);
  if (!parsed.success) return problem(parsed.error);
  const found = await load(ctx, actor, parsed.data.alertId, 'alert acknowledge');
  if (!found) return { ok: false, message: refusal(actor) };
  if (found.row.status !== 'acknowledged') {
    const now = ctx.clock.now().toISOString();
    await ctx.db.transaction().execute(async (trx) => {
      // Only the first acknowledgement counts; a second press (or a colleague's) changes nothing.
      const updated = await trx
        .updateTable('exclusion_alert')
        .set((eb) => ({ status: 'acknowledged', acknowledged_by: actor.user.id, acknowledged_at: now, version: eb('version', '+', 1) }))
        // One card per case: acknowledging it acknowledges every open duty on it.
        .where('case_key', '=', found.row.case_key)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return;
      await queueCaseUpdates(trx, [found.row.case_key], now);
      await trx.insertInto('alert_action').values({ alert_id: found.row.id, staff_user_id: actor.user.id, action: 'acknowledge', detail: null, at: now }).execute();
      await recordAccess(trx, ctx.clock, { actor, action: 'exclusion.acknowledge', command: 'alert acknowledge', pupilIds: pupilIdsOf(found.alert) });
    });
  }
  const after = await load(ctx, actor, found.row.id, 'alert acknowledge');
  return after ? { ok: true, view: after.view } : { ok: false, message: ALERT_GONE };
}

export async function assignAlert(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = assignSchema.safeParse(data);
  if (!parsed.success) {
    // An empty or over-long email: the same alert comes back with the problem beside the field.
    const ref = alertRefSchema.safeParse(data);
    const shown = parsed.error.issues[0]!.path[0] === 'email' && ref.success ? await load(ctx, actor, ref.data.alertId, 'alert assign') : undefined;
    const result = problem(parsed.error);
    return shown && !result.ok ? { ...result, field: { name: 'email', value: typedEmail(data), view: shown.view } } : result;
  }
  const found = await load(ctx, actor, parsed.data.alertId, 'alert assign');
  if (!found) return { ok: false, message: refusal(actor) };
  const emailProblem = (message: string): ActionResult => ({ ok: false, message, field: { name: 'email', value: parsed.data.email ?? '', view: found.view } });
  const to = parsed.data.to === 'me' ? 'me' : parsed.data.email!.toLowerCase();
  const assignee =
    to === 'me'
      ? actor.user
      : await ctx.db.selectFrom('staff_user').selectAll().where('email', '=', to).executeTakeFirst();
  if (!assignee) return emailProblem('Nobody with that email address uses the Inclusion Assistant.');
  let assigneeScope;
  try {
    assigneeScope = parseScope(assignee.scope);
  } catch {
    return emailProblem(`${assignee.name} cannot be given this alert (their access is not set up).`);
  }
  // The assignee will see the pupil: they must be allowed to.
  if (!userMaySee(assigneeScope, found.alert, await loadGeography(ctx.db))) {
    return emailProblem(`${assignee.name} cannot be given this alert: the pupil is outside their scope.`);
  }
  // A youth justice worker sees only the young people linked to them (issue 12).
  if (assignee.role === 'youth_justice_worker') {
    const linked =
      found.alert.scope === 'attendance' &&
      (await ctx.db.selectFrom('pupil_youth_justice_worker').select('pupil_id').where('pupil_id', '=', found.alert.pupilId).where('staff_user_id', '=', assignee.id).executeTakeFirst());
    if (!linked) return emailProblem(`${assignee.name} cannot be given this alert: the young person is not linked to them.`);
  }
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await bump(trx, found.row.id, { assigned_to: assignee.id, assigned_at: now });
    await trx.insertInto('alert_action').values({ alert_id: found.row.id, staff_user_id: actor.user.id, action: 'assign', detail: String(assignee.id), at: now }).execute();
    await recordAccess(trx, ctx.clock, { actor, action: 'exclusion.assign', command: 'alert assign', pupilIds: pupilIdsOf(found.alert) });
    if (assignee.id !== actor.user.id) {
      // Tell the assignee in their personal chat, through the outbox like any alert.
      await trx
        .insertInto('alert_outbox')
        .values(outboxRow(found.row.id, `${found.row.dedupe_key}>user:${assignee.id}>assigned:${now}`, assignee.id, 'assigned', DUE_NOW, now))
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .execute();
    }
  });
  const after = await load(ctx, actor, found.row.id, 'alert assign');
  return after ? { ok: true, view: after.view, message: assignee.id === actor.user.id ? undefined : `Assigned to ${assignee.name}; they have been told.` } : { ok: false, message: ALERT_GONE };
}

export async function snoozeAlert(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = snoozeSchema.safeParse(data);
  if (!parsed.success) return problem(parsed.error);
  const found = await load(ctx, actor, parsed.data.alertId, 'alert snooze');
  if (!found) return { ok: false, message: refusal(actor) };
  const today = todayInLondon(ctx.clock);
  const until = ctx.calendar.addSchoolDays(today, parsed.data.days);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await bump(trx, found.row.id, { snoozed_until: until });
    await trx.insertInto('alert_action').values({ alert_id: found.row.id, staff_user_id: actor.user.id, action: 'snooze', detail: until, at: now }).execute();
    await recordAccess(trx, ctx.clock, { actor, action: 'exclusion.snooze', command: 'alert snooze', pupilIds: pupilIdsOf(found.alert) });
    // The reminder goes to whoever snoozed it, at 08:00 London time (07:00 UTC in winter) on that school day.
    await trx
      .insertInto('alert_outbox')
      .values(outboxRow(found.row.id, `${found.row.dedupe_key}>user:${actor.user.id}>reminder:${until}`, actor.user.id, 'reminder', `${until}T07:00:00.000Z`, now))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
  });
  const after = await load(ctx, actor, found.row.id, 'alert snooze');
  return after ? { ok: true, view: after.view, message: `Snoozed: I will remind you on ${until}.` } : { ok: false, message: ALERT_GONE };
}

/**
 * Records the new full-time place of a permanently excluded pupil (the authority's day-6 duty), which
 * stops the "no placement recorded" alert. LA roles only.
 */
export async function recordPlacement(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = placementSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: issue.path[0] === 'placedOn' ? 'Please choose the date the place starts.' : 'That button is out of date.' };
  }
  if (!PLACEMENT_ROLES.includes(actor.role)) return { ok: false, message: 'Placements are recorded by the local authority.' };
  const found = await load(ctx, actor, parsed.data.alertId, 'alert placement');
  if (!found || found.alert.scope !== 'pupil') return { ok: false, message: ALERT_GONE };
  const exclusion = await ctx.db.selectFrom('exclusion').select(['id', 'category', 'start_date']).where('id', '=', found.alert.exclusionId).executeTakeFirst();
  if (!exclusion || exclusion.category !== 'PERM') return { ok: false, message: 'A placement is recorded for a permanent exclusion only.' };
  if (parsed.data.placedOn < exclusion.start_date) return { ok: false, message: 'The place cannot start before the exclusion.' };
  const hubId = parsed.data.hubId === 'elsewhere' || parsed.data.hubId === '' || parsed.data.hubId === undefined ? null : Number(parsed.data.hubId);
  const pupilId = found.alert.pupilId;
  const now = ctx.clock.now().toISOString();
  const refused = await ctx.db.transaction().execute(async (trx) => {
    if (hubId !== null) {
      // A place at a hub: it must take the pupil's phase and have a place of the kind free (issue 12).
      await lockHub(trx, hubId);
      const hub = (await loadHubs(trx)).find((h) => h.id === hubId);
      if (!hub) return 'That hub is no longer listed: refresh the card and choose again.';
      const pupil = await trx.selectFrom('pupil').select('nc_year').where('id', '=', pupilId).executeTakeFirstOrThrow();
      const placement = { start: parsed.data.placedOn, end: null, kind: parsed.data.placeKind ?? 'transient' } as const;
      const misfit = checkPlacementFit(hub, pupil.nc_year, placement, await loadPlacementSpans(trx, placement.start));
      if (misfit) return `Not recorded: ${misfit.message}.`;
      await savePlacement(trx, { hubId, pupilId, ...placement, source: `card:${actor.user.id}` }, now);
    }
    await trx
      .insertInto('exclusion_placement')
      .values({ exclusion_id: exclusion.id, placed_on: parsed.data.placedOn, recorded_by: actor.user.id, recorded_at: now })
      .onConflict((oc) => oc.column('exclusion_id').doUpdateSet({ placed_on: parsed.data.placedOn, recorded_by: actor.user.id, recorded_at: now }))
      .execute();
    await bump(trx, found.row.id, {});
    // The placement meets the case's day-6 duties: cards already sent show it.
    await queueCaseUpdates(trx, [found.row.case_key], now);
    await trx.insertInto('alert_action').values({ alert_id: found.row.id, staff_user_id: actor.user.id, action: 'placement', detail: parsed.data.placedOn, at: now }).execute();
    await recordAccess(trx, ctx.clock, { actor, action: 'exclusion.placement', command: 'alert placement', pupilIds: pupilIdsOf(found.alert) });
    return undefined;
  });
  if (refused) return { ok: false, message: refused };
  const after = await load(ctx, actor, found.row.id, 'alert placement');
  return after ? { ok: true, view: after.view, message: 'Placement recorded.' } : { ok: false, message: ALERT_GONE };
}

function outboxRow(alertId: number, dedupeKey: string, staffUserId: number, kind: string, due: string, now: string) {
  return newOutboxRow({ dedupeKey, alertId, subscriberKey: personalSubscriberKey(staffUserId), staffUserId, conversationId: null, kind, due, createdAt: now });
}

export interface TimelineEntry {
  date: string;
  text: string;
}

export interface TimelineView {
  pupilLabel: string;
  yearGroup: string;
  entries: TimelineEntry[];
}

/** The pupil's exclusions and alerts this academic year, for the card's "Open timeline" button. */
export async function alertTimeline(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<{ ok: true; view: TimelineView } | { ok: false; message: string }> {
  const parsed = alertRefSchema.safeParse(data);
  if (!parsed.success) return problem(parsed.error) as { ok: false; message: string };
  if (!mayReadPupils(actor.role, 'alert_timeline')) return { ok: false, message: FIGURES_ONLY_MESSAGE };
  const found = await load(ctx, actor, parsed.data.alertId, 'alert timeline');
  if (!found || found.view.kind !== 'pupil') return { ok: false, message: found ? 'This alert is about a district, not a pupil.' : ALERT_GONE };
  const since = ctx.calendar.academicYearStart(todayInLondon(ctx.clock));
  const pupilId = found.view.pupilId;
  const [exclusions, alerts, schools] = await Promise.all([
    ctx.db
      .selectFrom('exclusion')
      .select(['id', 'start_date', 'category', 'sessions', 'school_urn', 'reasons', 'decision_date', 'outcome', 'outcome_date', 'outcome_by'])
      .where('pupil_id', '=', pupilId)
      .where('start_date', '>=', since)
      .orderBy('start_date')
      .execute(),
    ctx.db.selectFrom('exclusion_alert').select(['created_at', 'rule', 'status']).where('pupil_id', '=', pupilId).where('created_at', '>=', since).orderBy('created_at').execute(),
    ctx.db.selectFrom('school').select(['urn', 'name']).execute(),
  ]);
  const schoolName = new Map(schools.map((s) => [s.urn, s.name]));
  const entries: TimelineEntry[] = [
    ...exclusions.map((e) => ({
      date: e.start_date,
      text: `${e.category === 'PERM' ? 'Permanent exclusion' : e.category === 'LUNC' ? `Lunchtime suspension (${e.sessions})` : `Suspension, ${e.sessions / 2} days`} at ${schoolName.get(e.school_urn) ?? e.school_urn} (${e.reasons.replace(/;/g, ', ')})`,
    })),
    ...alerts.map((a) => ({ date: a.created_at.slice(0, 10), text: `Alert: ${ALERT_RULES[a.rule as keyof typeof ALERT_RULES]?.title ?? a.rule}${a.status === 'acknowledged' ? ' (acknowledged)' : ''}` })),
    ...(await caseworkEntries(ctx.db, exclusions)),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { ok: true, view: { pupilLabel: found.view.pupilLabel, yearGroup: found.view.yearGroup, entries } };
}
