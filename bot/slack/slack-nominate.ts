import type { App } from '@slack/bolt';
import { z } from 'zod';
import { context } from '../../cards/slack/block-kit';
import { SLACK_NOMINATE } from '../../cards/slack/cluster-buttons';
import { nominatePupil } from '../../services/cluster/cluster-nominations';
import { heavyRead } from '../bot-deps';
import { clusterView } from './slack-cluster-views';
import { renderClusterForSlack } from './slack-commands';
import type { SlackContext } from './slack-context';
import { onPress, toPresser } from './slack-press';

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

export function registerSlackNominate(app: App, ctx: SlackContext): void {
  onPress(app, ctx, new RegExp(`^${SLACK_NOMINATE.replace('.', '\\.')}\\.\\d+$`), { schema: nominateButtonData, failure: 'slack.nominate_failed' }, async (actor, data, conversationType) => {
    const { district, pupilId, back, from, school, cohort } = data;
    const nominated = await nominatePupil(ctx.commands.cluster, actor, { district, pupilId, reason: '' });
    if (!nominated.ok) return toPresser(nominated.message);
    const { meeting, added } = nominated.view;
    const said = added ? `Nominated for the meeting on ${meeting.date} by ${actor.user.name}.` : `Already nominated for the meeting on ${meeting.date}.`;
    if (back === 'review') return toPresser(said);
    const list = await heavyRead(ctx.deps, () => clusterView(ctx, actor, { what: 'candidates', district, from, school, cohort }, conversationType === 'personal' ? 'own' : 'shared'));
    if (list.kind !== 'candidates') return toPresser(said);
    const drawn = renderClusterForSlack(list);
    return { text: drawn.text, blocks: [context(`:white_check_mark: ${said}`), ...drawn.blocks].slice(0, 50), replace_original: true };
  });
}
