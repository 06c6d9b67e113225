import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { BotApp, BotDeps } from './bot-deps';
import { normaliseActivity } from './activity-input';
import { createIdentityStep, type EdgePolicy } from './identity-step';
import { registerAdminRoutes } from './routes/admin-routes';
import { registerAlertRoutes } from './routes/alert-routes';
import { registerClusterRoutes } from './routes/cluster-routes';
import { registerExportCommand } from './routes/export-routes';
import { registerHelpRoutes } from './routes/help-routes';
import { registerLadderRoutes } from './routes/ladder-routes';
import { registerPlacesRoutes } from './routes/places-routes';
import { commandText, wasAnswered } from './turn-actor';

export const FALLBACK_MESSAGE =
  "Sorry, I didn't understand that. Type **help** to see what I can do for you.";

/**
 * The composition root for conversations: the identity step, then the routes. Commands are
 * matched first; text no route matches is left for a language-model planner (when one is
 * configured) and otherwise gets a short pointer to help.
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
  const identityStep = createIdentityStep({ db: deps.store.db, clock: deps.clock, logger: deps.logger, edge, alertCardsPerDay: deps.alertCardsPerDay });
  app.turn('beforeTurn', async (context) => normaliseActivity(context, deps.logger) && identityStep(context));

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
  const handled = await app.run(context);
  if (handled || wasAnswered(context)) return;
  if (context.activity.type === ActivityTypes.Message && commandText(context) !== '') {
    await context.sendActivity(FALLBACK_MESSAGE);
  }
}
