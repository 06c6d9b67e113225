import type { App } from '@slack/bolt';
import { noticeMessage } from '../../cards/slack/block-kit';
import { describeModal, homeBlocks, notSetUpHomeBlocks, SLACK_DESCRIBE_VIEW, SLACK_HOME_ACTIONS, type HomeView } from '../../cards/slack/home-blocks';
import { listOpenAlerts } from '../../services/alerts/alert-digest';
import type { AlertViewContext } from '../../services/alerts/alert-view';
import { describeChannel } from '../../services/alerts/delivery-channel';
import { describeRules, listSubscriptions, type SubscriptionLine } from '../../services/alerts/subscriptions';
import { isSafeguardingConcern, recordSafeguardingRedirect, safeguardingReply } from '../../services/assistant/safeguarding';
import { runMyActions } from '../../services/cluster/cluster-commands';
import { ROLE_LABELS, type Actor } from '../../services/identity/actor';
import { describeScope } from '../../services/identity/scope';
import { runLadderCommand } from '../../services/ladder/ladder-commands';
import { describeError, type Logger } from '../../services/logger';
import type { ConversationType } from '../../services/store/database';
import { renderLadderForSlack, type SlackCommandDeps } from './slack-commands';
import { SLACK_SUBSCRIPTION_COMMAND } from './slack-subscriptions';

/**
 * The App Home tab (app_home_opened): views.publish the person's own page, built by the same
 * services, scope rules and audit as Teams' "my actions" and "alerts list" (the reads are audited
 * as coming through Slack). Someone not set up gets a page saying how to be added. The "Describe a
 * situation" button opens a modal; its text is checked for a safeguarding concern first (then the
 * safeguarding route is given and nothing is searched), else looked up on the ladder, and the
 * answer comes by DM. The Home is drawn again after each press made from it.
 */

export interface SlackHomeDeps {
  commands: SlackCommandDeps;
  alerts: AlertViewContext;
  logger: Logger;
  safeguardingContact?: string;
  notSetUpMessage: string;
  /** The staff user behind a Slack user (slack-app.ts): linked, or matched by profile email. */
  actorFor(client: App['client'], slackUserId: string, teamId: string | undefined, conversationType: ConversationType): Promise<Actor | undefined>;
}

interface SlackBody {
  type?: string;
  command?: string;
  text?: string;
  user_id?: string;
  team_id?: string;
  channel_id?: string;
  user?: { id?: string };
  team?: { id?: string } | null;
  actions?: { action_id?: string }[];
  event?: { type?: string; channel_type?: string; user?: string; text?: string; subtype?: string; bot_id?: string };
}

/** Whose Home an incoming request changes, if any. */
function homeChangedFor(body: SlackBody): { userId: string; teamId: string | undefined } | undefined {
  if (body.type === 'block_actions' && body.user?.id && body.actions?.some((a) => a.action_id?.startsWith('alert.'))) return { userId: body.user.id, teamId: body.team?.id ?? undefined };
  // Only from a direct message: elsewhere the command is refused and changes nothing.
  if (body.command && body.user_id && body.channel_id?.startsWith('D') && SLACK_SUBSCRIPTION_COMMAND.test((body.text ?? '').trim())) return { userId: body.user_id, teamId: body.team_id };
  const e = body.event;
  if (e?.type === 'message' && e.channel_type === 'im' && e.user && !e.subtype && !e.bot_id && SLACK_SUBSCRIPTION_COMMAND.test((e.text ?? '').trim())) return { userId: e.user, teamId: body.team_id };
  return undefined;
}

/** Audit command name for the Home's reads. */
const HOME_COMMAND = 'slack home';

function subscriptionText(line: SubscriptionLine): string {
  const area = line.area.kind === 'county' ? 'the whole county' : `${line.area.kind} ${line.area.value}`;
  const where = line.channel ? `, in ${describeChannel(line.channel)}` : '';
  return `${area}: ${describeRules(line.rules)}${line.implicit ? ' (the default for your role)' : ''}${where}`;
}

