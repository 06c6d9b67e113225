import { CardFactory, type TurnContext } from 'botbuilder';
import { helpCard } from '../../cards/help-card';
import { VERBS } from '../../cards/verbs';
import { COMMANDS, commandsForRole } from '../../services/commands/command-catalogue';
import { ROLE_LABELS } from '../../services/identity/actor';
import { describeScope } from '../../services/identity/scope';
import type { BotApp } from '../bot-deps';
import { getActor } from '../turn-actor';

function helpFor(context: TurnContext) {
  const actor = getActor(context);
  return helpCard({
    userName: actor.user.name,
    roleLabel: ROLE_LABELS[actor.role],
    scopeDescription: describeScope(actor.scope),
    commands: commandsForRole(actor.role),
  });
}

export function registerHelpRoutes(app: BotApp): void {
  app.message(COMMANDS.help.pattern, async (context) => {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(helpFor(context))] });
  });
  app.adaptiveCards.actionExecute(VERBS.help, async (context) => helpFor(context));
}
