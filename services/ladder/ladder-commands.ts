import type { Kysely } from 'kysely';
import { z } from 'zod';
import { dayMonthYear, todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import type { Database, Role } from '../store/database';
import { LadderStatsForbidden, ladderStats, recordLadderFeedback, recordLadderSearch, type LadderStats } from './ladder-feedback';
import { checklistItems, loadChecklistTicks, saveChecklistTicks } from './ladder-checklist';
import { MAX_QUERY_LENGTH, type LadderService, type OverviewView, type ResultsView, type RungView } from './ladder-service';

/**
 * The ladder's conversation in one place: what the `ladder ...` command and the ladder card buttons
 * answer, so a bot handler reads its input, calls one function here and renders the card named in
 * the reply. Button data is checked with zod; an old or tampered button gets a plain answer.
 */

export interface LadderContext {
  db: Kysely<Database>;
  clock: Clock;
  ladder: LadderService;
}

export interface LadderActor {
  staffUserId: number | null;
  /** Null for someone the bot does not know yet: the ladder holds no pupil data, so they may use it. */
  role: Role | null;
}

export interface StatsReplyView {
  stats: LadderStats;
  labels: ReadonlyMap<string, string>;
  periodLabel: string;
}

export type LadderReply =
  | { kind: 'overview'; view: OverviewView }
  | { kind: 'rung'; view: RungView }
  | { kind: 'results'; view: ResultsView }
  | { kind: 'stats'; view: StatsReplyView }
  /** Something the user should read instead of a card (not allowed, out-of-date button). */
  | { kind: 'notice'; message: string };

const id = z.string().trim().min(1).max(60);
const query = z.string().max(MAX_QUERY_LENGTH * 2).optional();

const rungActionSchema = z.object({ id, q: query }).strip();
const feedbackActionSchema = z
  .object({
    verdict: z.enum(['yes', 'no']),
    id: id.optional(),
    q: query,
    /** Which card the answer came from, so that card is the one redrawn. */
    from: z.enum(['rung', 'results']).default('rung'),
  })
  .strip();

/** "Save my ticks": the rung and question, plus one `tick-<item key>` input per action ("true" / "false"). */
const checklistActionSchema = z
  .object({ id, q: query })
  .catchall(z.unknown())
  .transform((data) => ({
    id: data.id,
    q: data.q,
    ticks: Object.entries(data)
      .filter(([key]) => /^tick-[0-9a-f]{12}$/.test(key))
      .map(([key, value]) => ({ key: key.slice(5), ticked: value === true || value === 'true' })),
  }));

export const OUT_OF_DATE = 'That button is out of date (the ladder content may have changed). Type **ladder** to see the whole ladder.';
const STATS_FORBIDDEN = '**ladder stats** is for LA managers. Type **ladder** to see the whole ladder.';

/** `ladder`, `ladder 2`, `ladder step two`, `ladder stats`, `ladder <a situation>`: the text after the word "ladder". */
export async function runLadderCommand(ctx: LadderContext, actor: LadderActor, text: string): Promise<LadderReply> {
  const answer = ctx.ladder.answer(text);
  switch (answer.kind) {
    case 'overview':
      return answer;
    case 'rung':
      return { kind: 'rung', view: await withTicks(ctx, actor, answer.view) };
    case 'results':
      // Searches are counted for `ladder stats`; looking a rung up by name is not a question.
      await recordLadderSearch(ctx.db, ctx.clock, {
        staffUserId: actor.staffUserId,
        query: answer.view.query,
        topEntryId: answer.view.matches[0]?.entry.id ?? null,
        matchCount: answer.view.matches.length,
      });
      return answer;
    case 'stats':
      return statsReply(ctx, actor);
  }
}

export function runLadderOverview(ctx: LadderContext): LadderReply {
  return { kind: 'overview', view: ctx.ladder.overview() };
}

/** Previous / Next / an entry on the overview or results card: the rung with the user's own ticks for this situation. */
export async function runLadderRungAction(ctx: LadderContext, actor: LadderActor, data: unknown): Promise<LadderReply> {
  const parsed = rungActionSchema.safeParse(data);
  if (!parsed.success) return { kind: 'notice', message: OUT_OF_DATE };
  const view = ctx.ladder.rung(parsed.data.id, { query: parsed.data.q });
  return view ? { kind: 'rung', view: await withTicks(ctx, actor, view) } : { kind: 'notice', message: OUT_OF_DATE };
}

/** "Save my ticks": stores which actions this user has done for this situation, then redraws the rung with them. */
export async function runLadderChecklist(ctx: LadderContext, actor: LadderActor, data: unknown): Promise<LadderReply> {
  const parsed = checklistActionSchema.safeParse(data);
  if (!parsed.success) return { kind: 'notice', message: OUT_OF_DATE };
  const view = ctx.ladder.rung(parsed.data.id, { query: parsed.data.q });
  if (!view) return { kind: 'notice', message: OUT_OF_DATE };
  if (actor.staffUserId === null) return { kind: 'rung', view };
  // Only this rung's actions count: a tick for an action the content no longer has is dropped.
  const known = new Set(view.checklist.map((item) => item.key));
  const ticks = parsed.data.ticks.filter((t) => known.has(t.key));
  const owner = { staffUserId: actor.staffUserId, entryId: view.entry.id, query: view.query };
  await saveChecklistTicks(ctx.db, ctx.clock, owner, ticks);
  return { kind: 'rung', view: { ...(await withTicks(ctx, actor, view)), checklistSaved: true } };
}

async function withTicks(ctx: LadderContext, actor: LadderActor, view: RungView): Promise<RungView> {
  if (actor.staffUserId === null) return view;
  const ticked = await loadChecklistTicks(ctx.db, { staffUserId: actor.staffUserId, entryId: view.entry.id, query: view.query });
  return ticked.size === 0 ? view : { ...view, checklist: checklistItems(view.entry.school_actions, ticked) };
}

/** "Was this useful?": stored with who, the question and the entry, then the same card redrawn with thanks. */
export async function runLadderFeedback(ctx: LadderContext, actor: LadderActor, data: unknown): Promise<LadderReply> {
  const parsed = feedbackActionSchema.safeParse(data);
  if (!parsed.success) return { kind: 'notice', message: OUT_OF_DATE };
  const { verdict, id: entryId, q, from } = parsed.data;
  if (entryId && !ctx.ladder.toolkit.byId.has(entryId)) return { kind: 'notice', message: OUT_OF_DATE };
  await recordLadderFeedback(ctx.db, ctx.clock, { staffUserId: actor.staffUserId, query: q ?? null, entryId: entryId ?? null, verdict });
  if (from === 'results' && q) return { kind: 'results', view: ctx.ladder.search(q, { feedback: verdict }) };
  if (entryId) return { kind: 'rung', view: await withTicks(ctx, actor, ctx.ladder.rung(entryId, { query: q, feedback: verdict })!) };
  return { kind: 'overview', view: ctx.ladder.overview() };
}

async function statsReply(ctx: LadderContext, actor: LadderActor): Promise<LadderReply> {
  if (!actor.role) return { kind: 'notice', message: STATS_FORBIDDEN };
  const start = academicYearStart(todayInLondon(ctx.clock));
  try {
    // 1 September is always in British Summer Time: midnight in London is 23:00 UTC the day before.
    const since = new Date(`${start}T00:00:00+01:00`).toISOString();
    const stats = await ladderStats(ctx.db, actor.role, since);
    const labels = new Map(ctx.ladder.toolkit.entries.map((e) => [e.id, e.label]));
    return { kind: 'stats', view: { stats, labels, periodLabel: `Since ${dayMonthYear(start)}` } };
  } catch (error) {
    if (error instanceof LadderStatsForbidden) return { kind: 'notice', message: STATS_FORBIDDEN };
    throw error;
  }
}

/** Academic years run from 1 September. */
export function academicYearStart(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return `${month >= 9 ? year : year - 1}-09-01`;
}

