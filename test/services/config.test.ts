import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, isAuthEnabled, loadConfig } from '../../services/config';

describe('configuration', () => {
  it('has sensible defaults for local use', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3978);
    assert.equal(isAuthEnabled(config), false);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.HEAVY_READS_AT_ONCE, 2);
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

  it('never echoes the bad value (it may be a secret)', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@host/db' }),
      (error: unknown) => error instanceof Error && !error.message.includes('hunter2'),
    );
  });

  it('requires a password when an app id is set', () => {
    assert.throws(() => loadConfig({ MicrosoftAppId: 'abc' }), /MicrosoftAppPassword/);
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
