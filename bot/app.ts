import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { BotApp, BotDeps } from './bot-deps';
import { normaliseActivity } from './activity-input';
import { answerPlainLanguage, createDecider, type Decider } from './assistant-turn';
import { createIdentityStep, type EdgePolicy } from './identity-step';
import { registerAdminRoutes } from './routes/admin-routes';
import { registerAlertRoutes } from './routes/alert-routes';
import { registerClusterRoutes } from './routes/cluster-routes';
import { registerExportCommand } from './routes/export-routes';
import { registerHelpRoutes } from './routes/help-routes';
import { registerLadderRoutes } from './routes/ladder-routes';
import { registerPlacesRoutes } from './routes/places-routes';
import { commandText, runAfterAnswer, wasAnswered } from './turn-actor';

export const FALLBACK_MESSAGE =
  "Sorry, I didn't understand that. Type **help** to see what I can do for you.";

/** Each app's plain-language assistant, for text no route matched. */
const deciders = new WeakMap<BotApp, Decider>();

/**
 * The composition root for conversations: the identity step, then the routes. Commands are
 * matched first; text no route matches goes to the plain-language assistant (bot/assistant-turn.ts).
 */
export function createBotApp(adapter: TeamsAdapter, deps: BotDeps, botAppId: string | undefined, edge: EdgePolicy): BotApp {
  const app = new Application<TurnState>({
    adapter,
    botAppId: botAppId ?? '',
    removeRecipientMention: true,
  });
  // teams-ai 1.7.4 starts its typing timer on every message whatever `startTypingTimer` says, and
  // keeps one timer per application, shared by concurrent turns. Our turns answer well inside the
  // one second it waits, so the timer only costs work per turn.
  (app as unknown as { startTypingTimer: () => void }).startTypingTimer = () => undefined;
  const identityStep = createIdentityStep({ db: deps.store.db, clock: deps.clock, logger: deps.logger, edge, alertCardsPerDay: deps.alertCardsPerDay, identityCache: deps.identityCache, rosterTimeoutMs: deps.rosterTimeoutMs });
  app.turn('beforeTurn', async (context) => normaliseActivity(context, deps.logger) && identityStep(context));
  deciders.set(app, createDecider({ db: deps.store.db, clock: deps.clock, safeguardingContact: deps.safeguardingContact }, deps.assistantModel, deps.logger));

  registerHelpRoutes(app);
  registerLadderRoutes(app, deps);
  registerExportCommand(app, deps);
  registerClusterRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerPlacesRoutes(app, deps);
  registerAdminRoutes(app, deps, identityStep.forgetUsers);
  return app;
}

/** Runs one turn; answers unmatched text when nothing else did. */
export async function runTurn(app: BotApp, context: TurnContext): Promise<void> {
  try {
    await answerTurn(app, context);
  } finally {
    await runAfterAnswer(context);
  }
}

async function answerTurn(app: BotApp, context: TurnContext): Promise<void> {
  const handled = await app.run(context);
  if (handled || wasAnswered(context)) return;
  if (context.activity.type !== ActivityTypes.Message || commandText(context) === '') return;
  // Plain language: the assistant names a command, and the turn runs again as if it had been typed.
  const outcome = await answerPlainLanguage(context, deciders.get(app));
  if (outcome === 'answered') return;
  if (outcome !== 'unhandled') {
    context.activity.text = outcome.command;
    if (await app.run(context)) return;
  }
  await context.sendActivity(FALLBACK_MESSAGE);
}
