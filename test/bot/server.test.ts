import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOT_SET_UP_MESSAGE } from '../../bot/identity-step';
import { FALLBACK_MESSAGE } from '../../bot/app';
import { SUGGEST_MESSAGE } from '../../services/assistant/assistant';
import { TEST_USERS, mentionActivity, messageActivity, executeActivity } from '../helpers/activities';
import { firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText } from '../helpers/card-check';
import { VERBS } from '../../cards/verbs';

describe('bot over HTTP', () => {
  let bot: RunningBot;
  afterEach(async () => {
    await bot?.close();
  });

  describe('with authentication off (no MicrosoftAppId)', () => {
    beforeEach(async () => {
      bot = await startBot();
    });

    it('answers help for an LA manager with a valid card naming their role and scope', async () => {
      const replies = await bot.say(messageActivity('help', { from: TEST_USERS.manager }));
      assert.equal(replies.length, 1);
      const card = firstCard(replies);
      assertValidCard(card);
      const words = cardText(card);
      assert.match(words, /LA manager/);
      assert.match(words, /the whole county/);
      assert.match(words, /help/);
    });

    it('answers help for a school leader with their own role and scope', async () => {
      const card = firstCard(await bot.say(messageActivity('Help ', { from: TEST_USERS.schoolLeader })));
      assertValidCard(card);
      const words = cardText(card);
      assert.match(words, /School leader/);
      assert.match(words, /1 school/);
      assert.doesNotMatch(words, /LA manager/);
    });

    it('strips the @mention in a channel and answers there', async () => {
      const replies = await bot.say(mentionActivity('help', { from: TEST_USERS.attendanceOfficer }));
      const card = firstCard(replies);
      assert.match(cardText(card), /Attendance officer/);
      assert.equal(replies[0].conversation.conversationType, 'channel');
    });

    it('answers in a group chat', async () => {
      const replies = await bot.say(messageActivity('help', { from: TEST_USERS.clusterMember, conversationType: 'groupChat' }));
      assert.match(cardText(firstCard(replies)), /Cluster member/);
    });

    it('refreshes the help card through a card button (Action.Execute)', async () => {
      const { status, body } = await bot.post(executeActivity(VERBS.help, {}, { from: TEST_USERS.admin }));
      assert.equal(status, 200);
      assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
      assertValidCard(body.value);
      assert.match(cardText(body.value), /Administrator/);
    });

    it('tells an unknown user they are not set up, and nothing else', async () => {
      const replies = await bot.say(messageActivity('help', { from: TEST_USERS.stranger }));
      assert.deepEqual(
        replies.map((r) => r.text),
        [NOT_SET_UP_MESSAGE],
      );
      assert.equal(replies[0].attachments, undefined);
    });

    it('refuses a card button from an unknown user with the same message', async () => {
      const { status, body } = await bot.post(executeActivity(VERBS.help, {}, { from: TEST_USERS.stranger }));
      assert.equal(status, 200);
      assert.equal(body.type, 'application/vnd.microsoft.activity.message');
      assert.equal(body.value, NOT_SET_UP_MESSAGE);
    });

    it('offers likely commands for text it does not understand, not a bare pointer to help', async () => {
      const replies = await bot.say(messageActivity('what is the weather', { from: TEST_USERS.manager }));
      assert.equal(replies.length, 1);
      assert.equal(replies[0].text, SUGGEST_MESSAGE);
      assert.notEqual(replies[0].text, FALLBACK_MESSAGE);
      assert.ok(replies[0].attachments[0].content.buttons.length >= 2);
    });

    it('remembers the conversation for proactive messages, without the activity id', async () => {
      await bot.say(messageActivity('help', { from: TEST_USERS.manager }));
      const rows = await bot.store.db.selectFrom('conversation_ref').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.conversation_type, 'personal');
      assert.equal(rows[0]!.aad_object_id, TEST_USERS.manager.aadObjectId);
      const reference = JSON.parse(rows[0]!.reference_json);
      assert.equal(reference.activityId, undefined);
      assert.equal(reference.conversation.id, 'conv-personal-29:manager');
    });

    it('rejects a body that is not JSON with 400', async () => {
      const { status } = await bot.post('{"type": "message", ');
      assert.equal(status, 400);
    });

    it('rejects JSON that is not an activity with 400 and a message saying why', async () => {
      const { status, body } = await bot.post({ hello: 'world' });
      assert.equal(status, 400);
      assert.match(body.error, /activity/);
    });

    it('reports store health on /healthz, and 503 when the store is unreachable', async () => {
      const ok = await fetch(`${bot.url}/healthz`);
      assert.equal(ok.status, 200);
      assert.deepEqual(((await ok.json()) as any).store, { engine: 'sqlite', status: 'ok' });
      await bot.store.close();
      const down = await fetch(`${bot.url}/healthz`);
      assert.equal(down.status, 503);
      assert.equal(((await down.json()) as any).status, 'unavailable');
    });

    it('finishes a turn already in flight before closing', async () => {
      await bot.close();
      bot = await startBot({ rosterTimeoutMs: 10_000 });
      // A Teams roster that holds the unknown user's email look-up until told keeps the turn in flight.
      let rosterAsked!: () => void;
      const asked = new Promise<void>((resolve) => (rosterAsked = resolve));
      let answerRoster!: () => void;
      const answer = new Promise<void>((resolve) => (answerRoster = resolve));
      const slowConnector = createServer((_req, res) => {
        rosterAsked();
        void answer.then(() => {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{}');
        });
      });
      await new Promise<void>((resolve) => slowConnector.listen(0, '127.0.0.1', resolve));
      const port = (slowConnector.address() as AddressInfo).port;
      try {
        const pending = bot.say(messageActivity('help', { from: TEST_USERS.stranger, serviceUrl: `http://127.0.0.1:${port}/` }));
        await asked;
        assert.equal(bot.bot.inFlight(), 1);
        let closed = false;
        const closing = bot.bot.close(5000).then(() => (closed = true));
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(closed, false, 'close waits for the turn');
        answerRoster();
        await closing;
        const replies = await pending;
        assert.deepEqual(
          replies.map((r) => r.text),
          [NOT_SET_UP_MESSAGE],
          'the in-flight turn still got its answer',
        );
      } finally {
        slowConnector.close();
      }
    });
  });

  describe('with authentication on (MicrosoftAppId set)', () => {
    beforeEach(async () => {
      bot = await startBot({ env: { MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'not-a-real-secret' } });
    });

    it('answers 401 to a POST without a token and processes nothing', async () => {
      const { status } = await bot.post(messageActivity('help', { from: TEST_USERS.manager }));
      assert.equal(status, 401);
      const refs = await bot.store.db.selectFrom('conversation_ref').selectAll().execute();
      assert.equal(refs.length, 0, 'no conversation was recorded');
    });

    it('answers 401 to a POST with a forged token', async () => {
      const { status } = await bot.post(messageActivity('help'), { authorization: 'Bearer not.a.jwt' });
      assert.equal(status, 401);
    });
  });
});

describe('bot start-up', () => {
  it('stops with one line naming a bad configuration value', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: 'sqlite::memory:' },
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n').filter((l) => !l.includes('DeprecationWarning') && !l.includes('trace-deprecation'));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^configuration: PORT /);
  });

  it('refuses to start on broken ladder content, naming the file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ia-ladder-'));
    try {
      cpSync('data/ladder', dir, { recursive: true });
      const rung = join(dir, 'rungs', 'step-2.yaml');
      writeFileSync(rung, readFileSync(rung, 'utf8').replace(/^title:.*$/m, 'title:'));
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
        env: { ...process.env, LADDER_DIR: dir, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 30000,
      });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /cannot start: ladder content is invalid/);
      assert.match(result.stderr, /step-2\.yaml:\d+:\d+: title:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
