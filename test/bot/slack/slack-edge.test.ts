import assert from 'node:assert/strict';
import { SLACK_FAILED_MESSAGE, SLACK_NOT_SET_UP_MESSAGE } from '../../../bot/slack/slack-app';
import { NOT_IN_SLACK_YET, SLACK_FALLBACK } from '../../../bot/slack/slack-commands';
import { ladderServiceFor } from '../../../services/ladder/ladder-service';
import { MAX_BLOCKS, MAX_TEXT } from '../../../cards/slack/block-kit';
import { TEST_USERS } from '../../helpers/activities';
import { startBot, type RunningBot } from '../../helpers/bot-harness';
import { forEachEngine } from '../../helpers/test-stores';
import { NOW } from '../../services/cluster/cluster-fixture';
import { startFakeSlack } from './fake-slack';
import { emailOf, startClusterSlack } from './slack-fixtures';
import { signSlack as sign, slackClient } from './slack-harness';

/**
 * The real Bolt app behind our restify server, driven as Slack drives it: signed slash commands,
 * direct messages and @mentions, with a fake Slack Web API recording what the bot sends back.
 */

const NOW_MS = Date.parse(NOW);
const SLACK_USERS = { officer: 'UOFFICER1', member: 'UMEMBER01', stranger: 'USTRANGE1' };

