import type { App } from '@slack/bolt';
import { z } from 'zod';
import { context, noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import { SLACK_NOMINATE } from '../../cards/slack/cluster-buttons';
import { nominatePupil } from '../../services/cluster/cluster-nominations';
import { describeError } from '../../services/logger';
import { heavyRead } from '../bot-deps';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from './slack-app';
import { clusterView } from './slack-cluster-views';
import { renderClusterForSlack } from './slack-commands';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';

/**
 * Nominate on the candidates list and on a review, as the Teams cards' button: the same
 * nominatePupil (pupil on roll at a school in the presser's scope, checked in its query; audited).
 * The candidates list is redrawn in place in the conversation's own view with a line saying what
 * happened; from a review the presser alone is told. A refusal goes to the presser alone.
 */

const nominateButtonData = z.object({
  district: z.string({ required_error: 'the button has no district' }).trim().min(1, 'the button has no district').max(100),
  pupilId: z.coerce.number().int().positive(),
  back: z.enum(['candidates', 'review']).default('candidates'),
  from: z.coerce.number().int().min(0).max(1_000_000).optional(),
  school: z.string().max(120).optional(),
  cohort: z.string().max(40).optional(),
});

type Reply = SlackMessage & { replace_original?: boolean; response_type?: 'ephemeral' };
const toPresser = (markdown: string): Reply => ({ ...noticeMessage(markdown), response_type: 'ephemeral', replace_original: false });

export function registerSlackNominate(app: App, ctx: SlackContext): void {
  const { deps } = ctx;
  app.action(new RegExp(`^${SLACK_NOMINATE.replace('.', '\\.')}\\.\\d+$`), async ({ action, ack, respond, body, client }) => {
    await ack();
    const channelId = (body as { channel?: { id?: string } }).channel?.id ?? 'D';
    const conversationType = conversationTypeOfChannel(channelId);
    let reply: Reply;
    try {
      const actor = await ctx.actorFor(client, body.user.id, body.team?.id ?? undefined, conversationType);
      const parsed = nominateButtonData.safeParse(buttonData((action as { value?: string }).value));
      if (!actor) reply = toPresser(SLACK_NOT_SET_UP_MESSAGE);
      else if (!parsed.success) reply = toPresser(`That button is out of date: ${parsed.error.issues[0]!.message}.`);
      else {
        const { district, pupilId, back, from, school, cohort } = parsed.data;
        const nominated = await nominatePupil(ctx.commands.cluster, actor, { district, pupilId, reason: '' });
        if (!nominated.ok) reply = toPresser(nominated.message);
        else {
          const { meeting, added } = nominated.view;
          const said = added ? `Nominated for the meeting on ${meeting.date} by ${actor.user.name}.` : `Already nominated for the meeting on ${meeting.date}.`;
          if (back === 'review') reply = toPresser(said);
          else {
            const list = await heavyRead(deps, () => clusterView(ctx, actor, { what: 'candidates', district, from, school, cohort }, conversationType === 'personal' ? 'own' : 'shared'));
            if (list.kind !== 'candidates') reply = toPresser(said);
            else {
              const drawn = renderClusterForSlack(list);
              reply = { text: drawn.text, blocks: [context(`:white_check_mark: ${said}`), ...drawn.blocks].slice(0, 50), replace_original: true };
            }
          }
        }
      }
    } catch (error) {
      deps.logger.error('slack.nominate_failed', describeError(error));
      reply = toPresser(SLACK_FAILED_MESSAGE);
    }
    await respond(reply);
  });
}
