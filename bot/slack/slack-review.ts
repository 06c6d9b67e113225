import type { App } from '@slack/bolt';
import { mrkdwnFromMarkdown, section } from '../../cards/slack/block-kit';
import { modal, type ModalView } from '../../cards/slack/modal-kit';
import { reviewBlocks, reviewErrors, reviewModal, SLACK_REVIEW, type ReviewModalMetadata } from '../../cards/slack/review-blocks';
import { runReviewAction, runReviewSave } from '../../services/cluster/cluster-commands';
import { describeError } from '../../services/logger';
import { heavyRead } from '../bot-deps';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from './slack-app';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';

/**
 * The cluster review as a Slack modal. A pupil's Review button opens it (views.open) with the
 * presser's own view of the pupil: a modal is private, as Teams answers a button to the presser
 * only. Its submission goes through the same runReviewSave as the Teams card (the same zod schema,
 * checks, scope, store and audit): problems come back beside the fields (response_action
 * "errors", by block id) with nothing saved; a refusal replaces the form with the reason; a good
 * submission closes it and the presser is told, privately outside a direct message.
 */

function noticeModal(markdown: string): ModalView {
  return modal({ callbackId: 'notice', title: 'Inclusion Assistant', metadata: {}, info: [section(mrkdwnFromMarkdown(markdown))] });
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_date?: string | null; selected_option?: { value?: string } | null }>>;

/** The submitted form as the Teams card sends it: the review's keys plus each input's text. */
function formData(meta: Partial<ReviewModalMetadata>, values: StateValues): Record<string, unknown> {
  const text = (id: string) => values[id]?.[id]?.value ?? '';
  return {
    district: meta.district,
    pupilId: meta.pupilId,
    barriers: text('barriers'),
    leadPractitioner: text('leadPractitioner'),
    actionWhat: text('actionWhat'),
    actionOwner: values.actionOwner?.actionOwner?.selected_option?.value ?? '',
    actionDue: values.actionDue?.actionDue?.selected_date ?? '',
    outcome: text('outcome'),
  };
}

export function registerSlackReview(app: App, ctx: SlackContext): void {
  const { deps } = ctx;
  const svc = ctx.commands.cluster;

  app.action(new RegExp(`^${SLACK_REVIEW.open.replace('.', '\\.')}\\.\\d+(\\.\\d+)?$`), async ({ action, ack, respond, body, client }) => {
    await ack();
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const triggerId = (body as { trigger_id?: string }).trigger_id;
    const tell = (markdown: string) => respond({ text: mrkdwnFromMarkdown(markdown), response_type: 'ephemeral', replace_original: false });
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, channelId ? conversationTypeOfChannel(channelId) : 'personal');
      if (!actor) return void (await tell(SLACK_NOT_SET_UP_MESSAGE));
      const reply = await heavyRead(deps, () => runReviewAction(svc, actor, buttonData((action as { value?: string }).value), { postInChat: false }));
      if (reply.kind !== 'review') return void (await tell(reply.kind === 'notice' || reply.kind === 'message' ? reply.message : SLACK_FAILED_MESSAGE));
      if (!triggerId) return void (await tell(SLACK_FAILED_MESSAGE));
      const metadata: ReviewModalMetadata = { district: reply.view.district, pupilId: reply.view.pupilId, ...(channelId ? { channel: channelId } : {}) };
      await client.views.open({ trigger_id: triggerId, view: reviewModal(reply.view, metadata) as never });
    } catch (error) {
      deps.logger.error('slack.review_open_failed', describeError(error));
      await tell(SLACK_FAILED_MESSAGE);
    }
  });

  app.view(SLACK_REVIEW.save, async ({ ack, body, view, client }) => {
    let meta: Partial<ReviewModalMetadata> = {};
    try {
      meta = JSON.parse(view.private_metadata || '{}') as Partial<ReviewModalMetadata>;
    } catch {
      meta = {};
    }
    const channel = typeof meta.channel === 'string' ? meta.channel : undefined;
    const conversationType = channel ? conversationTypeOfChannel(channel) : 'personal';
    let saved: ReturnType<typeof reviewBlocks> | undefined;
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, conversationType);
      if (!actor) return void (await ack({ response_action: 'update', view: noticeModal(SLACK_NOT_SET_UP_MESSAGE) as never }));
      const reply = await runReviewSave(svc, actor, formData(meta, view.state.values as StateValues));
      if (reply.kind === 'review' && reply.errors) return void (await ack({ response_action: 'errors', errors: reviewErrors(reply.errors) }));
      if (reply.kind !== 'review') return void (await ack({ response_action: 'update', view: noticeModal(reply.kind === 'notice' || reply.kind === 'message' ? reply.message : SLACK_FAILED_MESSAGE) as never }));
      await ack();
      saved = reviewBlocks(reply.view, { savedNote: reply.savedNote });
    } catch (error) {
      deps.logger.error('slack.review_save_failed', describeError(error));
      return void (await ack({ response_action: 'errors', errors: { barriers: SLACK_FAILED_MESSAGE } }).catch(() => undefined));
    }
    if (!channel || !saved) return;
    try {
      // The presser's own (named) view: in a direct message as a message, elsewhere to them alone.
      if (conversationType === 'personal') await client.chat.postMessage({ channel, text: saved.text, blocks: saved.blocks });
      else await client.chat.postEphemeral({ channel, user: body.user.id, text: saved.text, blocks: saved.blocks });
    } catch (error) {
      // The review is saved; only the confirmation was lost.
      deps.logger.warn('slack.review_confirm_failed', describeError(error));
    }
  });
}
