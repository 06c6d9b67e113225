import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, configValue, isAuthEnabled, isSlackEnabled, loadConfig } from '../../services/config';

describe('configuration', () => {
  it('has sensible defaults for local use', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3978);
    assert.equal(isAuthEnabled(config), false);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.HEAVY_READS_AT_ONCE, 1);
    assert.equal(config.SQLITE_READ_WORKERS, 1);
    assert.equal(loadConfig({ SQLITE_READ_WORKERS: '0' }).SQLITE_READ_WORKERS, 0);
  });

  for (const [variable, value] of [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['CLOCK_NOW', 'next tuesday'],
    ['MicrosoftAppType', 'Anything'],
    ['OVERDUE_REMINDER_MINUTES', '0'],
    ['ALERT_SCHEDULE_TICK_SECONDS', 'often'],
    ['IDENTITY_CACHE_SECONDS', '-1'],
    ['IDENTITY_CACHE_USERS', '0'],
    ['SLACK_BOT_TOKEN', 'xoxp-user-token'],
    ['SLACK_APP_TOKEN', 'xoxb-not-an-app-token'],
    ['SLACK_API_URL', 'not a url'],
    ['HEAVY_READS_AT_ONCE', '0'],
    ['HEAVY_READS_AT_ONCE', 'many'],
    ['SQLITE_READ_WORKERS', '-1'],
    ['SQLITE_READ_WORKERS', 'two'],
  ] as const) {
    it(`names ${variable} when it is "${value}"`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(`configuration: ${variable} `),
      );
    });
  }

  it('reads one setting by the same rule, for tools that run without the rest', () => {
    assert.equal(configValue('CALENDAR_FILE', { CALENDAR_FILE: 'data/calendar/other.json', PORT: 'not-a-port' }), 'data/calendar/other.json');
    assert.equal(configValue('CALENDAR_FILE', { CALENDAR_FILE: '  ' }), undefined);
    assert.equal(configValue('OVERDUE_REMINDER_MINUTES', {}), 15);
    assert.throws(() => configValue('OVERDUE_REMINDER_MINUTES', { OVERDUE_REMINDER_MINUTES: 'soon' }), /^ConfigError: configuration: OVERDUE_REMINDER_MINUTES is invalid/);
  });

  it('never echoes the bad value (it may be a secret)', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@host/db' }),
      (error: unknown) => error instanceof Error && !error.message.includes('hunter2'),
    );
  });

  it('requires a password when an app id is set', () => {
    assert.throws(() => loadConfig({ MicrosoftAppId: 'abc' }), /MicrosoftAppPassword/);
  });

  it('leaves Slack off without its settings, and wants both the secret and the token', () => {
    assert.equal(isSlackEnabled(loadConfig({})), false);
    assert.throws(() => loadConfig({ SLACK_SIGNING_SECRET: '0123456789abcdef0123' }), (e: unknown) => e instanceof ConfigError && e.variable === 'SLACK_BOT_TOKEN');
    assert.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2' }), (e: unknown) => e instanceof ConfigError && e.variable === 'SLACK_SIGNING_SECRET');
    const on = loadConfig({ SLACK_SIGNING_SECRET: '0123456789abcdef0123', SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_API_URL: 'http://127.0.0.1:9/api' });
    assert.equal(isSlackEnabled(on), true);
    assert.equal(on.SLACK_API_URL, 'http://127.0.0.1:9/api/');
    // Socket Mode's app token alone is not Slack half set up and silently off: it is refused.
    assert.throws(() => loadConfig({ SLACK_APP_TOKEN: 'xapp-1-2' }), (e: unknown) => e instanceof ConfigError && e.variable === 'SLACK_BOT_TOKEN');
    assert.equal(loadConfig({ SLACK_SIGNING_SECRET: '0123456789abcdef0123', SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-2' }).SLACK_APP_TOKEN, 'xapp-1-2');
  });

  it('turns authentication on when MicrosoftAppId is set', () => {
    assert.equal(isAuthEnabled(loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'x' })), true);
  });

  it('is documented in .env.example, every variable of it', () => {
    const example = readFileSync('.env.example', 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
    const missing = CONFIG_VARIABLES.filter((name) => !documented.has(name));
    assert.deepEqual(missing, []);
  });
});
