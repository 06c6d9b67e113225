import { z } from 'zod';
import { todayInLondon } from '../calendar/dates';
import { checkCasework } from '../exclusions/casework-fields';
import { EXCLUSION_OUTCOMES, GOVERNORS_DECISIONS, OUTCOME_BY } from '../exclusions/casework-schema';
import { applyReviewSteps, reviewStepsSchema } from '../exclusions/exclusion-review';
import { closeAlertsForOutcomes } from '../exclusions/exclusion-outcomes';
import { queuePupilsForRules } from '../exclusions/exclusion-repository';
import type { Actor } from '../identity/actor';
import { ALERT_GONE, type ActionResult } from './alert-actions';
import { alertViewFor, PLACEMENT_ROLES, type AlertViewContext } from './alert-view';

/**
 * "Record outcome" on an alert card (issue 9): an LA role records that the exclusion was withdrawn,
 * cancelled or the pupil reinstated. The exclusion's open alerts close and their deadlines stop, the
 * pupil's rules run again (later totals change), and the action is audited, all in one transaction.
 */

const outcomeSchema = z
  .object({
    alertId: z.coerce.number().int().positive(),
    outcome: z.enum(EXCLUSION_OUTCOMES as [string, ...string[]]),
    outcomeBy: z.enum(OUTCOME_BY as [string, ...string[]]).optional(),
    outcomeDate: z.string(),
  })
  .strip();

export async function recordOutcome(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = outcomeSchema.safeParse(data);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]!.path[0] ?? 'data');
    return { ok: false, message: field === 'alertId' ? 'That button is out of date.' : `Please choose the ${field === 'outcomeDate' ? 'date' : field === 'outcomeBy' ? 'person who decided' : 'outcome'}.` };
  }
  if (!PLACEMENT_ROLES.includes(actor.role)) return { ok: false, message: 'Outcomes are recorded by the local authority.' };
  const found = await alertViewFor(ctx, actor, parsed.data.alertId, 'alert outcome');
  if (!found.ok || found.alert.scope !== 'pupil') return { ok: false, message: ALERT_GONE };
  const alert = found.alert;
  const exclusion = await ctx.db.selectFrom('exclusion').select(['id', 'category', 'start_date', 'outcome']).where('id', '=', alert.exclusionId).executeTakeFirst();
  if (!exclusion) return { ok: false, message: ALERT_GONE };
  if (exclusion.outcome) return { ok: false, message: `This exclusion is already recorded as ${exclusion.outcome}.` };
  const problems: string[] = [];
  const record = checkCasework(
    { outcome: parsed.data.outcome, outcome_date: parsed.data.outcomeDate, outcome_by: parsed.data.outcomeBy },
    { today: todayInLondon(ctx.clock), category: exclusion.category, start: exclusion.start_date },
    (field, message) => problems.push(`${field.replace('_', ' ')} ${message}`),
  );
  if (problems.length > 0 || !record.outcome) return { ok: false, message: `Not recorded: ${problems[0] ?? 'the outcome is incomplete'}.` };
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('exclusion').set({ outcome: record.outcome, outcome_date: record.outcome_date, outcome_by: record.outcome_by }).where('id', '=', exclusion.id).execute();
    await closeAlertsForOutcomes(trx, [{ id: exclusion.id, pupilId: alert.pupilId }], 'alert outcome', now, actor.user.id);
    await queuePupilsForRules(trx, [alert.pupilId], now);
  });
  const after = await alertViewFor(ctx, actor, parsed.data.alertId, 'alert outcome');
  return after.ok ? { ok: true, view: after.view, message: `Recorded as ${record.outcome}: its alerts are closed.` } : { ok: false, message: ALERT_GONE };
}

const governorsDecisionSchema = z
  .object({
    alertId: z.coerce.number().int().positive(),
    decision: z.enum(GOVERNORS_DECISIONS as [string, ...string[]]),
    meetingDate: z.string(),
    notifiedDate: z.string().optional(),
  })
  .strip();

/**
 * "Record governors' decision" on a board-duty alert card (LA roles): upheld opens the independent
 * review window (a new dated alert once the rules run); reinstated records the outcome and closes
 * the exclusion's alerts. Same checks and effects as POST /api/exclusions/review.
 */
export async function recordGovernorsDecision(ctx: AlertViewContext, actor: Actor, data: unknown): Promise<ActionResult> {
  const parsed = governorsDecisionSchema.safeParse(data);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]!.path[0] ?? 'data');
    return { ok: false, message: field === 'alertId' ? 'That button is out of date.' : field === 'decision' ? 'Please choose the decision.' : 'Please choose the meeting date.' };
  }
  if (!PLACEMENT_ROLES.includes(actor.role)) return { ok: false, message: 'Governors’ decisions are recorded by the local authority.' };
  const found = await alertViewFor(ctx, actor, parsed.data.alertId, 'alert governors decision');
  if (!found.ok || found.alert.scope !== 'pupil') return { ok: false, message: ALERT_GONE };
  const alert = found.alert;
  const exclusion = await ctx.db.selectFrom('exclusion').select(['id', 'pupil_id', 'category', 'start_date', 'outcome']).where('id', '=', alert.exclusionId).executeTakeFirst();
  if (!exclusion) return { ok: false, message: ALERT_GONE };
  const now = ctx.clock.now().toISOString();
  const steps = {
    governors_decision: parsed.data.decision,
    governors_meeting_date: parsed.data.meetingDate,
    ...(parsed.data.notifiedDate ? { governors_notified_date: parsed.data.notifiedDate } : {}),
  };
  const shape = reviewStepsSchema.safeParse(steps);
  if (!shape.success) return { ok: false, message: `Not recorded: ${String(shape.error.issues[0]!.path[0]).replace(/_/g, ' ')} ${shape.error.issues[0]!.message}.` };
  const result = await ctx.db
    .transaction()
    .execute((trx) => applyReviewSteps(trx, exclusion, shape.data, { source: 'alert governors decision', staffUserId: actor.user.id }, todayInLondon(ctx.clock), now));
  if (!result.ok) return { ok: false, message: `Not recorded: ${result.problems[0]!.field.replace(/_/g, ' ')} ${result.problems[0]!.message}.` };
  const after = await alertViewFor(ctx, actor, parsed.data.alertId, 'alert governors decision');
  return after.ok ? { ok: true, view: after.view, message: `Governors’ decision recorded (${parsed.data.decision}).` } : { ok: false, message: ALERT_GONE };
}
