import { ALERT_RULES } from './alert-rules';
import type { AlertRuleId } from '../exclusions/alert-types';
import type { Actor } from '../identity/actor';
import { mayReadContentChecks } from '../identity/role-policy';
import { describeScope } from '../identity/scope';
import type { AlertViewContext } from './alert-view';
import { buildDigest, listOpenAlerts, type DigestView, type OpenListPage } from './alert-digest';
import { placeholders } from '../util/teams-text';
import { describeChannel } from './delivery-channel';
import { RULE_WORDS, describeRules, listSubscriptions, parseSubscriptionArgs, subscribe, SubscriptionError, unsubscribe, type SubscriptionLine } from './subscriptions';

/**
 * `alerts ...` in one place: the route passes the words after "alerts" and renders the reply.
 *   alerts list | alerts subscribe [county | district <name> | school <urn>] [types]
 *   alerts unsubscribe [area] | alerts digest | alerts (help)
 */

export type AlertCommandReply = { kind: 'text'; message: string } | { kind: 'digest'; view: DigestView } | { kind: 'list'; message: string; view: OpenListPage };

const ALERTS_USAGE = placeholders(
  [
    '**alerts list** [page]: what this chat receives, and every open case',
    '**alerts subscribe** [county | district <name> | school <urn>] [types] [in teams | in slack | in both]: receive alerts here (in your own chat, you may say where)',
    '**alerts unsubscribe** [district <name> | school <urn>]: stop (all, when no area is given)',
    '**alerts digest**: this week’s summary now',
    '**alerts rules**: each alert type and its legal basis',
    `Types: ${Object.keys(RULE_WORDS).join(', ')} (or leave out for all).`,
  ].join('\n\n'),
);

function areaText(line: SubscriptionLine, schoolNames: ReadonlyMap<string, string> = new Map()): string {
  const area =
    line.area.kind === 'county' ? 'the whole county' : line.area.kind === 'district' ? `district ${line.area.value}` : (schoolNames.get(line.area.value) ?? `school ${line.area.value}`);
  const rules = describeRules(line.rules);
  return `${area}: ${rules}${line.implicit ? ' (the default for your role)' : ''}${line.channel ? `, in ${describeChannel(line.channel)}` : ''}`;
}

/** Each alert type with its legal basis; administrators also see what is still to check. */
function rulesText(withChecks: boolean): string {
  return (Object.keys(ALERT_RULES) as AlertRuleId[])
    .map((id) => {
      const r = ALERT_RULES[id];
      return `- **${r.title}**: ${r.basis}${withChecks && r.check ? ` _(to check, administrators only: ${r.check})_` : ''}`;
    })
    .join('\n');
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
        const urns = lines.filter((l) => l.area.kind === 'school').map((l) => Number(l.area.value));
        const names = new Map(
          urns.length ? (await ctx.db.selectFrom('school').select(['urn', 'name']).where('urn', 'in', urns).execute()).map((s) => [String(s.urn), s.name]) : [],
        );
        const page = /^\d{1,4}$/.test(rest.trim()) ? Number(rest.trim()) : 1;
        const notes: string[] = [];
        // Routing's limits on attendance alerts (alert-routing.ts attendanceAllows), said where they apply.
        if (actor.conversationType !== 'personal' && lines.length > 0) notes.push('Attendance alerts are never sent here: they come to each person’s own chat.');
        else if (actor.role === 'youth_justice_worker' && lines.length > 0) notes.push('Attendance alerts come for the young people linked to you in the users file.');
        const message =
          lines.length === 0
            ? 'This chat receives no alerts. Type **alerts subscribe** to start.'
            : [`This chat receives:\n\n${lines.map((l) => `- ${areaText(l, names)}`).join('\n')}`, ...notes].join('\n\n');
        return { kind: 'list', message, view: await listOpenAlerts(ctx, actor, page, 'alerts list') };
      }
      case 'rules':
        return { kind: 'text', message: rulesText(mayReadContentChecks(actor.role)) };
      case 'subscribe': {
        const line = await subscribe(ctx.db, actor, conversationId, parseSubscriptionArgs(rest), now);
        const where = line.channel ? `New alerts will arrive in ${describeChannel(line.channel)}.` : 'New alerts will arrive here.';
        return { kind: 'text', message: `Subscribed: ${areaText({ ...line, channel: null })}. ${where}` };
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
