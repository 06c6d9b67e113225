import { ActionTypes, CardFactory, type TurnContext } from 'botbuilder';
import type { AssistantContext, AssistantDecision } from '../services/assistant/assistant';
import { decideLocally } from '../services/assistant/assistant';
import type { Actor } from '../services/identity/actor';

/**
 * The Teams edge of the plain-language assistant: text no command matched is decided on by
 * services/assistant, and a decision to run a command is carried out by running the turn again
 * with that command's text, so the command's own route answers (scope, audit and cards alike).
 */

export type DecideText = (actor: Actor, text: string) => Promise<AssistantDecision>;

export function localDecider(ctx: AssistantContext): DecideText {
  return (actor, text) => decideLocally(ctx, actor, text);
}

/** Sends the decision; returns the command to run for a 'run' decision. */
export async function answerDecision(context: TurnContext, decision: AssistantDecision): Promise<string | null> {
  switch (decision.kind) {
    case 'safeguarding':
      await context.sendActivity(decision.message);
      return null;
    case 'suggest': {
      // imBack posts the command as if the person typed it, in every kind of conversation.
      const buttons = decision.options.map((o) => ({ type: ActionTypes.ImBack, title: o.command, value: o.command }));
      await context.sendActivity({ text: decision.message, attachments: [CardFactory.heroCard('', undefined, buttons)] });
      return null;
    }
    case 'run':
      await context.sendActivity(decision.message);
      return decision.command;
  }
}
