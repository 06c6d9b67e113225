import { ActivityTypes, CardFactory, TeamsInfo, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { adaptiveCard, text, type AdaptiveCard } from '../../cards/adaptive-card';
import { clusterAgendaCard } from '../../cards/cluster-agenda-card';
import { clusterCandidatesCard } from '../../cards/cluster-candidates-card';
import { clusterMinutesCard } from '../../cards/cluster-minutes-card';
import { myActionsCard } from '../../cards/my-actions-card';
import { pupilReviewCard } from '../../cards/pupil-review-card';
import { pupilSearchCard } from '../../cards/pupil-search-card';
import { VERBS } from '../../cards/verbs';
import { loadCalendar, type SchoolCalendar } from '../../services/calendar/school-calendar';
import { getClusterAgenda } from '../../services/cluster/cluster-agenda';
import { getMinutes, getMyActions, queueOverdueReminders, type ReminderRun } from '../../services/cluster/cluster-actions';
import { getClusterCandidates } from '../../services/cluster/cluster-candidates';
import { districtNames } from '../../services/cluster/cluster-meetings';
import { nominatePupil } from '../../services/cluster/cluster-nominations';
import type { ClusterDeps, ClusterProblem } from '../../services/cluster/cluster-service-types';
import { namedViewers, type ChatMember } from '../../services/cluster/cluster-viewers';
import { getPupilReview, saveReview, updateActionStatus } from '../../services/cluster/pupil-review';
import { findPupils } from '../../services/cluster/pupil-search';
import { describeError } from '../../services/logger';
import { recordIdSchema } from '../../services/util/text-input';
import { heavyRead, type BotApp, type BotDeps } from '../bot-deps';
import { getActor } from '../turn-actor';

/**
 * Attendance cluster meetings: `cluster <district> [agenda]`, `cluster <district> minutes`,
 * `my actions`, and the cards' buttons.
 *
 * Data minimisation in chats and channels: the card posted to the conversation is the shared view
 * (initials, NC year, school). Its refresh lists the members whose role and scope allow names (at
 * most 60), and Teams fetches each one's own view from us. Every button press is answered to the
 * presser only, with their own view. When a review is saved in a chat, the shared message is
 * rewritten (still minimised) so everyone sees the new action in place.
 * Handlers send their invoke response themselves: teams-ai would otherwise rewrite the shared
 * message with the presser's (named) card whenever it carries a refresh.
 */

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

const ROSTER_TIMEOUT_MS = 2000;

function isShared(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === 'groupChat' || type === 'channel' || (type === undefined && context.activity.conversation?.isGroup === true);
}

function noticeCard(message: string): AdaptiveCard {
  return adaptiveCard([text(message)], { fallbackText: message });
}

function problemCard(p: ClusterProblem): AdaptiveCard {
  return noticeCard(p.message);
}

async function answerInvoke(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
}

async function answerInvokeMessage(context: TurnContext, message: string): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message } },
  });
}

function requesterOf(context: TurnContext): ChatMember {
  return { teamsId: context.activity.from?.id ?? '', aadObjectId: context.activity.from?.aadObjectId ?? null };
}

/** The conversation's members from Teams; on any failure (or no answer in time) just the requester. */
async function chatMembers(context: TurnContext): Promise<ChatMember[]> {
  try {
    const page = await Promise.race([
      TeamsInfo.getPagedMembers(context, 500),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('roster look-up timed out')), ROSTER_TIMEOUT_MS).unref()),
    ]);
    return page.members.map((m) => ({ teamsId: m.id, aadObjectId: m.aadObjectId ?? null }));
  } catch {
    return [requesterOf(context)];
  }
}

function verbRoute(app: BotApp, verb: string, handler: (context: TurnContext, data: unknown) => Promise<void>): void {
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action' && context.activity.value?.action?.verb === verb,
    async (context) => handler(context, context.activity.value?.action?.data ?? {}),
    true,
  );
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

