import { ActionTypes, ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import type { AssistantContext, AssistantDecision } from '../services/assistant/assistant';
import { decide } from '../services/assistant/assistant';
import { createModelEngine, type ModelSettings } from '../services/assistant/model-planner';
import type { Actor } from '../services/identity/actor';
import type { Logger } from '../services/logger';
import { commandText, findActor } from './turn-actor';

/**
 * The Teams edge of the plain-language assistant: text no command matched is decided on by
 * services/assistant, and a decision to run a command is carried out by running the turn again
 * with that command's text, so the command's own route answers (scope, audit and cards alike).
 */

export interface Decider {
  decide(actor: Actor, text: string): Promise<AssistantDecision>;
  /** A model is asked: the user sees a typing indicator meanwhile. */
  usesModel: boolean;
}

/** The local router alone, or with a model (its prompt loaded and checked here, at start). */
export function createDecider(ctx: AssistantContext, model: ModelSettings | undefined, logger: Logger): Decider {
  const engine = model ? createModelEngine(model, logger) : undefined;
  return { decide: (actor, text) => decide(ctx, actor, text, engine), usesModel: engine !== undefined };
}

/** Sends the decision; returns the command to run for a 'run' decision. */
async function answerDecision(context: TurnContext, decision: AssistantDecision): Promise<string | null> {
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

/**
 * Text no route matched: the decider's answer is sent; a command to run is returned for the turn to
 * run again. 'unhandled' when there is no staff user or no decider (the caller points to help).
 */
export async function answerPlainLanguage(context: TurnContext, decider: Decider | undefined): Promise<{ command: string } | 'answered' | 'unhandled'> {
  const actor = findActor(context);
  if (!actor || !decider) return 'unhandled';
  if (decider.usesModel) await context.sendActivity({ type: ActivityTypes.Typing });
  const command = await answerDecision(context, await decider.decide(actor, commandText(context)));
  return command === null ? 'answered' : { command };
}
