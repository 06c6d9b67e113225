import type { TurnContext } from 'botbuilder';
import type { Actor } from '../services/identity/actor';
import type { ConversationType } from '../services/store/database';

const ACTOR_KEY = Symbol('inclusion-assistant.actor');
const ANSWERED_KEY = Symbol('inclusion-assistant.answered');
const AFTER_ANSWER_KEY = Symbol('inclusion-assistant.after-answer');

export function setActor(context: TurnContext, actor: Actor): void {
  context.turnState.set(ACTOR_KEY, actor);
}

/** The resolved staff user for this turn. Routes only run after the identity step has set it. */
export function getActor(context: TurnContext): Actor {
  const actor = context.turnState.get(ACTOR_KEY) as Actor | undefined;
  if (!actor) throw new Error('no actor on this turn: the identity step did not run');
  return actor;
}

export function findActor(context: TurnContext): Actor | undefined {
  return context.turnState.get(ACTOR_KEY) as Actor | undefined;
}

/** Marks a turn that already answered the user outside any route (e.g. "you are not set up"). */
export function markAnswered(context: TurnContext): void {
  context.turnState.set(ANSWERED_KEY, true);
}

export function wasAnswered(context: TurnContext): boolean {
  return context.turnState.get(ANSWERED_KEY) === true;
}

/** Work to do once the turn has sent its answer (runAfterAnswer), e.g. releasing held cards. */
export function onceAnswered(context: TurnContext, work: () => Promise<void>): void {
  const list = (context.turnState.get(AFTER_ANSWER_KEY) as (() => Promise<void>)[] | undefined) ?? [];
  list.push(work);
  context.turnState.set(AFTER_ANSWER_KEY, list);
}

/** Runs what onceAnswered queued; each piece handles its own failure. */
export async function runAfterAnswer(context: TurnContext): Promise<void> {
  const list = context.turnState.get(AFTER_ANSWER_KEY) as (() => Promise<void>)[] | undefined;
  context.turnState.delete(AFTER_ANSWER_KEY);
  for (const work of list ?? []) await work();
}

export function conversationTypeOf(context: TurnContext): ConversationType {
  const conversation = context.activity.conversation;
  const declared = conversation?.conversationType;
  if (declared === 'channel' || declared === 'groupChat' || declared === 'personal') return declared;
  return conversation?.isGroup ? 'groupChat' : 'personal';
}

/** A group chat or a channel: what is posted there is seen by everyone in it. */
export function isSharedConversation(context: TurnContext): boolean {
  return conversationTypeOf(context) !== 'personal';
}

/** Text of a message with the bot's @mention already removed by teams-ai, trimmed and spaces folded. */
export function commandText(context: TurnContext): string {
  return (context.activity.text ?? '').replace(/\s+/g, ' ').trim();
}
