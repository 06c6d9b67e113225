import assert from 'node:assert/strict';
import { Application } from '@microsoft/teams-ai';
import sinon from 'sinon';
import { COMMAND_CATALOGUE, COMMANDS, commandsForRole, type BotCommand } from '../../services/commands/command-catalogue';
import { startBot } from '../helpers/bot-harness';

/**
 * The command catalogue is the one list of commands: every message route the bot registers is a
 * catalogue entry's pattern, and every entry has its route. The bot tries routes in the order it
 * registers them, so each example is checked against that order (`cluster Boston export` must
 * reach the export route, not `cluster`).
 */
describe('command catalogue and message routes', () => {
  let registered: unknown[];
  before(async () => {
    const spy = sinon.spy(Application.prototype, 'message');
    try {
      const bot = await startBot();
      await bot.close();
      registered = spy.getCalls().map((call) => call.args[0]);
    } finally {
      spy.restore();
    }
  });

  const nameOf = (pattern: unknown) => Object.entries(COMMANDS).find(([, command]) => command.pattern === pattern)?.[0] ?? `not in the catalogue: ${String(pattern)}`;

  it('registers exactly the catalogue patterns, each once', () => {
    assert.deepEqual(registered.map(nameOf).sort(), Object.keys(COMMANDS).sort());
    assert.equal(registered.length, COMMAND_CATALOGUE.length);
  });

  /** The command a message reaches: the first registered route whose pattern matches. */
  const routeOf = (message: string): BotCommand | undefined => {
    const pattern = registered.find((p) => p instanceof RegExp && p.test(message));
    return COMMAND_CATALOGUE.find((command) => command.pattern === pattern);
  };

  it("sends each help line's example, and each menu title, to the command it belongs to", () => {
    let checked = 0;
    for (const command of COMMAND_CATALOGUE) {
      const typed = command.usages.map((u) => u.example ?? (/[<[]/.test(u.usage) ? undefined : u.usage)).filter((t): t is string => t !== undefined);
      if (command.menu) typed.push(command.menu.title);
      for (const message of typed) {
        assert.equal(routeOf(message), command, `"${message}" reaches another command`);
        checked++;
      }
    }
    assert.ok(checked >= COMMAND_CATALOGUE.length, `only ${checked} examples checked`);
    // The order matters: export would otherwise be read as part of the district's name.
    assert.equal(routeOf('cluster South Kesteven export'), COMMANDS.clusterExport);
    assert.equal(routeOf('cluster South Kesteven minutes'), COMMANDS.cluster);
    assert.equal(routeOf('pupils'), undefined);
  });

  it('lists help lines in catalogue order, whatever order the routes are tried in', () => {
    const usages = commandsForRole('la_manager').map((u) => u.usage);
    assert.equal(usages.indexOf('cluster <district> export'), usages.indexOf('cluster <district> minutes') + 1);
    assert.equal(usages[0], 'help');
  });

  it('gives every command at least one help line, and roles to every line', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      assert.ok(command.usages.length > 0, name);
      for (const usage of command.usages) assert.ok(usage.roles.length > 0, usage.usage);
    }
  });
});
