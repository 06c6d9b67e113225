import { z } from 'zod';
import type { Actor } from '../identity/actor';
import { recordIdSchema } from '../util/text-input';
import { getMyActions, type MyActionsView } from './cluster-actions';
import { getMinutes, type MinutesView } from './cluster-minutes';
import { getClusterAgenda, type AgendaView } from './cluster-agenda';
import { getClusterCandidates, type CandidatesView } from './cluster-candidates';
import { districtNames } from './cluster-meetings';
import { nominatePupil } from './cluster-nominations';
import type { ClusterDeps, ClusterResult } from './cluster-service-types';
import { getPupilReview, type ReviewView } from './pupil-review';
import type { ReviewForm } from './pupil-review-form';
import { saveReview, updateActionStatus } from './pupil-review-writes';
import { findPupils, type PupilSearchView } from './pupil-search';

/**
 * The attendance cluster's conversation in one place: what `cluster ...`, `pupil ...`, `my actions`
 * and the cluster cards' buttons answer. A bot handler reads its input, calls one function here and
 * renders the reply it names. Button data is checked with zod; an old or tampered button gets a
 * plain answer naming what was wrong.
 */

/** 'shared': a group chat or channel, where pupils are shown by initials; 'own': the reader's own view. */
export type ViewKind = 'shared' | 'own';

export type ClusterReply =
  | { kind: 'agenda'; view: AgendaView }
  | { kind: 'candidates'; view: CandidatesView }
  | { kind: 'minutes'; view: MinutesView }
  /** More than one pupil matched a search: a list to choose from. */
  | { kind: 'search'; view: PupilSearchView }
  | {
      kind: 'review';
      view: ReviewView;
      /** Problems with the form just submitted (nothing was saved), by field, and what was typed. */
      errors?: Record<string, string>;
      form?: Partial<ReviewForm>;
      /** Shown after a change, e.g. "Saved by Ola Officer." */
      savedNote?: string;
      /** The review changed: the copy posted in a chat or channel should be redrawn for everyone. */
      changed?: boolean;
    }
  /** A review opened in a chat or channel: posted there for everyone, and the presser told `message`. */
  | { kind: 'posted review'; view: ReviewView; message: string }
  | { kind: 'my actions'; view: MyActionsView }
  /** A request the user cannot have (scope, unknown district, not found): a one-line card on a button. */
  | { kind: 'notice'; message: string }
  /** Plain text even as a button's answer: a prompt for what is missing, or an out-of-date card. */
  | { kind: 'message'; message: string };