forEachEngine((getStore) => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;
  const slack = slackClient(() => bot, () => fake, NOW_MS);

  beforeEach(async () => {
    ({ fake, bot } = await startClusterSlack(getStore(), [
      { slackId: SLACK_USERS.officer, staff: { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' } },
      { slackId: SLACK_USERS.member, staff: { user: TEST_USERS.clusterMember, role: 'cluster_member', scope: 'district:Lincoln' } },
    ]));
  });
  afterEach(async () => {
    await bot.close();
    await fake.close();
  });

  async function postSlack(body: string, contentType: string, headers: Record<string, string>) {
    const response = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    return { status: response.status, text: await response.text() };
  }

  /** A signed `/inclusion <text>` (answered 200); resolves with the reply posted to its response_url. */
  const slash = (text: string, userId: string) => slack.slash(text, userId);

  it('answers a signed /inclusion ladder with Block Kit naming the rung the ladder chooses, within Block Kit limits', async () => {
    const question = 'a Y9 pupil swore at a teacher';
    const expected = ladderServiceFor().answer(question);
    assert.equal(expected.kind, 'results');
    const best = expected.kind === 'results' ? expected.view.matches[0]!.entry : undefined;
    assert.equal(best?.label, 'Step two');

    const reply = await slash(`ladder ${question}`, SLACK_USERS.officer);
    assert.ok(Array.isArray(reply.blocks) && reply.blocks.length > 0 && reply.blocks.length <= MAX_BLOCKS);
    const text = JSON.stringify(reply.blocks);
    assert.match(text, new RegExp(`Best fit\\* · \\*${best!.label}: ${best!.title}`));
    for (const block of reply.blocks) if (block.text) assert.ok(block.text.text.length <= MAX_TEXT);
    // The person was matched by their Slack profile email, and the link recorded and audited.
    const officer = await getStore().db.selectFrom('staff_user').select(['id', 'slack_user_id']).where('email', '=', emailOf(TEST_USERS.attendanceOfficer)).executeTakeFirstOrThrow();
    assert.equal(officer.slack_user_id, SLACK_USERS.officer);
    const bind = await getStore().db.selectFrom('audit_log').selectAll().where('action', '=', 'identity.bind').where('staff_user_id', '=', officer.id).executeTakeFirstOrThrow();
    assert.equal(bind.channel, 'slack');
    // Next time the recorded id is enough: no second profile look-up.
    await slash('help', SLACK_USERS.officer);
    assert.equal(fake.calls.filter((c) => c.method === 'users.info').length, 1);
  });

  it('redraws the ladder in place from its buttons (Open, Next, Whole ladder)', async () => {
    const results = await slash('ladder a Y9 pupil swore at a teacher', SLACK_USERS.officer);
    const buttons = (blocks: any[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
    const open = buttons(results.blocks).find((e: any) => e.action_id.startsWith('ladder.rung.'));
    assert.ok(open, 'the results offer to open the best fit');
    // A signed press (answered 200); resolves with what was posted to its response_url.
    const press = (element: any) => slack.pressed(element, SLACK_USERS.officer);
    const rung = await press(open);
    assert.equal(rung.replace_original, true);
    const rungView = ladderServiceFor().rung(JSON.parse(open.value).id)!;
    assert.equal(rung.blocks.find((b: any) => b.type === 'header').text.text, `${rungView.entry.label}: ${rungView.entry.title}`);
    const next = buttons(rung.blocks).find((e: any) => e.text.text.endsWith('›'));
    assert.ok(next && rungView.next);
    const nextRung = await press(next);
    assert.equal(nextRung.blocks.find((b: any) => b.type === 'header').text.text, `${rungView.next!.label}: ${rungView.next!.title}`);
    const whole = await press(buttons(nextRung.blocks).find((e: any) => e.action_id === 'ladder.overview'));
    assert.equal(whole.blocks[0].text.text, ladderServiceFor().overview().title);
    // A tampered button gets the out-of-date notice, not an error.
    const tampered = await press({ action_id: 'ladder.rung.x', value: '{"id":"no-such-rung"}' });
    assert.match(tampered.text, /out of date/);
  });

  it('tells the person when their acknowledged command failed, without details', async () => {
    // The store goes away after the request was acknowledged: the answer says so instead of silence.
    await getStore().db.schema.dropTable('ladder_query').execute();
    const reply = await slash('ladder a Y9 pupil swore at a teacher', SLACK_USERS.officer);
    assert.equal(reply.text, SLACK_FAILED_MESSAGE);
  });

  it('refuses an unsigned, a wrongly signed and a stale request with 401 and runs nothing', async () => {
    const form = new URLSearchParams({ command: '/inclusion', text: 'help', user_id: SLACK_USERS.officer, team_id: 'T0001', channel_id: 'D0DIRECT1', response_url: fake.responseUrl('x') }).toString();
    const now = Math.floor(NOW_MS / 1000);
    for (const headers of [{}, sign(form, now, 'another-secret-0123456789'), sign(form, now - 301), sign(`${form}&text=more`, now)]) {
      const http = await postSlack(form, 'application/x-www-form-urlencoded', headers);
      assert.equal(http.status, 401);
    }
    // Nothing reached Slack's API (Bolt's own start-up auth.test aside) and nothing was looked up or written.
    assert.deepEqual(fake.calls.filter((c) => c.method !== 'auth.test'), []);
    const audit = await getStore().db.selectFrom('audit_log').select('id').execute();
    assert.equal(audit.length, 0);
    // The same request, signed within 5 minutes, is served.
    const ok = await postSlack(form, 'application/x-www-form-urlencoded', sign(form, now - 299));
    assert.equal(ok.status, 200);
  });

  it('tells a Slack user with no staff account that they are not set up', async () => {
    const reply = await slash('cluster Boston', SLACK_USERS.stranger);
    assert.equal(reply.text, SLACK_NOT_SET_UP_MESSAGE);
    assert.doesNotMatch(JSON.stringify(reply), /Boston attendance cluster/);
    assert.equal((await slash('help', SLACK_USERS.stranger)).text, SLACK_NOT_SET_UP_MESSAGE);
    // The ladder holds no pupil data: as in Teams, it is open before an administrator adds someone.
    const ladder = await slash('ladder', SLACK_USERS.stranger);
    assert.equal(ladder.blocks[0].text.text, ladderServiceFor().overview().title);
    const stranger = await getStore().db.selectFrom('staff_user').select('id').where('slack_user_id', '=', SLACK_USERS.stranger).execute();
    assert.equal(stranger.length, 0);
  });

  it('shows a Lincoln cluster member nothing of Boston, and a Boston officer the agenda, audited as Slack', async () => {
    const refused = await slash('cluster Boston', SLACK_USERS.member);
    const refusedText = JSON.stringify(refused);
    assert.doesNotMatch(refusedText, /attendance cluster|Aisha|Bell|A\. ?B\.|Boston Grammar/);
    const member = await getStore().db.selectFrom('staff_user').select('id').where('email', '=', emailOf(TEST_USERS.clusterMember)).executeTakeFirstOrThrow();
    assert.equal((await getStore().db.selectFrom('audit_log').select('id').where('staff_user_id', '=', member.id).where('action', '!=', 'identity.bind').execute()).length, 0);

    const agenda = await slash('cluster Boston', SLACK_USERS.officer);
    assert.match(JSON.stringify(agenda.blocks), /Boston attendance cluster/);
    assert.match(JSON.stringify(agenda.blocks), /Aisha Bell/, 'a direct message shows names, as a Teams personal chat does');
    const reads = await getStore().db.selectFrom('audit_log').selectAll().where('action', 'like', 'pupil.%').execute();
    assert.ok(reads.length > 0);
    assert.ok(reads.every((r) => r.channel === 'slack' && r.conversation_type === 'personal'));
  });

  it('answers the same commands in a direct message and an @mention (initials in a channel)', async () => {
    // Each event is acknowledged with 200 (slackClient checks).
    await slack.event({ type: 'message', channel_type: 'im', channel: 'D0DIRECT1', user: SLACK_USERS.officer, text: 'ladder a Y9 pupil swore at a teacher', ts: '1.1' });
    const posted = await fake.next((c) => c.method === 'chat.postMessage' && c.body.channel === 'D0DIRECT1');
    assert.match(JSON.stringify(posted.body.blocks), /Best fit/);

    const inChannel = await slack.mention('cluster Boston', SLACK_USERS.officer, 'C0CHANNEL');
    const text = JSON.stringify(inChannel.blocks);
    assert.match(text, /Boston attendance cluster/);
    assert.doesNotMatch(text, /Aisha Bell/, 'a channel shows initials, never full names');

    // A Teams command Slack does not have yet says so.
    assert.equal((await slash('admin unlink someone@example.org', SLACK_USERS.officer)).text, NOT_IN_SLACK_YET.replace(/\*\*/g, '*'));
    // Plain language goes through the same assistant as in Teams: what it understood, then the answer.
    const asked = await slash("show me Boston's agenda", SLACK_USERS.officer);
    assert.match(asked.text, /Showing the Boston agenda\. Next time you can type `\/inclusion cluster Boston`/);
    assert.match(JSON.stringify(asked.blocks), /Boston attendance cluster/);
    // A worry about a child is answered with the safeguarding route and not searched.
    const worry = await slash('she told me her stepdad hits her', SLACK_USERS.officer);
    assert.match(worry.text, /designated safeguarding lead/);
    const redirects = await getStore().db.selectFrom('audit_log').select('action').where('action', '=', 'safeguarding.redirect').execute();
    assert.equal(redirects.length, 1);
    // Unclear text gets likely commands, never a bare "didn't understand".
    const unclear = await slash('what is the weather', SLACK_USERS.officer);
    assert.notEqual(unclear.text, SLACK_FALLBACK);
    assert.match(unclear.text, /\/inclusion /);

    const mine = await slash('my actions', SLACK_USERS.officer);
    assert.match(JSON.stringify(mine.blocks), /Open actions for Ola Officer/);
  });
});

describe('Slack off', () => {
  it('starts nothing of Slack without its settings: no /slack/events route', async () => {
    const bot = await startBot();
    try {
      assert.equal(bot.bot.slack, undefined);
      const response = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 404);
    } finally {
      await bot.close();
    }
  });
});
