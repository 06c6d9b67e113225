import { ActivityTypes, CardFactory, TeamsInfo, type TurnContext } from 'botbuilder';
import { adaptiveCard, text, type AdaptiveCard } from '../../cards/adaptive-card';
import { clusterAgendaCard } from '../../cards/cluster-agenda-card';
import { clusterCandidatesCard } from '../../cards/cluster-candidates-card';
import { clusterMinutesCard } from '../../cards/cluster-minutes-card';
import { myActionsCard } from '../../cards/my-actions-card';
import { pupilReviewCard } from '../../cards/pupil-review-card';
import { pupilSearchCard } from '../../cards/pupil-search-card';
import { VERBS, type Verb } from '../../cards/verbs';
import { loadCalendar, type SchoolCalendar } from '../../services/calendar/school-calendar';
import {
  runActionStatus,
  runAgendaAction,
  runCandidatesAction,
  runClusterCommand,
  runMinutesAction,
  runMyActions,
  runNominateAction,
  runPupilCommand,
  runReviewAction,
  runReviewSave,
  runSharedReview,
  type ClusterReply,
} from '../../services/cluster/cluster-commands';
import type { ClusterDeps } from '../../services/cluster/cluster-service-types';
import { COMMANDS } from '../../services/commands/command-catalogue';
import { configValue } from '../../services/config';
import { namedViewers, type ChatMember } from '../../services/cluster/cluster-viewers';
import { describeError } from '../../services/logger';
import { heavyRead, type BotApp, type BotDeps } from '../bot-deps';
import { replyToInvokeWithCard, replyToInvokeWithMessage } from '../invoke-reply';
import { ROSTER_MEMBERS_PER_PAGE, withinRosterTimeout } from '../teams-roster';
import { getActor, isSharedConversation } from '../turn-actor';

/**
 * Attendance cluster meetings: `cluster <district> [agenda | minutes | candidates ...]`,
 * `pupil <name or UPN>`, `my actions`, and the cards' buttons. Parsing, checks and what to answer
 * are services/cluster/cluster-commands.ts; this edge reads the Teams input, renders the reply it
 * names and decides who in a chat may see names. Reads that load many pupil rows pass the heavy-read
 * gate (at most HEAVY_READS_AT_ONCE at once).
 *
 * Data minimisation in chats and channels: the card posted to the conversation is the shared view
 * (initials, NC year, school). Its refresh lists the members whose role and scope allow names (at
 * most 60), and Teams fetches each one's own view from us. Every button press is answered to the
 * presser only, with their own view. When a review is saved in a chat, the shared message is
 * rewritten (still minimised) so everyone sees the new action in place.
 * Handlers send their invoke response themselves: teams-ai would otherwise rewrite the shared
 * message with the presser's (named) card whenever it carries a refresh.
 */

function noticeCard(message: string): AdaptiveCard {
  return adaptiveCard([text(message)], { fallbackText: message });
}

function requesterOf(context: TurnContext): ChatMember {
  return { teamsId: context.activity.from?.id ?? '', aadObjectId: context.activity.from?.aadObjectId ?? null };
}

/** The conversation's members from Teams; on any failure (or no answer in time) just the requester. */
async function chatMembers(context: TurnContext): Promise<ChatMember[]> {
  try {
    const page = await withinRosterTimeout(TeamsInfo.getPagedMembers(context, ROSTER_MEMBERS_PER_PAGE));
    return page.members.map((m) => ({ teamsId: m.id, aadObjectId: m.aadObjectId ?? null }));
  } catch {
    return [requesterOf(context)];
  }
}

function verbRoute(app: BotApp, verb: Verb, handler: (context: TurnContext, data: unknown) => Promise<void>): void {
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action' && context.activity.value?.action?.verb === verb,
    async (context) => handler(context, context.activity.value?.action?.data ?? {}),
    true,
  );
}


/** The card for a cluster reply; a notice or message becomes a one-line card. */
function renderClusterReply(reply: ClusterReply, refreshUserIds?: readonly string[]): AdaptiveCard {
  switch (reply.kind) {
    case 'agenda':
      return clusterAgendaCard(reply.view, { refreshUserIds });
    case 'candidates':
      return clusterCandidatesCard(reply.view);
    case 'minutes':
      return clusterMinutesCard(reply.view, { refreshUserIds });
    case 'search':
      return pupilSearchCard(reply.view);
    case 'review':
      return pupilReviewCard(reply.view, { refreshUserIds, errors: reply.errors, form: reply.form, savedNote: reply.savedNote });
    case 'posted review':
      return pupilReviewCard(reply.view, { refreshUserIds });
    case 'my actions':
      return myActionsCard(reply.view);
    case 'notice':
    case 'message':
      return noticeCard(reply.message);
  }
}

