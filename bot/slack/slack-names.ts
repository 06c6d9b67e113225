import type { App } from '@slack/bolt';
import { context, noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import { SLACK_CLUSTER_ACTIONS } from '../../cards/slack/cluster-buttons';
import { describeError } from '../../services/logger';
import { heavyRead } from '../bot-deps';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from './slack-app';
import { clusterView, viewRefSchema } from './slack-cluster-views';
import { renderClusterForSlack } from './slack-commands';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';

/**
 * "Show names" on a cluster message in a channel or group DM: the presser's own view of that page,
 * as an ephemeral message only they see (chat.postEphemeral), never posted to the channel. Names
 * come only if their role and scope allow, by the same services and rule as Teams' own view of a
 * shared card (namesAllowed, scope in the query), and the read is audited there.
 */

export const NAMES_REFUSED = 'Your role does not see pupils’ names here.';

export function registerSlackNames(app: App, ctx: SlackContext): void {
  const { deps } = ctx;
  app.action(SLACK_CLUSTER_ACTIONS.names, async ({ action, ack, body, client }) => {
    await ack();
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    if (!channelId) return;
    let answer: SlackMessage;
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, conversationTypeOfChannel(channelId));
      const parsed = viewRefSchema.safeParse(buttonData((action as { value?: string }).value));
      if (!actor) answer = noticeMessage(SLACK_NOT_SET_UP_MESSAGE);
      else if (!parsed.success) answer = noticeMessage(`That button is out of date: ${parsed.error.issues[0]!.message}.`);
      else {
        const reply = await heavyRead(deps, () => clusterView(ctx, actor, parsed.data, 'own'));
        if (reply.kind === 'notice' || reply.kind === 'message') answer = noticeMessage(reply.message);
        else if ((reply.kind === 'agenda' || reply.kind === 'minutes' || reply.kind === 'candidates') && reply.view.nameMode === 'names') {
          const drawn = renderClusterForSlack(reply);
          // Paging buttons would redraw the shared copy: this private copy keeps only the rows' Review buttons.
          answer = { text: drawn.text, blocks: [context('Only you can see this.'), ...drawn.blocks.filter((b) => b.type !== 'actions').slice(0, 49)] };
        } else answer = noticeMessage(NAMES_REFUSED);
      }
    } catch (error) {
      deps.logger.error('slack.names_failed', describeError(error));
      answer = noticeMessage(SLACK_FAILED_MESSAGE);
    }
    await client.chat.postEphemeral({ channel: channelId, user: body.user.id, text: answer.text, blocks: answer.blocks });
  });
}