export function registerClusterRoutes(app: BotApp, deps: BotDeps): void {
  const calendar: SchoolCalendar = (deps as BotDeps & { calendar?: SchoolCalendar }).calendar ?? loadCalendar(process.env.CALENDAR_FILE?.trim() || undefined);
  const svc: ClusterDeps = { db: deps.store.db, calendar, clock: deps.clock, agendaSize: deps.clusterAgendaSize };

  async function viewersFor(context: TurnContext, district: string, pupilSchoolUrn?: number): Promise<string[]> {
    return namedViewers(svc.db, { district, pupilSchoolUrn, requester: requesterOf(context), members: await chatMembers(context) });
  }

  // ---- commands ----

  app.message(/^\s*cluster(?:\s+[\s\S]*)?$/i, async (context) => {
    const { district, what, school, cohort } = parseClusterCommand(context.activity.text ?? '');
    if (!district) {
      const names = await districtNames(svc.db);
      const example = names[0] ?? 'Boston';
      await context.sendActivity(`Which district? For example **cluster ${example} agenda**, **cluster ${example} candidates** or **cluster ${example} minutes**. Districts: ${names.join(', ') || 'none yet'}.`);
      return;
    }
    const actor = getActor(context);
    const shared = isShared(context);
    const view = shared ? 'shared' : 'own';
    if (what === 'candidates') {
      const result = await heavyRead(deps, () => getClusterCandidates(svc, actor, { district, school, cohort, view }));
      if (!result.ok) return void (await context.sendActivity(result.message));
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(clusterCandidatesCard(result.view))] });
      return;
    }
    if (what === 'minutes') {
      const result = await heavyRead(deps, () => getMinutes(svc, actor, { district, view }));
      if (!result.ok) return void (await context.sendActivity(result.message));
      const refreshUserIds = shared ? await viewersFor(context, result.view.district) : undefined;
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(clusterMinutesCard(result.view, { refreshUserIds }))] });
      return;
    }
    const result = await heavyRead(deps, () => getClusterAgenda(svc, actor, { district, view }));
    if (!result.ok) return void (await context.sendActivity(result.message));
    const refreshUserIds = shared ? await viewersFor(context, result.view.district) : undefined;
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(clusterAgendaCard(result.view, { refreshUserIds }))] });
  });

  // `pupil <name or UPN>`: what was typed is children's data, so no reply repeats it.
  app.message(/^\s*pupil(?:\s+[\s\S]*)?$/i, async (context) => {
    const query = (context.activity.text ?? '').replace(/^\s*pupil\b/i, '').trim();
    if (!query) return void (await context.sendActivity('Which pupil? Type **pupil** and their name or UPN, e.g. **pupil Bell** or **pupil A123456789012**.'));
    const actor = getActor(context);
    const shared = isShared(context);
    const found = await heavyRead(deps, () => findPupils(svc, actor, { query, view: shared ? 'shared' : 'own' }));
    if (!found.ok) return void (await context.sendActivity(found.message));
    const { matches } = found.view;
    if (matches.length === 0) return void (await context.sendActivity('No pupil on roll at a school in your scope matches that. Check the spelling, or give the UPN.'));
    if (matches.length > 1) return void (await context.sendActivity({ attachments: [CardFactory.adaptiveCard(pupilSearchCard(found.view))] }));
    const only = matches[0]!;
    const review = await getPupilReview(svc, actor, { district: only.district, pupilId: only.pupilId, view: shared ? 'shared' : 'own' });
    if (!review.ok) return void (await context.sendActivity(review.message));
    const refreshUserIds = shared ? await viewersFor(context, review.view.district, review.view.schoolUrn) : undefined;
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(pupilReviewCard(review.view, { refreshUserIds }))] });
  });

  app.message(/^\s*my\s+actions\s*$/i, async (context) => {
    const actor = getActor(context);
    // Someone's own to-do list: in a shared chat it is minimised like any other card.
    const view = await heavyRead(deps, () => getMyActions(svc, actor, isShared(context) ? 'shared' : 'own'));
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(myActionsCard(view))] });
  });

  // ---- buttons (each answered to the presser only, with their own view) ----

  verbRoute(app, VERBS.clusterAgenda, async (context, data) => {
    const parsed = districtData.safeParse(data);
    if (!parsed.success) return answerInvokeMessage(context, `That card is out of date: ${parsed.error.issues[0]!.message}.`);
    const result = await heavyRead(deps, () => getClusterAgenda(svc, getActor(context), { district: parsed.data.district, from: parsed.data.from, view: 'own' }));
    await answerInvoke(context, result.ok ? clusterAgendaCard(result.view) : problemCard(result));
  });

  verbRoute(app, VERBS.clusterCandidates, async (context, data) => {
    const parsed = candidatesData.safeParse(data);
    if (!parsed.success) return answerInvokeMessage(context, `That card is out of date: ${parsed.error.issues[0]!.message}.`);
    const result = await heavyRead(deps, () => getClusterCandidates(svc, getActor(context), { ...parsed.data, view: 'own' }));
    await answerInvoke(context, result.ok ? clusterCandidatesCard(result.view) : problemCard(result));
  });

  verbRoute(app, VERBS.clusterNominate, async (context, data) => {
    const parsed = nominateData.safeParse(data);
    if (!parsed.success) return answerInvokeMessage(context, `That card is out of date: ${parsed.error.issues[0]!.message}.`);
    const actor = getActor(context);
    const { district, pupilId, back, nominationReason, from, school, cohort } = parsed.data;
    const nominated = await nominatePupil(svc, actor, { district, pupilId, reason: nominationReason });
    if (!nominated.ok) return answerInvoke(context, problemCard(nominated));
    if (back === 'review') {
      const result = await getPupilReview(svc, actor, { district, pupilId, view: 'own' });
      const note = nominated.view.added ? `Nominated for the meeting on ${nominated.view.meeting.date} by ${actor.user.name}.` : `Already nominated for the meeting on ${nominated.view.meeting.date}.`;
      return answerInvoke(context, result.ok ? pupilReviewCard(result.view, { savedNote: note }) : problemCard(result));
    }
    const result = await heavyRead(deps, () => getClusterCandidates(svc, actor, { district, from, school, cohort, view: 'own' }));
    await answerInvoke(context, result.ok ? clusterCandidatesCard(result.view) : problemCard(result));
  });

  verbRoute(app, VERBS.clusterMinutes, async (context, data) => {
    const parsed = districtData.safeParse(data);
    if (!parsed.success) return answerInvokeMessage(context, `That card is out of date: ${parsed.error.issues[0]!.message}.`);
    const result = await heavyRead(deps, () => getMinutes(svc, getActor(context), { district: parsed.data.district, from: parsed.data.from, view: 'own' }));
    await answerInvoke(context, result.ok ? clusterMinutesCard(result.view) : problemCard(result));
  });

  verbRoute(app, VERBS.myActions, async (context) => {
    await answerInvoke(context, myActionsCard(await heavyRead(deps, () => getMyActions(svc, getActor(context), 'own'))));
  });

  verbRoute(app, VERBS.clusterReview, async (context, data) => {
    const parsed = reviewData.safeParse(data);
    if (!parsed.success) return answerInvokeMessage(context, `That card is out of date: ${parsed.error.issues[0]!.message}.`);
    const actor = getActor(context);
    const automatic = context.activity.value?.trigger === 'automatic';
    if (isShared(context) && !automatic) {
      // Opening a review in a meeting chat: post it for everyone (minimised, names by refresh).
      const shared = await getPupilReview(svc, actor, { district: parsed.data.district, pupilId: parsed.data.pupilId, view: 'shared' });
      if (!shared.ok) return answerInvokeMessage(context, shared.message);
      const refreshUserIds = await viewersFor(context, shared.view.district, shared.view.schoolUrn);
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(pupilReviewCard(shared.view, { refreshUserIds }))] });
      return answerInvokeMessage(context, `The review of ${shared.view.label} is posted below.`);
    }
    const result = await getPupilReview(svc, actor, { district: parsed.data.district, pupilId: parsed.data.pupilId, view: 'own' });
    await answerInvoke(context, result.ok ? pupilReviewCard(result.view) : problemCard(result));
  });

  verbRoute(app, VERBS.clusterReviewSave, async (context, data) => {
    const actor = getActor(context);
    const result = await saveReview(svc, actor, data, 'own');
    if (!result.ok) return answerInvoke(context, problemCard(result));
    const { view, errors, form, saved } = result.view;
    if (!saved) return answerInvoke(context, pupilReviewCard(view, { errors, form }));
    await updateSharedReview(context, view.district, view.pupilId);
    await answerInvoke(context, pupilReviewCard(view, { savedNote: `Saved by ${actor.user.name}.` }));
  });

  verbRoute(app, VERBS.clusterActionStatus, async (context, data) => {
    const actor = getActor(context);
    const result = await updateActionStatus(svc, actor, data, 'own');
    if (!result.ok) return answerInvoke(context, problemCard(result));
    await updateSharedReview(context, result.view.district, result.view.pupilId);
    await answerInvoke(context, pupilReviewCard(result.view, { savedNote: `Action updated by ${actor.user.name}.` }));
  });

  /**
   * In a chat or channel, rewrites the review message for everyone: the shared (minimised) card
   * with its refresh list, so each allowed viewer's own view follows. A failure here must not
   * lose the save: the presser still gets their answer.
   */
  async function updateSharedReview(context: TurnContext, district: string, pupilId: number): Promise<void> {
    if (!isShared(context) || !context.activity.replyToId) return;
    try {
      const shared = await getPupilReview(svc, getActor(context), { district, pupilId, view: 'shared' });
      if (!shared.ok) return;
      const refreshUserIds = await viewersFor(context, shared.view.district, shared.view.schoolUrn);
      await context.updateActivity({
        type: ActivityTypes.Message,
        id: context.activity.replyToId,
        attachments: [CardFactory.adaptiveCard(pupilReviewCard(shared.view, { refreshUserIds }))],
      });
    } catch (error) {
      deps.logger.warn('cluster.shared_update_failed', describeError(error));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Overdue actions, reminded once to their owner's personal chat through the proactive outbox

/**
 * Queues reminders for overdue actions now and then every `intervalMs` (each instance may run
 * this: the queueing is once per action); `onQueued` wakes the delivery worker. Returns a stop
 * function. A round that fails is logged and tried again at the next tick.
 */
export function startOverdueReminders(deps: Pick<BotDeps, 'store' | 'clock' | 'logger'>, onQueued: () => void, intervalMs = 15 * 60_000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const run: ReminderRun = await queueOverdueReminders(deps.store.db, deps.clock);
      if (run.queued) {
        deps.logger.info('cluster.overdue_reminders', { ...run });
        onQueued();
      }
    } catch (error) {
      deps.logger.warn('cluster.overdue_reminders_failed', describeError(error));
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
