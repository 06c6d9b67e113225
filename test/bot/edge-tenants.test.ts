import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOT_SET_UP_MESSAGE, TENANT_REFUSED_MESSAGE } from '../../bot/identity-step';
import { VERBS } from '../../cards/verbs';
import { ADMIN_ONLY_MESSAGE } from '../../services/identity/admin-commands';
import { TEST_USERS, executeActivity, messageActivity } from '../helpers/activities';
import { DEFAULT_STAFF, firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { ROSTER_TIMEOUT_MS } from '../../bot/teams-roster';
import { cardText } from '../helpers/card-check';

/** A Teams roster on loopback: GET .../members/<id> answers with the given email. */
async function fakeRoster(email: string): Promise<{ serviceUrl: string; lookups(): number; close(): Promise<void> }> {
  let lookups = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && /\/v3\/conversations\/[^/]+\/members\//.test(req.url ?? '')) {
      lookups++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: TEST_USERS.stranger.id, name: TEST_USERS.stranger.name, email, userPrincipalName: email, aadObjectId: TEST_USERS.stranger.aadObjectId }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    lookups: () => lookups,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function withTenant<T extends { conversation: { tenantId: string }; channelData: { tenant: { id: string } } }>(activity: T, tenantId: string): T {
  return { ...activity, conversation: { ...activity.conversation, tenantId }, channelData: { ...activity.channelData, tenant: { id: tenantId } } };
}

describe('edge: tenants (issue 13.4)', () => {
  let bot: RunningBot | undefined;
  let refusals: string[];
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });
  const start = async (env: Record<string, string> = {}, staff = DEFAULT_STAFF, rosterTimeoutMs?: number) => {
    refusals = [];
    bot = await startBot({ env, staff, server: { refusalLog: { refuse: (reason) => refusals.push(reason) } }, rosterTimeoutMs });
    return bot;
  };

  it('answers a message from a tenant not in ALLOWED_TENANTS with a short refusal, no data, nothing stored', async () => {
    await start({ ALLOWED_TENANTS: 'tenant-la, tenant-school' });
    const replies = await bot!.say(withTenant(messageActivity('help', { from: TEST_USERS.manager }), 'tenant-elsewhere'));
    assert.deepEqual(
      replies.map((r) => r.text),
      [TENANT_REFUSED_MESSAGE],
    );
    assert.equal(replies[0].attachments, undefined);
    assert.equal((await bot!.store.db.selectFrom('conversation_ref').selectAll().execute()).length, 0);
    assert.deepEqual(refusals, ['tenant_not_allowed']);
  });

  it('answers a card press from such a tenant with the refusal, not the card', async () => {
    await start({ ALLOWED_TENANTS: 'tenant-la' });
    const { status, body } = await bot!.post(executeActivity(VERBS.help, {}, { from: TEST_USERS.admin }));
    assert.equal(status, 200);
    assert.equal(body.type, 'application/vnd.microsoft.activity.message');
    assert.equal(body.value, TENANT_REFUSED_MESSAGE);
  });

  it('serves a listed tenant (ids compared without regard to case)', async () => {
    await start({ ALLOWED_TENANTS: 'TENANT-1' });
    const card = firstCard(await bot!.say(messageActivity('help', { from: TEST_USERS.manager })));
    assert.match(cardText(card), /LA manager/);
  });

  it('serves every tenant when ALLOWED_TENANTS is unset (local trials)', async () => {
    await start();
    const card = firstCard(await bot!.say(withTenant(messageActivity('help', { from: TEST_USERS.manager }), 'any-tenant')));
    assert.match(cardText(card), /LA manager/);
  });

  describe('linking a Teams identity to a staff account by email', () => {
    const newHead = { user: { id: 'x', aadObjectId: 'unused', name: 'New Head' }, role: 'school_leader' as const, scope: 'school:100001', email: 'newhead@school.example' };
    const unlinkedStaff = async () => {
      // The account exists but has no Teams identity yet.
      await bot!.store.db.updateTable('staff_user').set({ aad_object_id: null }).where('email', '=', newHead.email).execute();
    };

    it('links within an allowed tenant, and audits it', async () => {
      const roster = await fakeRoster(newHead.email);
      try {
        // A fake roster answers: the look-up gets the bot's real time limit.
        await start({ ALLOWED_TENANTS: 'tenant-1' }, [...DEFAULT_STAFF, newHead], ROSTER_TIMEOUT_MS);
        await unlinkedStaff();
        const card = firstCard(await bot!.say(messageActivity('help', { from: TEST_USERS.stranger, serviceUrl: roster.serviceUrl })));
        assert.match(cardText(card), /School leader/);
        const row = await bot!.store.db.selectFrom('staff_user').selectAll().where('email', '=', newHead.email).executeTakeFirstOrThrow();
        assert.equal(row.aad_object_id, TEST_USERS.stranger.aadObjectId);
        const audit = await bot!.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'identity.bind').execute();
        assert.equal(audit.length, 1);
        assert.equal(audit[0]!.subject_ids, String(row.id));
        assert.match(audit[0]!.command, /tenant-1/);
      } finally {
        await roster.close();
      }
    });

    it('does not let an account already linked be taken by another identity with the same email', async () => {
      const roster = await fakeRoster('head@school.example');
      try {
        await start({}, [...DEFAULT_STAFF, { ...newHead, email: 'head@school.example', user: { ...newHead.user, aadObjectId: 'aad-original' } }], ROSTER_TIMEOUT_MS);
        const replies = await bot!.say(messageActivity('help', { from: TEST_USERS.stranger, serviceUrl: roster.serviceUrl }));
        assert.equal(replies[0].attachments, undefined, 'no card: not set up');
        const row = await bot!.store.db.selectFrom('staff_user').selectAll().where('email', '=', 'head@school.example').executeTakeFirstOrThrow();
        assert.equal(row.aad_object_id, 'aad-original');
      } finally {
        await roster.close();
      }
    });
  });

  describe('admin unlink', () => {
    it('lets an admin remove a link (audited); the help card lists it for admins only', async () => {
      await start();
      const adminHelp = cardText(firstCard(await bot!.say(messageActivity('help', { from: TEST_USERS.admin }))));
      assert.match(adminHelp, /admin unlink/);
      const managerHelp = cardText(firstCard(await bot!.say(messageActivity('help', { from: TEST_USERS.manager }))));
      assert.doesNotMatch(managerHelp, /admin unlink/);

      const leaderEmail = `${TEST_USERS.schoolLeader.id.replace(/\W/g, '')}@school.example`;
      // The leader has just used the bot, so this instance has them cached.
      assert.match(cardText(firstCard(await bot!.say(messageActivity('help', { from: TEST_USERS.schoolLeader })))), /School leader/);
      const refused = await bot!.say(messageActivity(`admin unlink ${leaderEmail}`, { from: TEST_USERS.manager }));
      assert.deepEqual(
        refused.map((r) => r.text),
        [ADMIN_ONLY_MESSAGE],
      );
      const done = await bot!.say(messageActivity(`admin unlink ${leaderEmail}`, { from: TEST_USERS.admin }));
      assert.match(done[0].text, /Unlinked Sam Leader/);
      const row = await bot!.store.db.selectFrom('staff_user').selectAll().where('email', '=', leaderEmail).executeTakeFirstOrThrow();
      assert.equal(row.aad_object_id, null);
      const audit = await bot!.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'identity.unbind').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.aad_object_id, TEST_USERS.schoolLeader.aadObjectId);
      assert.equal(audit[0]!.subject_ids, String(row.id));
      const after = await bot!.say(messageActivity('help', { from: TEST_USERS.schoolLeader }));
      assert.deepEqual(
        after.map((r) => r.text),
        [NOT_SET_UP_MESSAGE],
        'the unlinked identity is not served, not even from the cache',
      );
    });

    it('says clearly when the email is not an email or not a staff account', async () => {
      await start();
      const bad = await bot!.say(messageActivity('admin unlink nobody', { from: TEST_USERS.admin }));
      assert.match(bad[0].text, /^email: /);
      const unknown = await bot!.say(messageActivity('admin unlink nobody@nowhere.example', { from: TEST_USERS.admin }));
      assert.match(unknown[0].text, /No staff account/);
    });
  });
});
