import { runAdminCommand } from '../../services/identity/admin-commands';
import type { BotApp, BotDeps } from '../bot-deps';
import { commandText, getActor } from '../turn-actor';

/** `admin ...` commands (administrators only; the service checks the role). */
export function registerAdminRoutes(app: BotApp, deps: BotDeps, forgetCachedUsers: () => void = () => undefined): void {
  app.message(/^\s*admin(?:\s+[\s\S]*)?$/i, async (context) => {
    const words = commandText(context).replace(/^admin\b/i, '');
    const reply = await runAdminCommand(deps.store.db, deps.clock, getActor(context), words);
    forgetCachedUsers();
    await context.sendActivity(reply);
  });
}
