import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createBotServer } from '../../bot/server';
import { screenBearer } from '../../bot/adapter';
import { fixedClock } from '../../services/clock';
import { ConfigError, listenHostFor, loadConfig } from '../../services/config';
import { createLogger, createRefusalLog, silentLogger } from '../../services/logger';
import { openStore } from '../../services/store/open-store';
import { TEST_USERS, messageActivity } from '../helpers/activities';
import { firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { cardText } from '../helpers/card-check';
import { hmacToken, newSigningKey, signChannelToken, startFakeKeyServer, unsignedToken, type FakeKeyServer } from '../helpers/fake-bot-keys';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const AUTH_ENV = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' };

function spawnMain(env: Record<string, string>) {
  const clean = { ...process.env };
  for (const name of ['MicrosoftAppId', 'MicrosoftAppPassword', 'ALLOWED_TENANTS', 'NODE_ENV', 'HOST']) delete clean[name];
  return spawnSync(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
    env: { ...clean, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
}

const meaningfulLines = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !l.includes('DeprecationWarning') && !l.includes('trace-deprecation'));

describe('edge: authentication at start-up (issue 13.2)', () => {
  it('refuses to start in production without MicrosoftAppId or ALLOWED_TENANTS, one line naming each', () => {
    const result = spawnMain({ NODE_ENV: 'production' });
    assert.equal(result.status, 1);
    const lines = meaningfulLines(result.stderr);
    assert.equal(lines.length, 2, result.stderr);
    assert.match(lines[0]!, /^configuration: MicrosoftAppId is required when NODE_ENV=production/);
    assert.match(lines[1]!, /^configuration: ALLOWED_TENANTS is required when NODE_ENV=production/);
  });

  it('refuses to start in production with authentication but no tenant list', () => {
    const result = spawnMain({ NODE_ENV: 'production', ...AUTH_ENV });
    assert.equal(result.status, 1);
    assert.deepEqual(
      meaningfulLines(result.stderr).map((l) => l.split(' ')[1]),
      ['ALLOWED_TENANTS'],
    );
  });

  it('cannot even be constructed in production without authentication', async () => {
    const store = await openStore({ engine: 'sqlite', target: ':memory:' });
    try {
      const config = loadConfig({ NODE_ENV: 'production', ALLOWED_TENANTS: 'tenant-1' });
      assert.throws(
        () => createBotServer(config, { store, clock: fixedClock('2026-11-25T10:00:00Z'), logger: silentLogger }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'MicrosoftAppId',
      );
    } finally {
      await store.close();
    }
  });

  it('without MicrosoftAppId listens on loopback only, even when HOST=0.0.0.0, and says so', async () => {
    const lines: string[] = [];
    const store = await openStore({ engine: 'sqlite', target: ':memory:' });
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0' });
    const bot = createBotServer(config, { store, clock: fixedClock('2026-11-25T10:00:00Z'), logger: createLogger('info', (l) => lines.push(l)) });
    try {
      const { host } = await bot.listen();
      const address = bot.server.server.address() as AddressInfo;
      assert.equal(address.address, '127.0.0.1');
      assert.equal(host, '127.0.0.1');
      const warning = lines.map((l) => JSON.parse(l)).find((l) => l.event === 'server.loopback_only');
      assert.ok(warning, lines.join('\n'));
      assert.equal(warning.level, 'warn');
      assert.match(warning.message, /authentication is OFF: listening on 127\.0\.0\.1 only, not on 0\.0\.0\.0/);
    } finally {
      await bot.close(100);
      await store.close();
    }
  });

  it('keeps HOST as configured when authentication is on', () => {
    assert.deepEqual(listenHostFor(loadConfig({ ...AUTH_ENV, HOST: '0.0.0.0' })), { host: '0.0.0.0' });
    assert.deepEqual(listenHostFor(loadConfig({ HOST: '10.1.2.3' })), { host: '127.0.0.1', forcedFrom: '10.1.2.3' });
    assert.deepEqual(listenHostFor(loadConfig({ HOST: '::1' })), { host: '::1' });
  });
});

describe('edge: Bot Framework tokens, proved offline against a local key server (issue 13.6)', () => {
  let keys: FakeKeyServer;
  let bot: RunningBot;
  const serviceUrl = 'http://127.0.0.1:1/connector/';
  const activity = () => messageActivity('help', { from: TEST_USERS.manager, serviceUrl });
  const valid = (overrides: Partial<Parameters<typeof signChannelToken>[1]> = {}) => signChannelToken(keys.key, { appId: APP_ID, serviceUrl, ...overrides });

  beforeEach(async () => {
    keys = await startFakeKeyServer();
    bot = await startBot({ env: AUTH_ENV, server: { adapter: { openIdMetadataUrl: keys.metadataUrl } } });
  });
  afterEach(async () => {
    await bot?.close();
    await keys?.close();
  });

  it('serves a turn carrying a valid token', async () => {
    const { status, body } = await bot.post(activity(), { authorization: `Bearer ${valid()}` });
    assert.equal(status, 200, JSON.stringify(body));
    assert.match(cardText(firstCard(body.activities)), /LA manager/);
    assert.ok(keys.requests() >= 2, 'the keys really came from the local server');
  });

  const forgeries: Array<[string, () => string]> = [
    ['self-signed (a key not in the JWKS)', () => signChannelToken(newSigningKey(), { appId: APP_ID, serviceUrl })],
    ['self-signed, reusing the published key id', () => signChannelToken({ ...newSigningKey(), kid: keys.key.kid }, { appId: APP_ID, serviceUrl })],
    ['for another bot (wrong audience)', () => valid({ claims: { aud: '99999999-0000-0000-0000-000000000000' } })],
    ['expired', () => valid({ now: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 600 })],
    ['from another issuer', () => valid({ issuer: 'https://evil.example' })],
    ['for another serviceUrl', () => valid({ serviceUrl: 'https://smba.trafficmanager.net/emea/' })],
    ['with "alg: none"', () => unsignedToken({ appId: APP_ID, serviceUrl }, keys.key.kid)],
    ['signed with HS256', () => hmacToken('public-key-as-secret', { appId: APP_ID, serviceUrl }, keys.key.kid)],
  ];
  for (const [name, forge] of forgeries) {
    it(`answers 401 to a token ${name}, with no detail, and processes nothing`, async () => {
      const { status, body } = await bot.post(activity(), { authorization: `Bearer ${forge()}` });
      assert.equal(status, 401);
      assert.deepEqual(body, { error: 'unauthorized' });
      const refs = await bot.store.db.selectFrom('conversation_ref').selectAll().execute();
      assert.equal(refs.length, 0);
    });
  }

  it('refuses a key endorsed for other channels only', async () => {
    await keys.close();
    keys = await startFakeKeyServer({ endorsements: ['webchat'] });
    await bot.close();
    bot = await startBot({ env: AUTH_ENV, server: { adapter: { openIdMetadataUrl: keys.metadataUrl } } });
    const { status } = await bot.post(activity(), { authorization: `Bearer ${valid()}` });
    assert.equal(status, 401);
  });

  for (const [name, token] of [
    ['"alg: none"', () => unsignedToken({ appId: APP_ID, serviceUrl })],
    ['HS256', () => hmacToken('x', { appId: APP_ID, serviceUrl })],
    ['"alg: none" with a fake signature', () => unsignedToken({ appId: APP_ID, serviceUrl }) + 'c2ln'],
  ] as const) {
    it(`refuses a ${name} token before fetching any key`, async () => {
      const { status } = await bot.post(activity(), { authorization: `Bearer ${token()}` });
      assert.equal(status, 401);
      assert.equal(keys.requests(), 0, 'the key server was not asked');
    });
  }

  it('answers 503 without upstream text when the key server fails', async () => {
    keys.failWith(500);
    const { status, body } = await bot.post(activity(), { authorization: `Bearer ${valid()}` });
    assert.equal(status, 503);
    assert.ok(keys.requests() >= 1);
    const text = JSON.stringify(body);
    assert.doesNotMatch(text, /exploded|DEADBEEF|openID|500|Failed/i);
  });

  it('answers 503 without upstream text when the key server is unreachable', async () => {
    // A loopback port with nothing listening: connection refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await bot.close();
    bot = await startBot({ env: AUTH_ENV, server: { adapter: { openIdMetadataUrl: `http://127.0.0.1:${deadPort}/v1/.well-known/openidconfiguration` } } });
    const { status, body } = await bot.post(activity(), { authorization: `Bearer ${valid()}` });
    assert.equal(status, 503);
    assert.doesNotMatch(JSON.stringify(body), /ECONNREFUSED|127\.0\.0\.1|fetch/i);
  });
});

describe('edge: token screening before any fetch', () => {
  it('lets through only well-formed RS-signed JWTs with a key id', () => {
    const key = newSigningKey('k1');
    assert.deepEqual(screenBearer(`Bearer ${signChannelToken(key, { appId: 'a', serviceUrl: 'x' })}`), { ok: true });
    assert.deepEqual(screenBearer(''), { ok: false, reason: 'missing_token' });
    assert.deepEqual(screenBearer('Basic dXNlcjpwYXNz'), { ok: false, reason: 'malformed_token' });
    assert.deepEqual(screenBearer('Bearer not.a.jwt'), { ok: false, reason: 'malformed_token' });
    assert.deepEqual(screenBearer(`Bearer ${hmacToken('s', { appId: 'a', serviceUrl: 'x' })}`), { ok: false, reason: 'unexpected_algorithm' });
    assert.deepEqual(screenBearer(`Bearer ${signChannelToken(key, { appId: 'a', serviceUrl: 'x', header: { kid: undefined } })}`), { ok: false, reason: 'malformed_token' });
  });
});

describe('edge: refusals are logged as rate-limited JSON lines (issue 13.9)', () => {
  it('logs at most N lines a minute per reason, then one "suppressed" summary', () => {
    const lines: string[] = [];
    let now = 1_000_000;
    const log = createRefusalLog(createLogger('info', (l) => lines.push(l)), { perMinute: 5, now: () => now });
    for (let i = 0; i < 100; i++) log.refuse('rejected_token', { ip: '127.0.0.1', path: '/api/messages' });
    log.refuse('missing_token', { ip: '127.0.0.1', path: '/api/messages' });
    assert.equal(lines.length, 6);
    now += 60_000;
    log.refuse('rejected_token', { ip: '127.0.0.1', path: '/api/messages' });
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(
      parsed.map((p) => [p.event, p.reason, p.suppressed]),
      [
        ...Array(5).fill(['request.refused', 'rejected_token', undefined]),
        ['request.refused', 'missing_token', undefined],
        ['request.refused.suppressed', 'rejected_token', 95],
        ['request.refused', 'rejected_token', undefined],
      ],
    );
  });

  it('100 forged requests print a few JSON lines: no stacks, no tokens, nothing else on stderr', async function () {
    this.timeout(120_000);
    const keys = await startFakeKeyServer();
    const logged: string[] = [];
    const bot = await startBot({
      env: AUTH_ENV,
      logger: createLogger('info', (l) => logged.push(l)),
      server: { adapter: { openIdMetadataUrl: keys.metadataUrl } },
    });
    const stderr: string[] = [];
    const realWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const serviceUrl = 'http://127.0.0.1:1/connector/';
    const tokens: string[] = [];
    const forger = { ...newSigningKey(), kid: keys.key.kid };
    try {
      for (let i = 0; i < 100; i++) {
        // Expired and wrongly signed tokens are the ones the SDK itself prints stacks and keys for.
        const token =
          i % 2 === 0
            ? signChannelToken(keys.key, { appId: APP_ID, serviceUrl, now: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 60 })
            : signChannelToken(forger, { appId: APP_ID, serviceUrl, claims: { jti: String(i) } });
        tokens.push(token);
        const { status } = await bot.post(messageActivity('help', { serviceUrl }), { authorization: `Bearer ${token}` });
        assert.equal(status, 401);
      }
    } finally {
      process.stderr.write = realWrite;
      await bot.close();
      await keys.close();
    }
    assert.deepEqual(stderr, [], 'nothing printed outside the logger');
    assert.ok(logged.length > 0 && logged.length <= 20, `${logged.length} lines`);
    for (const line of logged) {
      const entry = JSON.parse(line);
      assert.equal(entry.event, 'request.refused');
      assert.equal(entry.reason, 'rejected_token');
      assert.equal(entry.path, '/api/messages');
      assert.ok(typeof entry.ip === 'string');
      assert.ok(!line.includes('\\n    at '), 'no stack');
      assert.ok(!tokens.some((t) => line.includes(t.split('.')[2]!)), 'no token');
      assert.ok(!line.includes('eyJ'), 'no token part');
    }
  });
});