export function registerSlackHome(app: App, deps: SlackHomeDeps): void {
  async function viewFor(actor: Actor | undefined): Promise<HomeView> {
    if (!actor) return notSetUpHomeBlocks(deps.notSetUpMessage);
    const mine = await runMyActions(deps.commands.cluster, actor, 'own');
    if (mine.kind !== 'my actions') throw new Error('my actions gave no view');
    return homeBlocks({
      name: actor.user.name,
      roleLabel: ROLE_LABELS[actor.role],
      scopeDescription: describeScope(actor.scope),
      myActions: mine.view,
      alerts: await listOpenAlerts(deps.alerts, actor, 1, HOME_COMMAND),
      // A person's own subscriptions (the Home is theirs alone, like a personal chat).
      subscriptions: (await listSubscriptions(deps.alerts.db, actor, 'slack-home')).map(subscriptionText),
    });
  }

  async function publish(client: App['client'], slackUserId: string, teamId: string | undefined): Promise<void> {
    try {
      const actor = await deps.actorFor(client, slackUserId, teamId, 'personal');
      await client.views.publish({ user_id: slackUserId, view: (await viewFor(actor)) as never });
    } catch (error) {
      deps.logger.error('slack.home_failed', describeError(error));
    }
  }

  // Redrawn after what changes it, once that has run: an alert card's button (acknowledge, assign,
  // snooze) or a subscription typed in Slack.
  app.use(async ({ body, next, client }) => {
    await next();
    const changed = homeChangedFor(body as SlackBody);
    if (changed) await publish(client, changed.userId, changed.teamId);
  });

  app.event('app_home_opened', async ({ event, client, body }) => {
    // The Messages tab opens this event too: only the Home tab is ours to draw.
    if (event.tab !== 'home') return;
    await publish(client, event.user, (body as { team_id?: string }).team_id);
  });

  app.action(SLACK_HOME_ACTIONS.refresh, async ({ ack, body, client }) => {
    await ack();
    await publish(client, body.user.id, body.team?.id ?? undefined);
  });

  app.action(SLACK_HOME_ACTIONS.describe, async ({ ack, body, client }) => {
    await ack();
    const trigger = (body as { trigger_id?: string }).trigger_id;
    if (!trigger) return;
    try {
      await client.views.open({ trigger_id: trigger, view: describeModal() as never });
    } catch (error) {
      deps.logger.error('slack.modal_failed', describeError(error));
    }
  });

  app.view(SLACK_DESCRIBE_VIEW.callbackId, async ({ ack, view, body, client }) => {
    const value = view.state.values[SLACK_DESCRIBE_VIEW.block]?.[SLACK_DESCRIBE_VIEW.action]?.value;
    const text = (value ?? '').replace(/\s+/g, ' ').trim();
    if (text === '') {
      // The modal stays open, the message under the field it names.
      await ack({ response_action: 'errors', errors: { [SLACK_DESCRIBE_VIEW.block]: 'Describe what happened: "What happened?" is empty.' } });
      return;
    }
    await ack();
    const userId = body.user.id;
    const teamId = body.team?.id ?? undefined;
    try {
      const actor = await deps.actorFor(client, userId, teamId, 'personal');
      let reply;
      if (isSafeguardingConcern(text)) {
        // As in chat: a concern is never searched or stored; the route to the DSL is given instead.
        if (actor) await recordSafeguardingRedirect(deps.commands.ladder.db, deps.commands.ladder.clock, actor);
        reply = noticeMessage(safeguardingReply(deps.safeguardingContact));
      } else {
        const ladderActor = actor ? { staffUserId: actor.user.id, role: actor.role } : { staffUserId: null, role: null };
        reply = renderLadderForSlack(await runLadderCommand(deps.commands.ladder, ladderActor, text));
      }
      const dm = await client.conversations.open({ users: userId });
      if (dm.channel?.id) await client.chat.postMessage({ channel: dm.channel.id, ...reply });
    } catch (error) {
      deps.logger.error('slack.describe_failed', describeError(error));
    }
    await publish(client, userId, teamId);
  });
}
