import { COMMANDS } from '../../services/commands/command-catalogue';
import { runAdminCommand } from '../../services/identity/admin-commands';
import type { BotApp, BotDeps } from '../bot-deps';
import { commandText, getActor } from '../turn-actor';

/** `admin ...` commands (administrators only; the service checks the role). */
export function registerAdminRoutes(app: BotApp, deps: BotDeps, forgetCachedUsers: () => void = () => undefined): void {
  app.message(COMMANDS.admin.pattern, async (context) => {
    const words = commandText(context).replace(/^admin\b/i, '');
    const reply = await runAdminCommand(deps.store.db, deps.clock, getActor(context), words);
    forgetCachedUsers();
    await context.sendActivity(reply);
  });
}
