import type { App } from '@slack/bolt';
import type { ZodType } from 'zod';
import { noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import type { Actor } from '../../services/identity/actor';
import { describeError } from '../../services/logger';
import type { ConversationType } from '../../services/store/database';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from './slack-app';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';

/** What a press answers to its response_url: the message redrawn in place, or a note to the presser alone. */
export type PressReply = SlackMessage & { replace_original?: boolean; response_type?: 'ephemeral' };

/** A note only the presser sees; the message pressed stays as it was. */
export const toPresser = (markdown: string): PressReply => ({ ...noticeMessage(markdown), response_type: 'ephemeral', replace_original: false });

/**
 * A button whose press is answered to its response_url, the way every such button checks first:
 * acknowledged at once; someone not set up, or a value the schema refuses (the field named, unless
 * `outOfDate` gives the words), told so alone; a failure logged without details and told.
 */
export function onPress<T>(
  app: App,
  ctx: SlackContext,
  actionId: string | RegExp,
  options: { schema: ZodType<T, any, any>; failure: string; outOfDate?: string },
  answer: (actor: Actor, data: T, conversationType: ConversationType) => Promise<PressReply>,
): void {
  app.action(actionId, async ({ action, ack, respond, body, client }) => {
    await ack();
    const channelId = (body as { channel?: { id?: string } }).channel?.id ?? 'D';
    const conversationType = conversationTypeOfChannel(channelId);
    let reply: PressReply;
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, conversationType);
      const parsed = options.schema.safeParse(buttonData((action as { value?: string }).value));
      if (!actor) reply = toPresser(SLACK_NOT_SET_UP_MESSAGE);
      else if (!parsed.success) reply = toPresser(options.outOfDate ?? `That button is out of date: ${parsed.error.issues[0]!.message}.`);
      else reply = await answer(actor, parsed.data, conversationType);
    } catch (error) {
      ctx.deps.logger.error(options.failure, describeError(error));
      reply = toPresser(SLACK_FAILED_MESSAGE);
    }
    await respond(reply);
  });
}