export function registerClusterRoutes(app: BotApp, deps: BotDeps): void {
  const calendar: SchoolCalendar = (deps as BotDeps & { calendar?: SchoolCalendar }).calendar ?? loadCalendar(configValue('CALENDAR_FILE'));
  const svc: ClusterDeps = { db: deps.store.db, calendar, clock: deps.clock, agendaSize: deps.clusterAgendaSize };

  async function viewersFor(context: TurnContext, district: string, pupilSchoolUrn?: number): Promise<string[]> {
    return namedViewers(svc.db, { district, pupilSchoolUrn, requester: requesterOf(context), members: await chatMembers(context) });
  }

  /** In a chat or channel, who may see names on a card posted there (Teams refreshes each one's own view). */
  async function refreshListFor(context: TurnContext, reply: ClusterReply): Promise<string[] | undefined> {
    if (!isSharedConversation(context)) return undefined;
    switch (reply.kind) {
      case 'agenda':
      case 'minutes':
        return viewersFor(context, reply.view.district);
      case 'review':
      case 'posted review':
        return viewersFor(context, reply.view.district, reply.view.schoolUrn);
      default:
        return undefined;
    }
  }

  /** A typed command's answer: text for a notice or message, otherwise the card. */
  async function sendReply(context: TurnContext, reply: ClusterReply): Promise<void> {
    if (reply.kind === 'notice' || reply.kind === 'message') return void (await context.sendActivity(reply.message));
    const card = renderClusterReply(reply, await refreshListFor(context, reply));
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  }

  /** A button's answer, to the presser only; a review posted in a chat goes to everyone there. */
  async function answerButton(context: TurnContext, reply: ClusterReply): Promise<void> {
    if (reply.kind === 'message') return replyToInvokeWithMessage(context, reply.message);
    if (reply.kind === 'posted review') {
      const card = renderClusterReply(reply, await refreshListFor(context, reply));
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
      return replyToInvokeWithMessage(context, reply.message);
    }
    if (reply.kind === 'review' && reply.changed) await updateSharedReview(context, reply.view.district, reply.view.pupilId);
    await replyToInvokeWithCard(context, renderClusterReply(reply));
  }

  const view = (context: TurnContext) => (isSharedConversation(context) ? 'shared' : 'own');

  // ---- commands ----

  app.message(COMMANDS.cluster.pattern, async (context) => {
    await sendReply(context, await heavyRead(deps, () => runClusterCommand(svc, getActor(context), context.activity.text ?? '', view(context))));
  });
  app.message(COMMANDS.pupil.pattern, async (context) => {
    const query = (context.activity.text ?? '').replace(/^\s*pupil\b/i, '');
    await sendReply(context, await heavyRead(deps, () => runPupilCommand(svc, getActor(context), query, view(context))));
  });
  app.message(COMMANDS.myActions.pattern, async (context) => {
    await sendReply(context, await heavyRead(deps, () => runMyActions(svc, getActor(context), view(context))));
  });

  // ---- buttons (each answered to the presser only, with their own view) ----

  verbRoute(app, VERBS.clusterAgenda, async (context, data) => answerButton(context, await heavyRead(deps, () => runAgendaAction(svc, getActor(context), data))));
  verbRoute(app, VERBS.clusterCandidates, async (context, data) => answerButton(context, await heavyRead(deps, () => runCandidatesAction(svc, getActor(context), data))));
  verbRoute(app, VERBS.clusterNominate, async (context, data) => answerButton(context, await heavyRead(deps, () => runNominateAction(svc, getActor(context), data))));
  verbRoute(app, VERBS.clusterMinutes, async (context, data) => answerButton(context, await heavyRead(deps, () => runMinutesAction(svc, getActor(context), data))));
  verbRoute(app, VERBS.myActions, async (context) => answerButton(context, await heavyRead(deps, () => runMyActions(svc, getActor(context), 'own'))));
  verbRoute(app, VERBS.clusterReview, async (context, data) => {
    // Opening a review in a meeting chat posts it for everyone (minimised, names by refresh);
    // Teams' automatic refresh only redraws the reader's own copy.
    const postInChat = isSharedConversation(context) && context.activity.value?.trigger !== 'automatic';
    await answerButton(context, await runReviewAction(svc, getActor(context), data, { postInChat }));
  });
  verbRoute(app, VERBS.clusterReviewSave, async (context, data) => answerButton(context, await runReviewSave(svc, getActor(context), data)));
  verbRoute(app, VERBS.clusterActionStatus, async (context, data) => answerButton(context, await runActionStatus(svc, getActor(context), data)));

  /**
   * In a chat or channel, rewrites the review message for everyone: the shared (minimised) card
   * with its refresh list, so each allowed viewer's own view follows. A failure here must not
   * lose the save: the presser still gets their answer.
   */
  async function updateSharedReview(context: TurnContext, district: string, pupilId: number): Promise<void> {
    if (!isSharedConversation(context) || !context.activity.replyToId) return;
    try {
      const shared = await runSharedReview(svc, getActor(context), { district, pupilId });
      if (shared.kind !== 'review') return;
      const refreshUserIds = await refreshListFor(context, shared);
      await context.updateActivity({
        type: ActivityTypes.Message,
        id: context.activity.replyToId,
        attachments: [CardFactory.adaptiveCard(renderClusterReply(shared, refreshUserIds))],
      });
    } catch (error) {
      deps.logger.warn('cluster.shared_update_failed', describeError(error));
    }
  }
}
