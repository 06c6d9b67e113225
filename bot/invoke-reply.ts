import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../cards/adaptive-card';

/**
 * Answers a card press (an `adaptiveCard/action` invoke) to the presser only. Handlers that send
 * this themselves keep teams-ai from rewriting the shared message with the presser's own view.
 */
export async function replyToInvokeWithCard(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await sendInvokeReply(context, 'application/vnd.microsoft.card.adaptive', card);
}

/** Answers a card press with a plain message (Teams shows it beside the button). */
export async function replyToInvokeWithMessage(context: TurnContext, message: string): Promise<void> {
  await sendInvokeReply(context, 'application/vnd.microsoft.activity.message', message);
}

async function sendInvokeReply(context: TurnContext, type: string, value: unknown): Promise<void> {
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type, value } } });
}
