import type { App } from '@slack/bolt';
import { z } from 'zod';
import { alertBlocks } from '../../cards/slack/alert-blocks';
import { SLACK_ALERT_OPEN } from '../../cards/slack/alert-digest-blocks';
import type { ClusterViewRef } from '../../cards/slack/cluster-buttons';
import { SLACK_EXPORT_LINK } from '../../cards/slack/stats-export-blocks';
import { alertRefSchema, ALERT_GONE } from '../../services/alerts/alert-actions';
import { alertViewFor, FIGURES_ONLY_MESSAGE } from '../../services/alerts/alert-view';
import { getClusterAgenda } from '../../services/cluster/cluster-agenda';
import { getClusterCandidates } from '../../services/cluster/cluster-candidates';
import type { ClusterReply, ViewKind } from '../../services/cluster/cluster-commands';
import { getMinutes } from '../../services/cluster/cluster-minutes';
import type { Actor } from '../../services/identity/actor';
import { heavyRead } from '../bot-deps';
import { renderClusterForSlack } from './slack-commands';
import type { SlackContext } from './slack-context';
import { onPress, toPresser } from './slack-press';

/**
 * The cluster messages' Previous / Next and Agenda / Minutes / Candidates buttons: the message is
 * redrawn in place in the conversation's own view (initials outside a direct message), after the
 * same scope checks as a typed command, on every page. A refusal goes to the presser alone and
 * leaves the message as it was. Also the digest's and alerts list's Open buttons.
 */

/** What a view button carries; an old or tampered one is refused naming the field. */
export const viewRefSchema = z.object({
  what: z.enum(['agenda', 'minutes', 'candidates'], { errorMap: () => ({ message: 'the button names no cluster view' }) }),
  district: z.string({ required_error: 'the button has no district' }).trim().min(1, 'the button has no district').max(100),
  from: z.coerce.number().int().min(0).max(1_000_000).optional(),
  school: z.string().max(120).optional(),
  cohort: z.string().max(40).optional(),
});

/** One page of a cluster view, as the services answer it (audited there), for this kind of view. */
export async function clusterView(ctx: SlackContext, actor: Actor, ref: ClusterViewRef, view: ViewKind): Promise<ClusterReply> {
  const svc = ctx.commands.cluster;
  const { district, from } = ref;
  const result =
    ref.what === 'agenda'
      ? await getClusterAgenda(svc, actor, { district, from, view })
      : ref.what === 'minutes'
        ? await getMinutes(svc, actor, { district, from, view })
        : await getClusterCandidates(svc, actor, { district, from, school: ref.school, cohort: ref.cohort, view });
  if (!result.ok) return { kind: 'notice', message: result.message };
  return { kind: ref.what, view: result.view } as ClusterReply;
}

export function registerSlackClusterViews(app: App, ctx: SlackContext): void {
  onPress(app, ctx, /^cluster\.view\./, { schema: viewRefSchema, failure: 'slack.cluster_view_failed' }, async (actor, ref, conversationType) => {
    const answer = await heavyRead(ctx.deps, () => clusterView(ctx, actor, ref, conversationType === 'personal' ? 'own' : 'shared'));
    return answer.kind === 'notice' || answer.kind === 'message' ? toPresser(answer.message) : { ...renderClusterForSlack(answer), replace_original: true };
  });

  // Export links open in the browser; Slack still reports the press, which needs only an acknowledgement.
  app.action(new RegExp(`^${SLACK_EXPORT_LINK.replace(/\./g, '\\.')}\\.`), async ({ ack }) => {
    await ack();
  });

  // The digest's and list's Open: the alert card, to the presser only (as Teams' refresh answers only the viewer).
  onPress(app, ctx, new RegExp(`^${SLACK_ALERT_OPEN.replace('.', '\\.')}\\.`), { schema: alertRefSchema, failure: 'slack.alert_open_failed', outOfDate: 'That button is out of date.' }, async (actor, ref) => {
    const result = await alertViewFor(ctx.commands.alerts, actor, ref.alertId, 'alert card');
    return result.ok ? { ...alertBlocks(result.view), response_type: 'ephemeral', replace_original: false } : toPresser(result.reason === 'figures_only' ? FIGURES_ONLY_MESSAGE : ALERT_GONE);
  });
}
