import { z } from 'zod';
import { addDays, isIsoDate } from '../calendar/dates';
import { recordIdSchema } from '../util/text-input';
import type { OwnerChoice } from './pupil-review';

/**
 * The rules of the cluster review form: what the card sends, how each field is named to the user,
 * and what a recordable review is. Pure: no store.
 */

const MAX_TEXT = 2000;

/** What the review form sends (Action.Execute data merged with the inputs). */
export const reviewFormSchema = z.object({
  district: z.string({ required_error: 'is missing' }).min(1, 'is missing').max(100),
  pupilId: recordIdSchema({ missing: 'is missing' }),
  barriers: z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`).optional().default(''),
  leadPractitioner: z.string().max(200, 'must be at most 200 characters').optional().default(''),
  outcome: z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`).optional().default(''),
  actionWhat: z.string().max(500, 'must be at most 500 characters').optional().default(''),
  actionOwner: z.string().max(20).optional().default(''),
  actionDue: z.string().max(20).optional().default(''),
});

export type ReviewForm = z.infer<typeof reviewFormSchema>;

/** Field names as the form labels them, for messages. */
export const REVIEW_FIELD_LABELS: Record<string, string> = {
  district: 'District',
  pupilId: 'Pupil',
  barriers: 'Barriers',
  leadPractitioner: 'Lead practitioner',
  outcome: 'Outcome',
  actionWhat: 'Agreed action',
  actionOwner: 'Action owner',
  actionDue: 'Due date',
};

/** Latest due date accepted: a year ahead (a typo such as 2062 is caught). */
export const MAX_DUE_DAYS = 366;

export interface CheckedReview {
  barriers: string;
  leadPractitioner: string;
  outcome: string;
  action: { what: string; ownerId: number; due: string } | null;
}

/**
 * Checks a submitted review: something must be recorded; an action needs what, an owner from
 * the list and a due date from today to a year ahead. Returns field -> problem on failure.
 */
export function checkReview(form: ReviewForm, owners: readonly OwnerChoice[], today: string): { ok: true; review: CheckedReview } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const clean = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  const barriers = clean(form.barriers);
  const lead = clean(form.leadPractitioner);
  const outcome = clean(form.outcome);
  const what = clean(form.actionWhat);
  const ownerText = form.actionOwner.trim();
  const due = form.actionDue.trim();
  const wantsAction = what !== '' || ownerText !== '' || due !== '';
  let action: CheckedReview['action'] = null;
  if (wantsAction) {
    if (what === '') errors.actionWhat = 'say what was agreed';
    const ownerId = Number(ownerText);
    if (ownerText === '') errors.actionOwner = 'choose who owns the action';
    else if (!Number.isInteger(ownerId) || !owners.some((o) => o.id === ownerId)) errors.actionOwner = 'choose an owner from the list';
    if (due === '') errors.actionDue = 'give a due date';
    else if (!isIsoDate(due)) errors.actionDue = 'must be a date (YYYY-MM-DD)';
    else if (due < today) errors.actionDue = 'must be today or later';
    else if (due > addDays(today, MAX_DUE_DAYS)) errors.actionDue = 'must be within a year';
    if (Object.keys(errors).length === 0) action = { what, ownerId, due };
  }
  if (!wantsAction && barriers === '' && outcome === '' && lead === '') errors.barriers = 'record barriers, an outcome or an agreed action';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, review: { barriers, leadPractitioner: lead, outcome, action } };
}

export const actionUpdateSchema = z.object({
  district: z.string().min(1, 'is missing').max(100),
  actionId: recordIdSchema({ missing: 'is missing' }),
  status: z.enum(['done', 'dropped'], { errorMap: () => ({ message: 'must be done or dropped' }) }),
});
