import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createConnectorTransport } from '../../bot/connector-transport';
import { loadConfig } from '../../services/config';
import { checkServiceUrl, serviceUrlPolicyFor } from '../../services/conversations/service-url-policy';
import type { DeliveryTarget } from '../../services/alerts/delivery-worker';
import { TEST_USERS, messageActivity } from '../helpers/activities';
import { startBot, type RunningBot } from '../helpers/bot-harness';
import { signChannelToken, startFakeKeyServer, type FakeKeyServer } from '../helpers/fake-bot-keys';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const AUTH_ENV = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' };

/** A TCP listener on loopback that only counts connections: proof that nothing connected. */
async function connectionCounter(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const DEV = serviceUrlPolicyFor(loadConfig({}));
const PROD = serviceUrlPolicyFor(loadConfig({ NODE_ENV: 'production' }));

describe('edge: service URLs (issue 13.3)', () => {
  describe('the policy', () => {
    for (const url of [
      'https://smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net/amer/',
      'https://smba.infra.gcc.teams.microsoft.com/gcc',
      'https://smba.infra.gov.teams.microsoft.us/gcch',
      'https://europe.webchat.botframework.com/',
    ]) {
      it(`accepts ${url} in production`, () => assert.equal(checkServiceUrl(url, PROD).ok, true));
    }
    for (const url of [
      'file:///etc/passwd',
      'http://169.254.169.254/latest/meta-data/',
      'https://169.254.169.254/',
      'http://smba.trafficmanager.net/emea/',
      'https://evil.trafficmanager.net/',
      'https://smba.trafficmanager.net.evil.example/',
      'https://notbotframework.com/',
      'https://user:pw@smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net:8443/emea/',
      'gopher://smba.trafficmanager.net/',
      'http://localhost:56150/_connector',
      'http://127.0.0.1:3978/',
      'not a url',
      '',
    ]) {
      it(`refuses ${JSON.stringify(url)} in production`, () => assert.equal(checkServiceUrl(url, PROD).ok, false));
    }
    it('allows loopback (the Agents Playground) only outside production, and never other schemes there', () => {
      assert.equal(checkServiceUrl('http://localhost:56150/_connector', DEV).ok, true);
      assert.equal(checkServiceUrl('http://127.0.0.1:1/connector/', DEV).ok, true);
      assert.equal(checkServiceUrl('http://[::1]:56150/', DEV).ok, true);
      assert.equal(checkServiceUrl('file://localhost/etc/passwd', DEV).ok, false);
      assert.equal(checkServiceUrl('http://169.254.169.254/', DEV).ok, false);
    });
    it('takes its host list from ALLOWED_SERVICE_URL_HOSTS', () => {
      const policy = serviceUrlPolicyFor(loadConfig({ NODE_ENV: 'production', ALLOWED_SERVICE_URL_HOSTS: 'Connector.Example.org' }));
      assert.equal(checkServiceUrl('https://eu.connector.example.org/', policy).ok, true);
      assert.equal(checkServiceUrl('https://smba.trafficmanager.net/emea/', policy).ok, false);
    });
    it('rejects a malformed ALLOWED_SERVICE_URL_HOSTS naming the variable', () => {
      assert.throws(() => loadConfig({ ALLOWED_SERVICE_URL_HOSTS: 'https://smba.trafficmanager.net/' }), /ALLOWED_SERVICE_URL_HOSTS/);
    });
  });

  describe('proactive sends', () => {
    const target = (serviceUrl: string): DeliveryTarget => ({
      conversationId: 'a:1',
      conversationType: 'personal',
      tenantId: 'tenant-1',
      serviceUrl,
      referenceJson: JSON.stringify({ bot: { id: '28:bot' }, user: { id: '29:u' }, conversation: { id: 'a:1' }, channelId: 'msteams' }),
    });

    for (const url of ['http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd']) {
      it(`never calls ${url}`, async () => {
        let calls = 0;
        const transport = createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' }), {
          fetch: (async () => {
            calls++;
            return new Response('{}', { status: 201 });
          }) as typeof fetch,
        });
        const result = await transport.send(target(url), { text: 'hello' });
        assert.equal(result.ok, false);
        assert.match((result as { message: string }).message, /service URL refused/);
        assert.equal(calls, 0, 'the transport was never called');
      });
    }

    it('does not connect to a stored loopback URL in production (and does outside it)', async () => {
      const counter = await connectionCounter();
      try {
        const prod = createConnectorTransport(loadConfig({ NODE_ENV: 'production', ...AUTH_ENV, ALLOWED_TENANTS: 't' }), { timeoutMs: 2000 });
        const refused = await prod.send(target(counter.url), { text: 'hello' });
        assert.equal(refused.ok, false);
        assert.equal(counter.connections(), 0);
        // The control: the same send outside production does connect, so the counter can count.
        const dev = createConnectorTransport(loadConfig({}), { timeoutMs: 2000 });
        await dev.send(target(counter.url), { text: 'hello' });
        assert.equal(counter.connections(), 1);
      } finally {
        await counter.close();
      }
    });
  });

  describe('over HTTP', () => {
    let bot: RunningBot | undefined;
    let keys: FakeKeyServer | undefined;
    afterEach(async () => {
      await bot?.close();
      await keys?.close();
      bot = keys = undefined;
    });

    // Only file:// here: if the check were broken, other schemes would make the bot connect out.
    for (const url of ['file:///etc/passwd']) {
      it(`refuses an activity whose serviceUrl is ${url}, before the turn runs`, async () => {
        bot = await startBot();
        const { status, body } = await bot.post(messageActivity('help', { from: TEST_USERS.stranger, serviceUrl: url, expectReplies: false }));
        assert.equal(status, 400);
        assert.match(body.error, /serviceUrl/);
        assert.equal((await bot.store.db.selectFrom('conversation_ref').selectAll().execute()).length, 0);
      });
    }

    it('in production, refuses a signed activity pointing at loopback without connecting to it', async () => {
      const counter = await connectionCounter();
      keys = await startFakeKeyServer();
      try {
        bot = await startBot({
          env: { ...AUTH_ENV, NODE_ENV: 'production', ALLOWED_TENANTS: 'tenant-1' },
          server: { adapter: { openIdMetadataUrl: keys.metadataUrl } },
        });
        // An unknown user, not expectReplies: a turn would look up the roster and post its reply there.
        const activity = messageActivity('help', { from: TEST_USERS.stranger, serviceUrl: counter.url, expectReplies: false });
        const token = signChannelToken(keys.key, { appId: APP_ID, serviceUrl: counter.url });
        const { status } = await bot.post(activity, { authorization: `Bearer ${token}` });
        assert.equal(status, 400);
        assert.equal(counter.connections(), 0);
      } finally {
        await counter.close();
      }
    });

    describe('conversation references', () => {
      const conversationId = 'conv-personal-29:manager';
      const storedUrl = async () => (await bot!.store.db.selectFrom('conversation_ref').select('service_url').where('conversation_id', '=', conversationId).executeTakeFirst())?.service_url;

      it('an unauthenticated turn cannot re-point an existing conversation to another service URL', async () => {
        bot = await startBot();
        await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: 'http://127.0.0.1:1/first/' }));
        assert.equal(await storedUrl(), 'http://127.0.0.1:1/first/');
        await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: 'http://127.0.0.1:1/attacker/' }));
        assert.equal(await storedUrl(), 'http://127.0.0.1:1/first/');
      });

      it('an authenticated turn re-points it only for the same user', async () => {
        keys = await startFakeKeyServer();
        bot = await startBot({ env: AUTH_ENV, server: { adapter: { openIdMetadataUrl: keys.metadataUrl } } });
        const signed = async (from: (typeof TEST_USERS)[keyof typeof TEST_USERS], serviceUrl: string) => {
          const activity = messageActivity('help', { from, serviceUrl, conversationId });
          const { status } = await bot!.post(activity, { authorization: `Bearer ${signChannelToken(keys!.key, { appId: APP_ID, serviceUrl })}` });
          assert.equal(status, 200);
        };
        await signed(TEST_USERS.manager, 'http://127.0.0.1:1/first/');
        assert.equal(await storedUrl(), 'http://127.0.0.1:1/first/');
        await signed(TEST_USERS.attendanceOfficer, 'http://127.0.0.1:1/other-user/');
        assert.equal(await storedUrl(), 'http://127.0.0.1:1/first/', 'another user cannot take over the chat');
        await signed(TEST_USERS.manager, 'http://127.0.0.1:1/moved/');
        assert.equal(await storedUrl(), 'http://127.0.0.1:1/moved/', 'the same user, authenticated, can');
      });
    });
  });
});