const districtData = z.object({
  district: z.string({ required_error: 'the card has no district' }).trim().min(1, 'the card has no district').max(100),
  from: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
const reviewData = districtData.extend({ pupilId: recordIdSchema({ missing: 'the card has no pupil', invalid: 'the card’s pupil number is not valid' }) });
const candidatesData = districtData.extend({ school: z.string().max(120).optional(), cohort: z.string().max(40).optional() });
const nominateData = candidatesData.extend({
  pupilId: recordIdSchema({ missing: 'the card has no pupil', invalid: 'the card’s pupil number is not valid' }),
  back: z.enum(['candidates', 'review']).optional().default('candidates'),
  nominationReason: z.string().optional().default(''),
});

export const PUPIL_PROMPT = 'Which pupil? Type **pupil** and their name or UPN, e.g. **pupil Bell** or **pupil A123456789012**.';
export const NO_PUPIL_MATCH = 'No pupil on roll at a school in your scope matches that. Check the spelling, or give the UPN.';

function outOfDate(error: z.ZodError): ClusterReply {
  return { kind: 'message', message: `That card is out of date: ${error.issues[0]!.message}.` };
}

type ViewReply<K extends ClusterReply['kind']> = Extract<ClusterReply, { kind: K }>;

/** The view as the reply named `kind`, or the problem as a notice. */
function reply<K extends 'agenda' | 'candidates' | 'minutes'>(kind: K, result: ClusterResult<ViewReply<K>['view']>): ClusterReply {
  return result.ok ? ({ kind, view: result.view } as ViewReply<K>) : { kind: 'notice', message: result.message };
}

function reviewReply(result: ClusterResult<ReviewView>, extra: { savedNote?: string; changed?: boolean } = {}): ClusterReply {
  return result.ok ? { kind: 'review', view: result.view, ...extra } : { kind: 'notice', message: result.message };
}

export interface ClusterCommand {
  district: string;
  what: 'agenda' | 'minutes' | 'candidates';
  /** For candidates: the words after `school` and after `cohort`. */
  school?: string;
  cohort?: string;
}

/** `cluster <district words> [agenda|minutes|candidates [school <words>] [cohort <words>]]`. */
export function parseClusterCommand(text: string): ClusterCommand {
  const words = text.replace(/^\s*cluster\b/i, '').trim().split(/\s+/).filter(Boolean);
  const at = words.findIndex((w) => ['agenda', 'minutes', 'candidates'].includes(w.toLowerCase()));
  if (at < 0) return { district: words.join(' '), what: 'agenda' };
  const what = words[at]!.toLowerCase() as ClusterCommand['what'];
  const command: ClusterCommand = { district: words.slice(0, at).join(' '), what };
  if (what !== 'candidates') return command;
  let field: 'school' | 'cohort' | undefined;
  const parts: { school: string[]; cohort: string[] } = { school: [], cohort: [] };
  for (const w of words.slice(at + 1)) {
    const lower = w.toLowerCase();
    if (lower === 'school' || lower === 'cohort') field = lower;
    else if (field) parts[field].push(w);
  }
  if (parts.school.length) command.school = parts.school.join(' ');
  if (parts.cohort.length) command.cohort = parts.cohort.join(' ');
  return command;
}

// ---- typed commands ----

/** `cluster <district> [agenda | minutes | candidates ...]`: the whole message text. */
export async function runClusterCommand(ctx: ClusterDeps, actor: Actor, text: string, view: ViewKind): Promise<ClusterReply> {
  const { district, what, school, cohort } = parseClusterCommand(text);
  if (!district) {
    const names = await districtNames(ctx.db);
    const example = names[0] ?? 'Boston';
    return {
      kind: 'message',
      message: `Which district? For example **cluster ${example} agenda**, **cluster ${example} candidates** or **cluster ${example} minutes**. Districts: ${names.join(', ') || 'none yet'}.`,
    };
  }
  switch (what) {
    case 'candidates':
      return reply('candidates', await getClusterCandidates(ctx, actor, { district, school, cohort, view }));
    case 'minutes':
      return reply('minutes', await getMinutes(ctx, actor, { district, view }));
    case 'agenda':
      return reply('agenda', await getClusterAgenda(ctx, actor, { district, view }));
  }
}

/**
 * `pupil <name or UPN>`: the text after the word "pupil". What was typed is children's data, so no
 * reply repeats it. One match opens the review; several give a list to choose from.
 */
export async function runPupilCommand(ctx: ClusterDeps, actor: Actor, text: string, view: ViewKind): Promise<ClusterReply> {
  const query = text.trim();
  if (!query) return { kind: 'message', message: PUPIL_PROMPT };
  const found = await findPupils(ctx, actor, { query, view });
  if (!found.ok) return { kind: 'notice', message: found.message };
  const { matches } = found.view;
  if (matches.length === 0) return { kind: 'message', message: NO_PUPIL_MATCH };
  if (matches.length > 1) return { kind: 'search', view: found.view };
  const only = matches[0]!;
  return reviewReply(await getPupilReview(ctx, actor, { district: only.district, pupilId: only.pupilId, view }));
}

/** `my actions`: someone's own to-do list; in a shared chat it is minimised like any other card. */
export async function runMyActions(ctx: ClusterDeps, actor: Actor, view: ViewKind): Promise<ClusterReply> {
  return { kind: 'my actions', view: await getMyActions(ctx, actor, view) };
}

// ---- buttons (each answered to the presser only, with their own view) ----

export async function runAgendaAction(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  const parsed = districtData.safeParse(data);
  if (!parsed.success) return outOfDate(parsed.error);
  return reply('agenda', await getClusterAgenda(ctx, actor, { district: parsed.data.district, from: parsed.data.from, view: 'own' }));
}

export async function runCandidatesAction(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  const parsed = candidatesData.safeParse(data);
  if (!parsed.success) return outOfDate(parsed.error);
  return reply('candidates', await getClusterCandidates(ctx, actor, { ...parsed.data, view: 'own' }));
}

/** Nominate: the pupil goes on the next meeting; the card it came from is redrawn (the pool, or the review with a note). */
export async function runNominateAction(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  const parsed = nominateData.safeParse(data);
  if (!parsed.success) return outOfDate(parsed.error);
  const { district, pupilId, back, nominationReason, from, school, cohort } = parsed.data;
  const nominated = await nominatePupil(ctx, actor, { district, pupilId, reason: nominationReason });
  if (!nominated.ok) return { kind: 'notice', message: nominated.message };
  if (back === 'review') {
    const { meeting, added } = nominated.view;
    const note = added ? `Nominated for the meeting on ${meeting.date} by ${actor.user.name}.` : `Already nominated for the meeting on ${meeting.date}.`;
    return reviewReply(await getPupilReview(ctx, actor, { district, pupilId, view: 'own' }), { savedNote: note });
  }
  return reply('candidates', await getClusterCandidates(ctx, actor, { district, from, school, cohort, view: 'own' }));
}

export async function runMinutesAction(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  const parsed = districtData.safeParse(data);
  if (!parsed.success) return outOfDate(parsed.error);
  return reply('minutes', await getMinutes(ctx, actor, { district: parsed.data.district, from: parsed.data.from, view: 'own' }));
}

/**
 * Opens a pupil's review. `postInChat` (a press in a chat or channel, not Teams' automatic refresh):
 * the shared, minimised review is to be posted there for everyone, and the presser told so.
 */
export async function runReviewAction(ctx: ClusterDeps, actor: Actor, data: unknown, options: { postInChat: boolean }): Promise<ClusterReply> {
  const parsed = reviewData.safeParse(data);
  if (!parsed.success) return outOfDate(parsed.error);
  const { district, pupilId } = parsed.data;
  if (options.postInChat) {
    const shared = await getPupilReview(ctx, actor, { district, pupilId, view: 'shared' });
    if (!shared.ok) return { kind: 'message', message: shared.message };
    return { kind: 'posted review', view: shared.view, message: `The review of ${shared.view.label} is posted below.` };
  }
  return reviewReply(await getPupilReview(ctx, actor, { district, pupilId, view: 'own' }));
}

/** Save review: a form with problems comes back with them beside the fields and nothing saved. */
export async function runReviewSave(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  const result = await saveReview(ctx, actor, data, 'own');
  if (!result.ok) return { kind: 'notice', message: result.message };
  const { view, errors, form, saved } = result.view;
  if (!saved) return { kind: 'review', view, errors, form };
  return { kind: 'review', view, savedNote: `Saved by ${actor.user.name}.`, changed: true };
}

/** Done / Dropped on an agreed action. */
export async function runActionStatus(ctx: ClusterDeps, actor: Actor, data: unknown): Promise<ClusterReply> {
  return reviewReply(await updateActionStatus(ctx, actor, data, 'own'), { savedNote: `Action updated by ${actor.user.name}.`, changed: true });
}

/** The shared (minimised) review, to redraw the copy posted in a chat or channel after a change. */
export async function runSharedReview(ctx: ClusterDeps, actor: Actor, review: { district: string; pupilId: number }): Promise<ClusterReply> {
  return reviewReply(await getPupilReview(ctx, actor, { ...review, view: 'shared' }));
}
