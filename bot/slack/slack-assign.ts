import type { App } from '@slack/bolt';
import { alertBlocks, assignModal, SLACK_ALERT_ACTIONS, SLACK_ASSIGN_MODAL, type AssignModalMetadata } from '../../cards/slack/alert-blocks';
import { mrkdwnFromMarkdown, section } from '../../cards/slack/block-kit';
import { modal } from '../../cards/slack/modal-kit';
import { alertRefSchema, assignAlert } from '../../services/alerts/alert-actions';
import { describeError } from '../../services/logger';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from './slack-app';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';

/**
 * "Assign to colleague" on the Slack alert card, as the Teams card's Assign with an email: the
 * button opens a one-field modal; its submission runs the same assignAlert (scope of both people
 * checked, audited, the colleague told through the outbox). A wrong email comes back beside the
 * field; a good one closes the form and redraws the card in place.
 */

const notice = (markdown: string) => modal({ callbackId: 'notice', title: 'Inclusion Assistant', metadata: {}, info: [section(mrkdwnFromMarkdown(markdown))] });

export function registerSlackAssign(app: App, ctx: SlackContext): void {
  const { deps } = ctx;

  app.action(SLACK_ALERT_ACTIONS.assignToColleague, async ({ action, ack, body, client, respond }) => {
    await ack();
    const parsed = alertRefSchema.safeParse(buttonData((action as { value?: string }).value));
    const triggerId = (body as { trigger_id?: string }).trigger_id;
    const container = (body as { container?: { channel_id?: string; message_ts?: string } }).container;
    if (!parsed.success || !triggerId) return void (await respond({ text: 'That button is out of date.', response_type: 'ephemeral', replace_original: false }));
    const metadata: AssignModalMetadata = { alertId: parsed.data.alertId, ...(container?.channel_id ? { channel: container.channel_id } : {}), ...(container?.message_ts ? { ts: container.message_ts } : {}) };
    try {
      await client.views.open({ trigger_id: triggerId, view: assignModal(metadata) as never });
    } catch (error) {
      deps.logger.error('slack.assign_open_failed', describeError(error));
    }
  });

  app.view(SLACK_ASSIGN_MODAL, async ({ ack, body, view, client }) => {
    let meta: Partial<AssignModalMetadata> = {};
    try {
      meta = JSON.parse(view.private_metadata || '{}') as Partial<AssignModalMetadata>;
    } catch {
      meta = {};
    }
    const channel = typeof meta.channel === 'string' ? meta.channel : undefined;
    let redraw: ReturnType<typeof alertBlocks> | undefined;
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, channel ? conversationTypeOfChannel(channel) : 'personal');
      if (!actor) return void (await ack({ response_action: 'update', view: notice(SLACK_NOT_SET_UP_MESSAGE) as never }));
      const email = (view.state.values as Record<string, Record<string, { value?: string | null }>>).email?.email?.value ?? '';
      const result = await assignAlert(ctx.commands.alerts, actor, { alertId: meta.alertId, email });
      if (!result.ok && result.field) return void (await ack({ response_action: 'errors', errors: { email: result.message } }));
      if (!result.ok) return void (await ack({ response_action: 'update', view: notice(result.message) as never }));
      await ack();
      redraw = alertBlocks(result.view, { notice: result.message });
    } catch (error) {
      deps.logger.error('slack.assign_failed', describeError(error));
      return void (await ack({ response_action: 'errors', errors: { email: SLACK_FAILED_MESSAGE } }).catch(() => undefined));
    }
    if (!channel || !meta.ts || !redraw) return;
    try {
      await client.chat.update({ channel, ts: meta.ts, text: redraw.text, blocks: redraw.blocks });
    } catch (error) {
      // Assigned already; only the redraw of this copy was lost (the delivery worker bumps the others).
      deps.logger.warn('slack.assign_redraw_failed', describeError(error));
    }
  });
}
