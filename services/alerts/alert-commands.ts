import { ALERT_RULES } from '../exclusions/alert-types';
import type { Actor } from '../identity/actor';
import { describeScope } from '../identity/scope';
import type { AlertViewContext } from './alert-view';
import { buildDigest, type DigestView } from './alert-digest';
import { RULE_WORDS, listSubscriptions, parseSubscriptionArgs, subscribe, SubscriptionError, unsubscribe, type SubscriptionLine } from './subscriptions';

/**
 * `alerts ...` in one place: the route passes the words after "alerts" and renders the reply.
 *   alerts list | alerts subscribe [county | district <name> | school <urn>] [types]
 *   alerts unsubscribe [area] | alerts digest | alerts (help)
 */

export type AlertCommandReply = { kind: 'text'; message: string } | { kind: 'digest'; view: DigestView };

export const ALERTS_USAGE = [
  '**alerts list**: what this chat receives',
  '**alerts subscribe** [county | district <name> | school <urn>] [types]: receive alerts here',
  '**alerts unsubscribe** [district <name> | school <urn>]: stop (all, when no area is given)',
  '**alerts digest**: this week’s summary now',
  `Types: ${Object.keys(RULE_WORDS).join(', ')} (or leave out for all).`,
].join('\n\n');

function areaText(line: SubscriptionLine): string {
  const area = line.area.kind === 'county' ? 'the whole county' : line.area.kind === 'district' ? `district ${line.area.value}` : `school ${line.area.value}`;
  const rules = line.rules === 'all' ? 'all alerts' : line.rules.map((r) => ALERT_RULES[r].title).join('; ');
  return `${area}: ${rules}${line.implicit ? ' (the default for your role)' : ''}`;
}

export async function runAlertCommand(ctx: AlertViewContext, actor: Actor, conversationId: string, words: string): Promise<AlertCommandReply> {
  const text = words.trim();
  const [verb = '', ...restWords] = text.split(/\s+/);
  const rest = restWords.join(' ');
  const now = ctx.clock.now().toISOString();
  try {
    switch (verb.toLowerCase()) {
      case 'list': {
        const lines = await listSubscriptions(ctx.db, actor, conversationId);
        if (lines.length === 0) return { kind: 'text', message: 'This chat receives no exclusion alerts. Type **alerts subscribe** to start.' };
        return { kind: 'text', message: `This chat receives:\n\n${lines.map((l) => `- ${areaText(l)}`).join('\n')}` };
      }
      case 'subscribe': {
        const line = await subscribe(ctx.db, actor, conversationId, parseSubscriptionArgs(rest), now);
        return { kind: 'text', message: `Subscribed: ${areaText(line)}. New alerts will arrive here.` };
      }
      case 'unsubscribe': {
        const removed = await unsubscribe(ctx.db, actor, conversationId, parseSubscriptionArgs(rest), now);
        return { kind: 'text', message: removed > 0 ? 'Unsubscribed. Type **alerts list** to see what is left.' : 'Nothing matched; type **alerts list** to see the subscriptions here.' };
      }
      case 'digest':
        return { kind: 'digest', view: await buildDigest(ctx, actor, describeScope(actor.scope), 'alerts digest') };
      default:
        return { kind: 'text', message: ALERTS_USAGE };
    }
  } catch (error) {
    if (error instanceof SubscriptionError) return { kind: 'text', message: error.message };
    throw error;
  }
}
