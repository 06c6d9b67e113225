import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ApiSenderRow } from '../store/tables/alerts';
import { isIsoDate, todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import { EXCLUSION_CATEGORY_ALIASES } from '../domain/dfe-codes';
import { parseScope } from '../identity/scope';
import { schoolUrnsInScope } from '../identity/scope-query';
import type { Database } from '../store/database';
import type { ExclusionReviewTable } from '../store/tables/casework';
import { GOVERNORS_DECISIONS, IRP_OUTCOMES } from './casework-schema';
import { closeExclusionAlerts } from './exclusion-outcomes';
import { pupilIdsByUpn, queuePupilsForRules } from './exclusion-repository';

/**
 * The review of an exclusion after the head's decision (issue 9): the governors' decision, the
 * parents' independent review application (with or without an SEN expert), the panel's decision and
 * the board's reconsideration. Each step recorded closes the alert of the step before it, queues the
 * pupil for the rules (which raise the next step's deadline) and is audited (pupil ids only).
 * Recorded from the API (`POST /api/exclusions/review`) or the alert card. Steps already stored are
 * kept when a request leaves them out.
 */

const date = (what: string) => z.string().refine(isIsoDate, `must be a date written YYYY-MM-DD (${what})`);

export const reviewStepsSchema = z
  .object({
    governors_decision: z.enum(GOVERNORS_DECISIONS as [string, ...string[]]).optional(),
    governors_meeting_date: date('the day the board met').optional(),
    governors_notified_date: date('the day parents were given notice of the decision').optional(),
    irp_applied_date: date('the day parents applied for an independent review').optional(),
    irp_sen_expert: z.boolean().optional(),
    irp_outcome: z.enum(IRP_OUTCOMES as [string, ...string[]]).optional(),
    irp_decision_notified_date: date('the day the board was told of the panel’s decision').optional(),
    reconsidered_date: date('the day the board reconsidered').optional(),
  })
  .strict();

export type ReviewSteps = z.infer<typeof reviewStepsSchema>;

const reviewBodySchema = reviewStepsSchema
  .extend({
    school_urn: z.union([z.string(), z.number()]),
    upn: z.string(),
    category: z.string().optional(),
    start_date: date('the exclusion’s start date'),
  })
  .strict();

type Step = Omit<ExclusionReviewTable, 'exclusion_id' | 'updated_at' | 'updated_by'>;
const EMPTY: Step = {
  governors_decision: null,
  governors_meeting_date: null,
  governors_notified_date: null,
  irp_applied_date: null,
  irp_sen_expert: null,
  irp_outcome: null,
  irp_decision_notified_date: null,
  reconsidered_date: null,
};

export interface ReviewProblem {
  field: string;
  message: string;
}

/** The steps in order, each on or after the one before and not after today; IRP steps only after "upheld" of a PEx. */
function checkReviewSteps(merged: Step, ctx: { today: string; category: string; start: string }): ReviewProblem[] {
  const problems: ReviewProblem[] = [];
  const order: [keyof Step, string][] = [
    ['governors_meeting_date', 'start_date'],
    ['governors_notified_date', 'governors_meeting_date'],
    ['irp_applied_date', 'governors_notified_date'],
    ['irp_decision_notified_date', 'irp_applied_date'],
    ['reconsidered_date', 'irp_decision_notified_date'],
  ];
  const value = (k: string) => (k === 'start_date' ? ctx.start : (merged[k as keyof Step] as string | null));
  for (const [field, after] of order) {
    const v = merged[field] as string | null;
    if (!v) continue;
    if (v > ctx.today) problems.push({ field, message: 'is after today' });
    const earlier = value(after);
    if (earlier && v < earlier) problems.push({ field, message: `is before ${after}` });
  }
  if (merged.governors_decision === null && (merged.governors_meeting_date || merged.governors_notified_date))
    problems.push({ field: 'governors_decision', message: 'is required with the meeting date (upheld or reinstated)' });
  if (merged.governors_decision && !merged.governors_meeting_date) problems.push({ field: 'governors_meeting_date', message: 'is required with the decision' });
  const irp = merged.irp_applied_date || merged.irp_outcome || merged.irp_decision_notified_date || merged.reconsidered_date || merged.irp_sen_expert !== null;
  if (irp && ctx.category !== 'PERM') problems.push({ field: 'irp_applied_date', message: 'an independent review is for a permanent exclusion only' });
  else if (irp && merged.governors_decision !== 'upheld') problems.push({ field: 'irp_applied_date', message: 'an independent review follows the governors upholding the exclusion' });
  if ((merged.irp_outcome || merged.irp_decision_notified_date) && !merged.irp_applied_date) problems.push({ field: 'irp_applied_date', message: 'is required before the panel’s decision' });
  if (merged.irp_decision_notified_date && !merged.irp_outcome) problems.push({ field: 'irp_outcome', message: 'is required with the date of the panel’s decision' });
  if (merged.reconsidered_date && !(merged.irp_outcome === 'recommended' || merged.irp_outcome === 'quashed'))
    problems.push({ field: 'reconsidered_date', message: 'follows a panel recommendation or quash only' });
  return problems;
}

/** Which step alerts each newly recorded step closes. */
function closedBy(before: Step, after: Step): string[] {
  const rules: string[] = [];
  if (!before.governors_decision && after.governors_decision) rules.push('pex_governors_review', 'term_total_over_15', 'term_total_over_5', 'missed_public_exam');
  if (!before.irp_applied_date && after.irp_applied_date) rules.push('irp_application_window');
  if (!before.irp_outcome && after.irp_outcome) rules.push('irp_panel_deadline');
  if (!before.reconsidered_date && after.reconsidered_date) rules.push('governors_reconsideration');
  return rules;
}

export type ReviewResult = { ok: true; changed: boolean } | { ok: false; problems: ReviewProblem[] };

/**
 * Merges the steps given into the stored review of one exclusion and records it, in the caller's
 * transaction. A governors' reinstatement also records the exclusion's outcome (which stops its clocks).
 */
export async function applyReviewSteps(
  db: Kysely<Database>,
  exclusion: { id: number; pupil_id: number; category: string; start_date: string; outcome: string | null },
  steps: ReviewSteps,
  who: { source: string; staffUserId: number | null },
  today: string,
  now: string,
): Promise<ReviewResult> {
  const stored = await db.selectFrom('exclusion_review').selectAll().where('exclusion_id', '=', exclusion.id).executeTakeFirst();
  const before: Step = stored ? { ...EMPTY, ...pick(stored) } : { ...EMPTY };
  const after: Step = { ...before };
  for (const [k, v] of Object.entries(steps)) if (v !== undefined) (after as Record<string, unknown>)[k] = k === 'irp_sen_expert' ? (v ? 1 : 0) : v;
  const problems = checkReviewSteps(after, { today, category: exclusion.category, start: exclusion.start_date });
  if (problems.length > 0) return { ok: false, problems };
  if (JSON.stringify(before) === JSON.stringify(after)) return { ok: true, changed: false };
  const row = { ...after, updated_at: now, updated_by: who.source } as ExclusionReviewTable;
  if (stored) await db.updateTable('exclusion_review').set(row).where('exclusion_id', '=', exclusion.id).execute();
  else await db.insertInto('exclusion_review').values({ ...row, exclusion_id: exclusion.id }).execute();
  const closing = [{ id: exclusion.id, pupilId: exclusion.pupil_id }];
  if (after.governors_decision === 'reinstated' && !exclusion.outcome) {
    await db
      .updateTable('exclusion')
      .set({ outcome: 'reinstated', outcome_by: 'governors', outcome_date: after.governors_notified_date ?? after.governors_meeting_date })
      .where('id', '=', exclusion.id)
      .execute();
    await closeExclusionAlerts(db, { exclusions: closing, source: who.source, now, staffUserId: who.staffUserId, auditAction: 'exclusion.outcome', detail: 'governors reinstated' });
  } else {
    await closeExclusionAlerts(db, { exclusions: closing, source: who.source, now, staffUserId: who.staffUserId, auditAction: 'exclusion.review', detail: 'review step recorded', rules: closedBy(before, after) });
  }
  await queuePupilsForRules(db, [exclusion.pupil_id], now);
  return { ok: true, changed: true };
}

function pick(row: ExclusionReviewTable): Step {
  const out = { ...EMPTY };
  for (const k of Object.keys(EMPTY) as (keyof Step)[]) (out as Record<string, unknown>)[k] = row[k];
  return out;
}

export type ReviewApiResult =
  | { status: 200; body: { exclusion_id: number; outcome: 'updated' | 'unchanged' } }
  | { status: 400; body: { error: string; errors: ReviewProblem[] } }
  | { status: 403 | 404; body: { error: string } };

/** `POST /api/exclusions/review`: one exclusion named by school, UPN, start date (and category, default PERM). */
export async function receiveReview(db: Kysely<Database>, clock: Clock, sender: ApiSenderRow, body: unknown): Promise<{ result: ReviewApiResult; pupilId?: number }> {
  const invalid = (errors: ReviewProblem[]) => ({ result: { status: 400 as const, body: { error: 'the review is not valid; nothing was recorded', errors } } });
  const shape = reviewBodySchema.safeParse(body);
  if (!shape.success)
    return invalid(
      shape.error.issues.map((i) => ({
        field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.join('.') || '(body)',
        message: i.code === 'unrecognized_keys' ? 'is not a field of a review' : i.code === 'invalid_type' && i.received === 'undefined' ? 'is required' : i.message,
      })),
    );
  const { school_urn, upn, category, start_date, ...steps } = shape.data;
  const urn = Number(school_urn);
  const cat = EXCLUSION_CATEGORY_ALIASES[(category ?? 'PERM').toUpperCase()];
  if (!Number.isInteger(urn) || !cat) return invalid([{ field: Number.isInteger(urn) ? 'category' : 'school_urn', message: 'is not valid' }]);
  const allowed = await schoolUrnsInScope(db, parseScope(sender.scope));
  if (!allowed.includes(urn)) return { result: { status: 403, body: { error: `this API key may not report for school ${urn}` } } };
  const pupilId = (await pupilIdsByUpn(db, [upn.trim().toUpperCase()])).get(upn.trim().toUpperCase());
  const exclusion =
    pupilId === undefined
      ? undefined
      : await db
          .selectFrom('exclusion')
          .select(['id', 'pupil_id', 'category', 'start_date', 'outcome'])
          .where('pupil_id', '=', pupilId)
          .where('school_urn', '=', urn)
          .where('category', '=', cat)
          .where('start_date', '=', start_date)
          .executeTakeFirst();
  if (!exclusion) return { result: { status: 404, body: { error: 'no such exclusion recorded (report the exclusion first)' } } };
  const now = clock.now().toISOString();
  const outcome = await db.transaction().execute((trx) => applyReviewSteps(trx, exclusion, steps, { source: `api:${sender.name}`, staffUserId: null }, todayInLondon(clock), now));
  if (!outcome.ok) return invalid(outcome.problems);
  return { result: { status: 200, body: { exclusion_id: exclusion.id, outcome: outcome.changed ? 'updated' : 'unchanged' } }, pupilId: exclusion.pupil_id };
}
