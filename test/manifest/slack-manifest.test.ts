import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkSlackManifest, SLACK_BOT_EVENTS, SLACK_BOT_SCOPES, SLACK_SLASH_COMMAND } from '../../manifest/build/slack-manifest';
import { buildAppPackage, DEFAULT_MANIFEST_DIR, SLACK_MANIFEST_FILE, SLACK_SOCKET_MODE_MANIFEST_FILE } from '../../scripts/package-app';
import { PackageError } from '../../manifest/build/package-inputs';

const SHIPPED = readFileSync(join(DEFAULT_MANIFEST_DIR, SLACK_MANIFEST_FILE), 'utf8');
const LABEL = 'manifest/slack-app.yaml';
/** The 1-based line of the first line of the shipped file containing `text` (after an edit, of the edited file). */
const lineOf = (file: string, text: string) => file.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('Slack app manifest (manifest/slack-app.yaml)', () => {
  it('ships a manifest with the scopes, command, events, interactivity and URLs the Slack edge needs', () => {
    assert.deepEqual(checkSlackManifest(SHIPPED, LABEL), []);
    const m = parse(SHIPPED);
    assert.deepEqual([...m.oauth_config.scopes.bot].sort(), [...SLACK_BOT_SCOPES].sort());
    assert.deepEqual([...m.settings.event_subscriptions.bot_events].sort(), [...SLACK_BOT_EVENTS].sort());
    assert.equal(m.features.slash_commands[0].command, SLACK_SLASH_COMMAND);
    assert.equal(m.settings.socket_mode_enabled, false);
    assert.equal(m.settings.interactivity.is_enabled, true);
    assert.equal(m.features.app_home.home_tab_enabled, true);
  });

  it('ships a Socket Mode twin that differs only in Socket Mode on and no request URLs', () => {
    const socket = readFileSync(join(DEFAULT_MANIFEST_DIR, SLACK_SOCKET_MODE_MANIFEST_FILE), 'utf8');
    assert.deepEqual(checkSlackManifest(socket, 'manifest/slack-app-socket-mode.yaml'), []);
    const s = parse(socket);
    const h = parse(SHIPPED);
    assert.equal(s.settings.socket_mode_enabled, true);
    assert.equal(s.settings.event_subscriptions.request_url, undefined);
    assert.equal(s.settings.interactivity.request_url, undefined);
    assert.equal(s.features.slash_commands[0].url, undefined);
    // Otherwise the same app: same scopes, events, command and Home.
    delete h.settings.event_subscriptions.request_url;
    delete h.settings.interactivity.request_url;
    delete h.features.slash_commands[0].url;
    h.settings.socket_mode_enabled = true;
    assert.deepEqual(s, h);
  });

  const broken: [string, (t: string) => string, string, RegExp][] = [
    ['a misspelt field', (t) => t.replace('  slash_commands:', '  slash_command:'), 'slash_command:', /features\.slash_command: is not a field Slack's app manifest knows/],
    ['a missing bot scope', (t) => t.replace('      - users:read.email\n', ''), '    bot:', /oauth_config\.scopes\.bot: must include users:read\.email/],
    ['Socket Mode on with request URLs left in', (t) => t.replace('socket_mode_enabled: false', 'socket_mode_enabled: true'), 'request_url', /settings\.event_subscriptions\.request_url: must be left out with Socket Mode on/],
    ['Socket Mode off without a request URL', (t) => t.replace('    request_url: https://bot.example.org/slack/events\n    bot_events', '    bot_events'), 'event_subscriptions:', /settings\.event_subscriptions\.request_url: is required with Socket Mode off/],
    ['the Home tab off', (t) => t.replace('home_tab_enabled: true', 'home_tab_enabled: false'), 'home_tab_enabled', /features\.app_home\.home_tab_enabled: must be true/],
    ['Socket Mode not a boolean', (t) => t.replace('socket_mode_enabled: false', 'socket_mode_enabled: "no"'), 'socket_mode_enabled', /settings\.socket_mode_enabled: must be true or false/],
    ['a request URL elsewhere', (t) => t.replace('    request_url: https://bot.example.org/slack/events\n    bot_events', '    request_url: https://bot.example.org/api/messages\n    bot_events'), 'api/messages', /settings\.event_subscriptions\.request_url: must end in \/slack\/events/],
    ['a plain http URL', (t) => t.replace('      url: https://bot.example.org/slack/events', '      url: http://bot.example.org/slack/events'), 'url: http:', /features\.slash_commands\[0\]\.url: "http:\/\/bot\.example\.org\/slack\/events" is not an https:\/\/ URL/],
    ['no display name', (t) => t.replace('  name: Inclusion Assistant\n', ''), 'display_information:', /display_information\.name: is required/],
    ['a missing event', (t) => t.replace('      - app_mention\n', ''), 'bot_events:', /settings\.event_subscriptions\.bot_events: must include app_mention/],
    ['broken YAML', (t) => t.replace('  bot_user:\n', '  bot_user:\n   - [\n'), 'bot_user:', /YAML:/],
  ];
  for (const [what, edit, lineText, expected] of broken) {
    it(`refuses ${what}, naming file:line: field`, () => {
      const text = edit(SHIPPED);
      assert.notEqual(text, SHIPPED, 'the edit changed the file');
      const problems = checkSlackManifest(text, LABEL);
      assert.ok(problems.some((p) => expected.test(p)), problems.join('\n') || 'no problem found');
      const problem = problems.find((p) => expected.test(p))!;
      const line = Number(/^manifest\/slack-app\.yaml:(\d+): /.exec(problem)?.[1]);
      if (what !== 'broken YAML') assert.equal(line, lineOf(text, lineText), problem);
      else assert.ok(line > 0);
    });
  }

  describe('npm run package', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'slack-package-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses to build when the Slack manifest is broken, and writes nothing', async () => {
      const copy = join(dir, 'manifest');
      mkdirSync(copy);
      for (const file of ['color.png', 'outline.png', 'manifest.template.json']) copyFileSync(join(DEFAULT_MANIFEST_DIR, file), join(copy, file));
      writeFileSync(join(copy, SLACK_MANIFEST_FILE), SHIPPED.replace('  slash_commands:', '  slash_command:'));
      const outFile = join(dir, 'appPackage.zip');
      const inputs = { botId: '2f1c5a6e-3b7d-4c8e-9a0f-1d2e3f405162', teamsAppId: '2f1c5a6e-3b7d-4c8e-9a0f-1d2e3f405162', botDomain: 'bot.example.org', appVersion: '1.0.0', outFile, allowPlaceholders: true };
      await assert.rejects(buildAppPackage(inputs, copy), (error: unknown) => {
        assert.ok(error instanceof PackageError);
        assert.ok(error.problems.some((p) => /slack-app\.yaml:\d+: features\.slash_command: is not a field/.test(p)), error.problems.join('\n'));
        return true;
      });
      assert.equal(existsSync(outFile), false);
      // The shipped one builds.
      writeFileSync(join(copy, SLACK_MANIFEST_FILE), SHIPPED);
      await buildAppPackage(inputs, copy);
      assert.equal(existsSync(outFile), true);
    });
  });
});
