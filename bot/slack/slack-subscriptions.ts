import { noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import { runAlertCommand } from '../../services/alerts/alert-commands';
import type { AlertViewContext } from '../../services/alerts/alert-view';
import type { Actor } from '../../services/identity/actor';

/**
 * `alerts subscribe ... [in teams | slack | both]` and `alerts unsubscribe ...` typed in Slack, so a
 * person on Slack only can choose where their alerts go. The same command as in Teams (same
 * checks, same rows); only a person's own subscriptions, from their direct message: a Slack
 * channel is not a chat the outbox can post to.
 */
export const SLACK_SUBSCRIPTION_COMMAND = /^alerts?\s+(subscribe|unsubscribe)\b/i;

const OWN_ONLY = 'In Slack you can change only your own alert subscriptions: type this in your direct message with the Inclusion Assistant.';

export async function runSlackSubscription(ctx: AlertViewContext, actor: Actor, words: string): Promise<SlackMessage> {
  if (actor.conversationType !== 'personal') return noticeMessage(OWN_ONLY);
  // A personal subscription is keyed by the user, so the conversation id is not used.
  const reply = await runAlertCommand(ctx, actor, 'slack:direct-message', words.replace(/^\s*alerts?\s+/i, ''));
  // subscribe and unsubscribe answer in words (the verbs matched above never give a digest or list).
  return noticeMessage(reply.kind === 'digest' ? 'Done.' : reply.message);
}
