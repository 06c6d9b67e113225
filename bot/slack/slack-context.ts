import type { App } from '@slack/bolt';
import type { Actor } from '../../services/identity/actor';
import type { ConversationType } from '../../services/store/database';
import type { BotDeps } from '../bot-deps';
import type { SlackCommandDeps } from './slack-commands';

/** What the Slack handlers in this folder share: the bot's dependencies, the command services and who is asking. */
export interface SlackContext {
  deps: BotDeps;
  commands: SlackCommandDeps;
  /** The staff user behind a Slack user, or undefined for someone not set up. */
  actorFor(client: App['client'], slackUserId: string, teamId: string | undefined, conversationType: ConversationType): Promise<Actor | undefined>;
}

/** Slack channel ids start D for a direct message, G for a group DM or private channel. */
export function conversationTypeOfChannel(channelId: string, channelName?: string): ConversationType {
  if (channelId.startsWith('D') || channelName === 'directmessage') return 'personal';
  if (channelName === 'mpdm' || channelName?.startsWith('mpdm-')) return 'groupChat';
  return 'channel';
}

/** A button's JSON value; anything unreadable is undefined, which the services' schemas refuse by name. */
export function buttonData(value: string | undefined): unknown {
  try {
    return value === undefined ? undefined : JSON.parse(value);
  } catch {
    return undefined;
  }
}
