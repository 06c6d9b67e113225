import { helpBlocks } from '../../cards/slack/help-blocks';
import { ladderOverviewBlocks, ladderResultsBlocks, ladderRungBlocks } from '../../cards/slack/ladder-blocks';
import { message, noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import { clusterAgendaBlocks } from '../../cards/slack/cluster-agenda-blocks';
import { myActionsBlocks } from '../../cards/slack/my-actions-blocks';
import { clusterCandidatesBlocks, clusterMinutesBlocks } from '../../cards/slack/cluster-minutes-blocks';
import { pupilSearchBlocks, reviewBlocks } from '../../cards/slack/review-blocks';
import { alertDigestBlocks, alertListBlocks } from '../../cards/slack/alert-digest-blocks';
import { placesBlocks } from '../../cards/slack/places-blocks';
import { clusterExportBlocks, ladderStatsBlocks } from '../../cards/slack/stats-export-blocks';
import { createExportLinks, EXPORT_LINK_MINUTES } from '../../services/cluster/cluster-export';
import { runClusterCommand, runMyActions, runPupilCommand, type ClusterReply, type ViewKind } from '../../services/cluster/cluster-commands';
import { runAlertCommand } from '../../services/alerts/alert-commands';
import type { AlertViewContext } from '../../services/alerts/alert-view';
import { placesOverview } from '../../services/places/places-overview';
import type { ClusterDeps } from '../../services/cluster/cluster-service-types';
import { COMMANDS, COMMAND_CATALOGUE, commandsForRole } from '../../services/commands/command-catalogue';
import type { Actor } from '../../services/identity/actor';
import { ROLE_LABELS } from '../../services/identity/actor';
import { describeScope } from '../../services/identity/scope';
import { runLadderCommand, type LadderContext, type LadderReply } from '../../services/ladder/ladder-commands';
import type { AssistantDecision } from '../../services/assistant/assistant';
import { runSlackSubscription, SLACK_SUBSCRIPTION_COMMAND } from './slack-subscriptions';

/** Said for a command the Teams bot has and Slack does not have yet. */
export const NOT_IN_SLACK_YET = 'That command is not available in Slack yet: use it in Microsoft Teams for now. Type `/inclusion help` to see what works here.';
export const SLACK_FALLBACK = "Sorry, I didn't understand that. Type `/inclusion help` to see what I can do for you.";

export interface SlackCommandDeps {
  ladder: LadderContext;
  cluster: ClusterDeps;
  /** Alerts and places read the same store, clock and calendar (AlertViewContext is PlacesContext's shape). */
  alerts: AlertViewContext;
  /** The bot's web address, for export links; absent: exports are not set up. */
  publicUrl?: string;
  /** The plain-language assistant, the same as Teams uses; absent: unmatched text gets a pointer to help. */
  decide?: (actor: Actor, text: string) => Promise<AssistantDecision>;
}

export function renderLadderForSlack(reply: LadderReply): SlackMessage {
  switch (reply.kind) {
    case 'overview':
      return ladderOverviewBlocks(reply.view);
    case 'rung':
      return ladderRungBlocks(reply.view);
    case 'results':
      return ladderResultsBlocks(reply.view);
    case 'stats':
      return ladderStatsBlocks(reply.view);
    case 'notice':
      return noticeMessage(reply.message);
  }
}

/** Every cluster reply as Block Kit (the same replies the Teams cards draw). */
export function renderClusterForSlack(reply: ClusterReply): SlackMessage {
  switch (reply.kind) {
    case 'agenda':
      return clusterAgendaBlocks(reply.view);
    case 'candidates':
      return clusterCandidatesBlocks(reply.view);
    case 'minutes':
      return clusterMinutesBlocks(reply.view);
    case 'search':
      return pupilSearchBlocks(reply.view);
    case 'review':
      return reviewBlocks(reply.view, { savedNote: reply.savedNote });
    case 'posted review':
      return reviewBlocks(reply.view);
    case 'my actions':
      return myActionsBlocks(reply.view);
    case 'notice':
    case 'message':
      return noticeMessage(reply.message);
  }
}

/** `cluster <district> export`: one-use links, names only when asked in a direct message (as in Teams). */
async function runExportForSlack(deps: SlackCommandDeps, actor: Actor, words: string, view: ViewKind): Promise<SlackMessage> {
  if (!deps.publicUrl) return noticeMessage('Exports are not set up on this bot yet: an administrator needs to set PUBLIC_URL (the bot’s web address).');
  const district = COMMANDS.clusterExport.pattern.exec(words)?.[1]?.trim() ?? '';
  const result = await createExportLinks(deps.cluster, actor, { district, view });
  if (!result.ok) return noticeMessage(result.message);
  const base = deps.publicUrl.replace(/\/+$/, '');
  const url = (token: string) => `${base}/exports/${token}`;
  const { tokens } = result.view;
  return clusterExportBlocks({ district: result.view.district, agendaUrl: url(tokens.agenda), minutesUrl: url(tokens.minutes), pupilsUrl: url(tokens.pupils), minutesValid: EXPORT_LINK_MINUTES, nameMode: result.view.nameMode });
}

/** `alerts` subcommands Slack answers; subscribing a Slack conversation is not here yet. */
const SLACK_ALERT_VERBS = /^\s*alerts?(\s+(list|digest|rules)\b.*)?\s*$/i;

async function runAlertsForSlack(deps: SlackCommandDeps, actor: Actor, words: string, conversationId: string): Promise<SlackMessage> {
  if (!SLACK_ALERT_VERBS.test(words)) return noticeMessage(NOT_IN_SLACK_YET);
  const reply = await runAlertCommand(deps.alerts, actor, conversationId, words.replace(/^\s*alerts?\b/i, ''));
  if (reply.kind === 'digest') return alertDigestBlocks(reply.view);
  if (reply.kind === 'list') return alertListBlocks(noticeMessage(reply.message), reply.view);
  return noticeMessage(reply.message.replace(/\*\*(alerts [^*]*)\*\*/g, '`/inclusion $1`'));
}

/**
 * One command from Slack (slash command text, a DM, or an @mention with the mention removed),
 * answered by the same services as in Teams. `actor` is undefined for someone not set up, who may
 * only read the ladder (it holds no pupil data), as in Teams.
 */
export async function runSlackCommand(deps: SlackCommandDeps, actor: Actor | undefined, text: string, view: ViewKind, conversationId = ''): Promise<SlackMessage> {
  const words = text.replace(/\s+/g, ' ').trim();
  if (COMMANDS.ladder.pattern.test(words)) {
    const ladderActor = actor ? { staffUserId: actor.user.id, role: actor.role } : { staffUserId: null, role: null };
    return renderLadderForSlack(await runLadderCommand(deps.ladder, ladderActor, words.replace(/^\s*ladder\b/i, '')));
  }
  if (!actor) throw new Error('runSlackCommand: only the ladder is open to someone not set up');
  if (words === '' || COMMANDS.help.pattern.test(words)) {
    return helpBlocks({ userName: actor.user.name, roleLabel: ROLE_LABELS[actor.role], scopeDescription: describeScope(actor.scope), commands: commandsForRole(actor.role) });
  }
  if (COMMANDS.clusterExport.pattern.test(words)) return runExportForSlack(deps, actor, words, view);
  if (COMMANDS.cluster.pattern.test(words)) return renderClusterForSlack(await runClusterCommand(deps.cluster, actor, words, view));
  if (COMMANDS.myActions.pattern.test(words)) return renderClusterForSlack(await runMyActions(deps.cluster, actor, view));
  if (SLACK_SUBSCRIPTION_COMMAND.test(words)) return runSlackSubscription(deps.cluster, actor, words);
  if (COMMANDS.pupil.pattern.test(words)) return renderClusterForSlack(await runPupilCommand(deps.cluster, actor, words.replace(/^\s*pupil\b/i, ''), view));
  if (COMMANDS.alerts.pattern.test(words)) return runAlertsForSlack(deps, actor, words, conversationId);
  if (COMMANDS.places.pattern.test(words)) {
    const places = await placesOverview(deps.alerts, actor);
    return places.ok ? placesBlocks(places.view) : noticeMessage(places.message);
  }
  if (COMMAND_CATALOGUE.some((c) => c.pattern.test(words))) return noticeMessage(NOT_IN_SLACK_YET);
  if (!deps.decide) return noticeMessage(SLACK_FALLBACK);
  return answerPlainLanguage(deps, actor, await deps.decide(actor, words), view, conversationId);
}

/** Text no command matched, as the assistant decided: the same decisions as in Teams, drawn for Slack. */
async function answerPlainLanguage(deps: SlackCommandDeps, actor: Actor, decision: AssistantDecision, view: ViewKind, conversationId: string): Promise<SlackMessage> {
  switch (decision.kind) {
    case 'safeguarding':
      return noticeMessage(decision.message);
    case 'suggest':
      return noticeMessage([decision.message.replace(/\*\*help\*\*/g, '`/inclusion help`'), '', ...decision.options.map((o) => `- \`/inclusion ${o.command}\``)].join('\n'));
    case 'run': {
      // The command the assistant chose, run as if typed (without a second plain-language round).
      const answer = await runSlackCommand({ ...deps, decide: undefined }, actor, decision.command, view, conversationId);
      const said = noticeMessage(decision.message.replace(/`([^`]+)`/g, '`/inclusion $1`'));
      return message(`${said.text}\n${answer.text}`, [...said.blocks, ...answer.blocks]);
    }
  }
}

/** The ladder (not `ladder stats`) is open to people not set up yet, as in Teams. */
export function isOpenToEveryone(text: string): boolean {
  const words = text.replace(/\s+/g, ' ').trim().toLowerCase();
  return /^ladder(\s|$)/.test(words) && !/^ladder stats?\b/.test(words);
}
