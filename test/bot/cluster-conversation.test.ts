import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { VERBS } from '../../cards/verbs';
import { fixedClock } from '../../services/clock';
import type { Store } from '../../services/store/open-store';
import { openStore } from '../../services/store/open-store';
import { executeActivity, mentionActivity, messageActivity, TEST_USERS, type TestUser } from '../helpers/activities';
import { parseClusterCommand } from '../../services/cluster/cluster-commands';
import { firstCard, insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText, cardVerbs } from '../helpers/card-check';
import { NOW, seedAttendance, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/**
 * The attendance cluster over HTTP, as Teams drives it: an agenda, a pupil's review, an action
 * recorded, the minutes; scope refusals; and a group chat where the shared card is minimised and
 * allowed viewers get names through refresh.
 */

const BOSTON_MEMBER: TestUser = { id: '29:boston-member', aadObjectId: '00000000-0000-0000-0000-0000000000031', name: 'Hana Health' };

/** A stand-in Bot Connector: the roster of a chat, new messages and message updates. */
async function startConnector(members: TestUser[]) {
  const posts: { method: string; url: string; body: any }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      posts.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && /\/pagedmembers/.test(req.url ?? '')) {
        res.end(JSON.stringify({ members: members.map((m) => ({ id: m.id, name: m.name, aadObjectId: m.aadObjectId })) }));
        return;
      }
      res.end(JSON.stringify({ id: `activity-${posts.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    serviceUrl: `http://127.0.0.1:${address.port}/`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function invokeCard(response: { status: number; body: any }): any {
  assert.equal(response.status, 200);
  assert.equal(response.body?.statusCode, 200);
  assert.equal(response.body?.type, 'application/vnd.microsoft.card.adaptive', `expected a card, got ${JSON.stringify(response.body)}`);
  return response.body.value;
}

function reviewActionFor(card: unknown, pupilId: number): boolean {
  return JSON.stringify(card).includes(`"verb":"${VERBS.clusterReview}","data":{"district":"Boston","pupilId":${pupilId}}`);
}

describe('attendance cluster conversation over HTTP', () => {
  let store: Store;
  let fixture: ClusterFixture;
  let bot: RunningBot;
  let officerId: number;

  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedCounty(store.db, { staff: false });
    await seedAttendance(store.db, fixture);
    await insertStaff(store, [
      { user: TEST_USERS.manager, role: 'la_manager', scope: 'county' },
      { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' },
      { user: TEST_USERS.schoolLeader, role: 'school_leader', scope: 'school:100001' },
      { user: TEST_USERS.clusterMember, role: 'cluster_member', scope: 'district:Lincoln' },
      { user: TEST_USERS.admin, role: 'admin', scope: 'county' },
      { user: BOSTON_MEMBER, role: 'cluster_member', scope: 'district:Boston' },
    ]);
    officerId = (await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', TEST_USERS.attendanceOfficer.aadObjectId).executeTakeFirstOrThrow()).id;
    bot = await startBot({ store, clock: fixedClock(NOW) });
  });
  after(async () => {
    await bot.close();
    await store.close();
  });

  it('opens an agenda, reviews a pupil, records an action and sees it on the minutes', async () => {
    const severe = fixture.pupils.severe!.id;
    const from = TEST_USERS.attendanceOfficer;

    const agenda = firstCard(await bot.say(messageActivity('cluster Boston', { from })));
    assertValidCard(agenda);
    assert.match(cardText(agenda), /Boston attendance cluster/);
    assert.match(cardText(agenda), /Aisha Bell/);
    assert.ok(reviewActionFor(agenda, severe), 'the severe pupil\'s row opens their review');

    const review = invokeCard(await bot.post(executeActivity(VERBS.clusterReview, { district: 'Boston', pupilId: severe }, { from })));
    assertValidCard(review);
    assert.match(cardText(review), /Aisha Bell · Y9/);
    assert.match(cardText(review), /Record this review/);

    const refused = invokeCard(
      await bot.post(executeActivity(VERBS.clusterReviewSave, { district: 'Boston', pupilId: severe, actionWhat: 'Early help assessment', actionOwner: String(officerId), actionDue: '2026-11-01' }, { from })),
    );
    assertValidCard(refused);
    assert.match(cardText(refused), /Due date: must be today or later/);

    const saved = invokeCard(
      await bot.post(
        executeActivity(
          VERBS.clusterReviewSave,
          {
            district: 'Boston',
            pupilId: severe,
            barriers: 'Anxiety about transport',
            leadPractitioner: 'School SENCo',
            actionWhat: 'Early help assessment',
            actionOwner: String(officerId),
            actionDue: '2026-12-02',
            outcome: 'Family agreed to early help',
          },
          { from },
        ),
      ),
    );
    assertValidCard(saved);
    assert.match(cardText(saved), /Saved by Ola Officer/);
    assert.match(cardText(saved), /Early help assessment · Ola Officer · due 2 Dec/);

    const minutes = firstCard(await bot.say(messageActivity('cluster Boston minutes', { from })));
    assertValidCard(minutes);
    assert.match(cardText(minutes), /Aisha Bell/);
    assert.match(cardText(minutes), /Early help assessment — Ola Officer, due 2 Dec/);
    assert.match(cardText(minutes), /Outcome: Family agreed to early help/);

    const mine = firstCard(await bot.say(messageActivity('my actions', { from })));
    assertValidCard(mine);
    assert.match(cardText(mine), /Early help assessment/);

    const help = firstCard(await bot.say(messageActivity('help', { from })));
    assert.match(cardText(help), /cluster .*district.* minutes/);
  });

  it('reads `cluster <district> candidates` with school and cohort filters', () => {
    assert.deepEqual(parseClusterCommand('cluster Boston'), { district: 'Boston', what: 'agenda' });
    assert.deepEqual(parseClusterCommand('cluster South Kesteven minutes'), { district: 'South Kesteven', what: 'minutes' });
    assert.deepEqual(parseClusterCommand('cluster Boston candidates school Haven High cohort looked after'), { district: 'Boston', what: 'candidates', school: 'Haven High', cohort: 'looked after' });
    assert.deepEqual(parseClusterCommand('cluster boston candidates cohort ehcp'), { district: 'boston', what: 'candidates', cohort: 'ehcp' });
  });

  it('lists the candidate pool and nominates a pupil from it, who then leads the agenda', async () => {
    const from = TEST_USERS.attendanceOfficer;
    const pool = firstCard(await bot.say(messageActivity('cluster Boston candidates school grammar', { from })));
    assertValidCard(pool);
    assert.match(cardText(pool), /Boston cluster: candidates/);
    assert.match(cardText(pool), /Only: Boston Grammar Test School/);
    assert.match(cardText(pool), /Ben Carter/);
    assert.doesNotMatch(cardText(pool), /Ella Frost/, 'another school of the district is filtered out');

    // Nominate a pupil the criteria leave off: from the review card, with a reason.
    const good = fixture.pupils.good!.id;
    const nominated = invokeCard(
      await bot.post(executeActivity(VERBS.clusterNominate, { district: 'Boston', pupilId: good, back: 'review', nominationReason: 'Mum asked for help' }, { from })),
    );
    assertValidCard(nominated);
    assert.match(cardText(nominated), /Nominated for the meeting on 2026-12-09 by Ola Officer/);
    const agenda = firstCard(await bot.say(messageActivity('cluster Boston agenda', { from })));
    assert.match(cardText(agenda), /1 nominated/);
    assert.match(cardText(agenda), /\*\*Dev Evans\*\*[^\n]*\n[\s\S]*?Nominated by Ola Officer: Mum asked for help/);
    const bad = await bot.post(executeActivity(VERBS.clusterNominate, { district: 'Boston' }, { from }));
    assert.match(JSON.stringify(bad.body), /That card is out of date: the card has no pupil/);
  });

  it('`pupil <name or UPN>` opens the review card of the one pupil found, lists several, and never repeats what was typed', async () => {
    const from = TEST_USERS.attendanceOfficer;
    const one = firstCard(await bot.say(messageActivity('pupil Aisha Bell', { from })));
    assertValidCard(one);
    assert.match(cardText(one), /Aisha Bell · Y9 · Boston Grammar Test School/);
    assert.match(cardText(one), /Suspensions, exclusions and alerts this year/);
    assert.match(cardText(one), /Record this review/);

    assert.match(JSON.stringify(await bot.say(messageActivity('pupil B', { from }))), /Name or UPN: give at least two letters/);
    const list = firstCard(await bot.say(messageActivity('pupil Be', { from })));
    assertValidCard(list);
    assert.match(cardText(list), /Pupils found \(2\)/);
    assert.ok(reviewActionFor(list, fixture.pupils.severe!.id) && reviewActionFor(list, fixture.pupils.paSocial!.id), 'each pupil opens their review');

    const none = await bot.say(messageActivity('pupil Gina Hale', { from }));
    const reply = JSON.stringify(none);
    assert.match(reply, /No pupil on roll at a school in your scope matches that/);
    assert.doesNotMatch(reply, /Gina|Hale/, 'the search words are not repeated');

    // Help lists the new commands for the roles that may use them, and not for administrators.
    const help = cardText(firstCard(await bot.say(messageActivity('help', { from }))));
    assert.match(help, /pupil .*name or UPN/);
    assert.match(help, /cluster .*district.* candidates/);
    const adminHelp = cardText(firstCard(await bot.say(messageActivity('help', { from: TEST_USERS.admin }))));
    assert.doesNotMatch(adminHelp, /name or UPN|candidates/);

    const admin = await bot.say(messageActivity('pupil Aisha', { from: TEST_USERS.admin }));
    assert.match(JSON.stringify(admin), /Your role sees figures only/);
    assert.doesNotMatch(JSON.stringify(admin), /Aisha Bell/);
  });

  it('another district\'s cluster member and a school leader of another school see no pupil of this cluster', async () => {
    const severe = fixture.pupils.severe!;
    for (const from of [TEST_USERS.clusterMember, TEST_USERS.schoolLeader]) {
      const replies = await bot.say(messageActivity('cluster Boston', { from }));
      const all = JSON.stringify(replies);
      assert.match(all, /outside your scope/);
      assert.doesNotMatch(all, /Aisha|Bell|A\.B\./);
      for (const verb of [VERBS.clusterReview, VERBS.clusterAgenda, VERBS.clusterMinutes]) {
        const response = await bot.post(executeActivity(verb, { district: 'Boston', pupilId: severe.id }, { from }));
        assert.equal(response.status, 200);
        const text = JSON.stringify(response.body);
        assert.doesNotMatch(text, /Aisha|Bell|A\.B\./, `${verb} leaked a pupil`);
        assert.match(text, /outside your scope/);
      }
      const save = await bot.post(executeActivity(VERBS.clusterReviewSave, { district: 'Boston', pupilId: severe.id, barriers: 'x' }, { from }));
      assert.match(JSON.stringify(save.body), /outside your scope/);
      const minutes = await bot.say(messageActivity('cluster Boston minutes', { from }));
      assert.doesNotMatch(JSON.stringify(minutes), /Aisha|Bell|A\.B\./);
    }
    // Their reads are not in the audit log: nothing about Boston's pupils was read for them.
    const audit = await store.db.selectFrom('audit_log').innerJoin('staff_user', 'staff_user.id', 'audit_log.staff_user_id').select('staff_user.aad_object_id').execute();
    for (const from of [TEST_USERS.clusterMember, TEST_USERS.schoolLeader]) assert.ok(!audit.some((a) => a.aad_object_id === from.aadObjectId));
  });

  describe('in a group chat', () => {
    let connector: Awaited<ReturnType<typeof startConnector>>;
    before(async () => {
      connector = await startConnector([TEST_USERS.attendanceOfficer, BOSTON_MEMBER, TEST_USERS.clusterMember]);
    });
    after(() => connector.close());
    const chat = () => ({ conversationType: 'groupChat' as const, conversationId: 'meeting-chat-1', serviceUrl: connector.serviceUrl });

    it('posts initials only, with a refresh for the members allowed to see names', async () => {
      const card = firstCard(await bot.say(mentionActivity('cluster Boston', { from: TEST_USERS.attendanceOfficer, ...chat() })));
      assertValidCard(card);
      const text = cardText(card);
      assert.match(text, /A\.B\./);
      assert.doesNotMatch(text, /Aisha|Bell|Frost|Carter/);
      assert.deepEqual(card.refresh?.userIds, [TEST_USERS.attendanceOfficer.id, BOSTON_MEMBER.id]);
      assert.equal(card.refresh?.action.verb, VERBS.clusterAgenda);
    });

    it('a refresh gives an allowed member their own named view and another district\'s member nothing', async () => {
      const refresh = (from: TestUser) => {
        const activity = executeActivity(VERBS.clusterAgenda, { district: 'Boston' }, { from, ...chat() });
        (activity.value as { trigger: string }).trigger = 'automatic';
        return bot.post(activity);
      };
      const named = invokeCard(await refresh(BOSTON_MEMBER));
      assert.match(cardText(named), /Aisha Bell/);
      const other = invokeCard(await refresh(TEST_USERS.clusterMember));
      assert.doesNotMatch(cardText(other), /Aisha|Bell|A\.B\./);
      assert.match(cardText(other), /outside your scope/);
    });

    it('opening a review posts it for everyone minimised; saving updates that message in place for everyone', async () => {
      const pupilId = fixture.pupils.paSocial!.id;
      const before = connector.posts.length;
      const opened = await bot.post(executeActivity(VERBS.clusterReview, { district: 'Boston', pupilId }, { from: TEST_USERS.attendanceOfficer, ...chat() }));
      assert.equal(opened.status, 200);
      assert.match(JSON.stringify(opened.body), /posted below/);
      const posted = connector.posts.slice(before).find((p) => p.method === 'POST' && /\/activities(\/[^/]+)?$/.test(p.url));
      assert.ok(posted, `the review was posted to the chat: ${JSON.stringify(opened.body)} ${JSON.stringify(connector.posts.slice(before).map((p) => [p.method, p.url]))}`);
      const sharedReview = posted!.body.attachments[0].content;
      assertValidCard(sharedReview);
      assert.match(cardText(sharedReview), /B\.C\. · Y8/);
      assert.doesNotMatch(cardText(sharedReview), /Ben|Carter/);
      assert.deepEqual(sharedReview.refresh?.userIds, [TEST_USERS.attendanceOfficer.id, BOSTON_MEMBER.id]);

      const mark = connector.posts.length;
      const saved = invokeCard(
        await bot.post(
          executeActivity(
            VERBS.clusterReviewSave,
            { district: 'Boston', pupilId, barriers: 'Caring for a parent', actionWhat: 'Young carers referral', actionOwner: String(officerId), actionDue: '2026-12-04' },
            { from: TEST_USERS.attendanceOfficer, replyToId: 'review-message-7', ...chat() },
          ),
        ),
      );
      // The presser sees their own (named) view...
      assert.match(cardText(saved), /Ben Carter/);
      assert.match(cardText(saved), /Young carers referral/);
      // ...and the shared message is rewritten for everyone: the new action, still no names or free text.
      const update = connector.posts.slice(mark).find((p) => p.method === 'PUT' && p.url.includes('/activities/review-message-7'));
      assert.ok(update, 'the shared review message was updated');
      const updated = update!.body.attachments[0].content;
      assertValidCard(updated);
      assert.match(cardText(updated), /Young carers referral/);
      assert.doesNotMatch(cardText(updated), /Ben|Carter|Caring for a parent/);
      for (const verb of cardVerbs(updated)) assert.ok(Object.values(VERBS).includes(verb as never), verb);
    });
  });
});
