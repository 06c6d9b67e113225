import { CardFactory, type TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import { adaptiveCard, text } from '../../cards/adaptive-card';
import { ladderOverviewCard } from '../../cards/ladder-overview-card';
import { ladderResultsCard } from '../../cards/ladder-results-card';
import { ladderRungCard } from '../../cards/ladder-rung-card';
import { ladderStatsCard } from '../../cards/ladder-stats-card';
import { VERBS } from '../../cards/verbs';
import {
  runLadderChecklist,
  runLadderCommand,
  runLadderFeedback,
  runLadderOverview,
  runLadderRungAction,
  type LadderActor,
  type LadderContext,
  type LadderReply,
} from '../../services/ladder/ladder-commands';
import { COMMANDS } from '../../services/commands/command-catalogue';
import { ladderServiceFor } from '../../services/ladder/ladder-service';
import type { BotApp, BotDeps } from '../bot-deps';
import { findActor } from '../turn-actor';

/** The card for a ladder reply; a notice becomes a one-line card so buttons can update in place. */
export function renderLadderReply(reply: LadderReply): AdaptiveCard {
  switch (reply.kind) {
    case 'overview':
      return ladderOverviewCard(reply.view);
    case 'rung':
      return ladderRungCard(reply.view);
    case 'results':
      return ladderResultsCard(reply.view);
    case 'stats':
      return ladderStatsCard(reply.view);
    case 'notice':
      return adaptiveCard([text(reply.message)], { fallbackText: reply.message.replace(/\*/g, '') });
  }
}

function actorOf(context: TurnContext): LadderActor {
  // No actor: someone not set up yet, let through by the identity step for the ladder only.
  const actor = findActor(context);
  return actor ? { staffUserId: actor.user.id, role: actor.role } : { staffUserId: null, role: null };
}

/**
 * `ladder`, `ladder <rung name or number>`, `ladder stats`, `ladder <a situation>`, and the ladder
 * card buttons (which redraw the card in place). Query text is never logged.
 */
export function registerLadderRoutes(app: BotApp, deps: BotDeps): void {
  // Loaded at start: broken content throws here (LadderContentError lists every problem) and the bot does not start.
  const ctx: LadderContext = { db: deps.store.db, clock: deps.clock, ladder: deps.ladder ?? ladderServiceFor() };

  app.message(COMMANDS.ladder.pattern, async (context) => {
    const rest = (context.activity.text ?? '').replace(/^\s*ladder\b/i, '');
    const reply = await runLadderCommand(ctx, actorOf(context), rest);
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(renderLadderReply(reply))] });
  });

  app.adaptiveCards.actionExecute(VERBS.ladderOverview, async () => renderLadderReply(runLadderOverview(ctx)));
  app.adaptiveCards.actionExecute(VERBS.ladderRung, async (context, _state, data) => renderLadderReply(await runLadderRungAction(ctx, actorOf(context), data)));
  app.adaptiveCards.actionExecute(VERBS.ladderChecklist, async (context, _state, data) =>
    renderLadderReply(await runLadderChecklist(ctx, actorOf(context), data)),
  );
  app.adaptiveCards.actionExecute(VERBS.ladderFeedback, async (context, _state, data) =>
    renderLadderReply(await runLadderFeedback(ctx, actorOf(context), data)),
  );
}
