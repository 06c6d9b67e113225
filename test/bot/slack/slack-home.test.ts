import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SLACK_DESCRIBE_VIEW, SLACK_HOME_ACTIONS } from '../../../cards/slack/home-blocks';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { TEST_USERS } from '../../helpers/activities';
import { insertStaff, startBot, type RunningBot } from '../../helpers/bot-harness';
import { FIXTURE_SCHOOLS, insertExclusion, insertFixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { startFakeSlack, type SlackCall } from './fake-slack';

/**
 * The App Home, driven by signed event callbacks and interactions: the person's own page (open
 * actions, alerts waiting, subscriptions) with the same scope and audit as Teams; a page saying how
 * to be added for someone not set up; and "Describe a situation" answered by DM from the ladder.
 */

const NOW = '2026-11-25T10:00:00Z';
const NOW_MS = Date.parse(NOW);
const SECRET = 'test-signing-secret-0123456789';
const MANAGER_SLACK_ID = 'UMANAGER1';
const STRANGER_SLACK_ID = 'USTRANGE1';

function sign(body: string): Record<string, string> {
  const timestamp = Math.floor(NOW_MS / 1000);
  return { 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`, 'x-slack-request-timestamp': String(timestamp) };
}

forEachEngine((getStore) => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;
  let managerId: number;

  beforeEach(async () => {
    const store = getStore();
    const county = await insertFixtureCounty(store);
    await insertStaff(store);
    const manager = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', TEST_USERS.manager.aadObjectId).executeTakeFirstOrThrow();
    managerId = manager.id;
    await store.db.updateTable('staff_user').set({ slack_user_id: MANAGER_SLACK_ID }).where('id', '=', manager.id).execute();
    await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
    await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', start: '2026-11-23', sessions: 0 });
    await runPupilRules({ db: store.db, calendar: loadCalendar(), clock: fixedClock(NOW) });
    const meeting = await store.db.insertInto('cluster_meeting').values({ district_id: county.districtIds.Boston, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
    await store.db
      .insertInto('cluster_action')
      .values({ school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, meeting_id: meeting.id, status: 'open', created_by: manager.id, created_at: NOW, closed_at: null, closed_by: null, overdue_notified_at: null, pupil_id: county.pupils.lookedAfter, description: 'Home visit', owner_id: manager.id, due_date: '2026-11-20' })
      .execute();
    fake = await startFakeSlack({});
    bot = await startBot({
      store,
      clock: fixedClock(NOW),
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: fake.apiUrl },
      server: { slack: { nowMs: () => NOW_MS } },
    });
  });
  afterEach(async () => {
    await bot.close();
    await fake.close();
  });

  async function post(body: string, contentType: string) {
    const response = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...sign(body) }, body });
    return { status: response.status, text: await response.text() };
  }

  async function openHome(userId: string, nth: number): Promise<SlackCall> {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: `EvHome${userId}${nth}`,
      event_time: Math.floor(NOW_MS / 1000),
      event: { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: '1.1' },
    });
    assert.equal((await post(body, 'application/json')).status, 200);
    return publishedFor(userId, nth);
  }

  /** The nth views.publish for a user (1-based). */
  async function publishedFor(userId: string, nth: number): Promise<SlackCall> {
    for (;;) {
      const found = fake.calls.filter((c) => c.method === 'views.publish' && c.body.user_id === userId);
      if (found.length >= nth) return found[nth - 1]!;
      await fake.next((c) => c.method === 'views.publish' && c.body.user_id === userId && !found.includes(c as never));
    }
  }

  async function interact(payload: Record<string, unknown>) {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return post(form, 'application/x-www-form-urlencoded');
  }

  it("publishes the person's own Home: their open actions, the alerts waiting for them and their subscriptions, audited as Slack", async () => {
    const published = await openHome(MANAGER_SLACK_ID, 1);
    const view = published.body.view;
    assert.equal(view.type, 'home');
    const text = JSON.stringify(view.blocks);
    assert.match(text, /Alex Manager/);
    assert.match(text, /Your open actions\* \(1\)/);
    assert.match(text, /Home visit/);
    assert.match(text, /Alerts waiting for you\* \([1-9]\d*\)/);
    assert.match(text, /Forename\d Surname\d/, 'the Home is private to the person: names, as in a direct message');
    assert.match(text, /the whole county: all exclusion alerts.*\(the default for your role\)/);
    assert.ok(view.blocks.some((b: any) => b.type === 'actions' && b.elements.some((e: any) => e.action_id === SLACK_HOME_ACTIONS.describe)));
    const audit = await getStore().db.selectFrom('audit_log').select(['action', 'channel', 'staff_user_id']).where('command', '=', 'slack home').execute();
    assert.ok(audit.length > 0, 'the alert list read is audited');
    assert.ok(audit.every((a) => a.channel === 'slack' && a.staff_user_id === managerId));
  });

  it('lets a person choose Teams, Slack or both with `/inclusion alerts subscribe ... in both` in their DM, shown on their Home; not from a channel', async () => {
    const slash = async (text: string, channelId: string, id: string) => {
      const form = new URLSearchParams({ command: '/inclusion', text, user_id: MANAGER_SLACK_ID, team_id: 'T0001', channel_id: channelId, channel_name: channelId.startsWith('D') ? 'directmessage' : 'general', response_url: fake.responseUrl(id), trigger_id: `trigger-${id}` }).toString();
      assert.equal((await post(form, 'application/x-www-form-urlencoded')).status, 200);
      return (await fake.next((c) => c.method === 'response_url' && c.url === `/response/${id}`)).body;
    };
    const fromChannel = await slash('alerts subscribe county in both', 'C0GENERAL', 'sub-channel');
    assert.match(fromChannel.text, /only your own alert subscriptions/);
    assert.equal((await getStore().db.selectFrom('alert_subscription').select('id').execute()).length, 0, 'nothing stored');

    const fromDm = await slash('alerts subscribe county in both', `D${MANAGER_SLACK_ID}`, 'sub-dm');
    assert.match(fromDm.text, /Subscribed: the whole county: all alerts\. New alerts will arrive in Teams and Slack\./);
    const rows = await getStore().db.selectFrom('alert_subscription').select(['subscriber_key', 'channel', 'conversation_id']).execute();
    assert.deepEqual(rows, [{ subscriber_key: `user:${managerId}`, channel: 'both', conversation_id: null }]);
    // The Home is redrawn by the change itself, without opening it again.
    const home = await publishedFor(MANAGER_SLACK_ID, 1);
    assert.match(JSON.stringify(home.body.view.blocks), /the whole county: all alerts, in Teams and Slack/);
    // Typed as a direct message instead: the same command, and the Home follows.
    const dm = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'EvSubscribeDm',
      event_time: Math.floor(NOW_MS / 1000),
      event: { type: 'message', channel_type: 'im', channel: `D${MANAGER_SLACK_ID}`, user: MANAGER_SLACK_ID, text: 'alerts subscribe county in slack', ts: '1700000000.000200' },
    });
    assert.equal((await post(dm, 'application/json')).status, 200);
    const said = await fake.next((c) => c.method === 'chat.postMessage' && c.body.channel === `D${MANAGER_SLACK_ID}`);
    assert.match(said.body.text, /New alerts will arrive in Slack\./);
    const again = await publishedFor(MANAGER_SLACK_ID, 2);
    assert.match(JSON.stringify(again.body.view.blocks), /the whole county: all alerts, in Slack/);
  });

  it('redraws the Home after an alert is acknowledged from its Slack card: it is no longer waiting', async () => {
    const before = await openHome(MANAGER_SLACK_ID, 1);
    const waiting = (view: SlackCall) => Number(/Alerts waiting for you\* \((\d+)\)/.exec(JSON.stringify(view.body.view.blocks))![1]);
    const alert = await getStore().db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'pex_la_day6').executeTakeFirstOrThrow();
    const press = await interact({
      type: 'block_actions',
      user: { id: MANAGER_SLACK_ID },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      channel: { id: `D${MANAGER_SLACK_ID}` },
      container: { type: 'message', message_ts: '1.1', channel_id: `D${MANAGER_SLACK_ID}` },
      trigger_id: 'trigger-ack',
      response_url: fake.responseUrl('ack'),
      actions: [{ type: 'button', action_id: 'alert.acknowledge', block_id: 'b1', value: JSON.stringify({ alertId: alert.id }), action_ts: '1.2' }],
    });
    assert.equal(press.status, 200);
    const after = await publishedFor(MANAGER_SLACK_ID, 2);
    assert.ok(waiting(after) < waiting(before), `${waiting(after)} waiting after, ${waiting(before)} before`);
  });

  it('tells someone not set up how to be added, and shows no pupil data', async () => {
    const published = await openHome(STRANGER_SLACK_ID, 1);
    const text = JSON.stringify(published.body.view.blocks);
    assert.match(text, /not set up to use the Inclusion Assistant/);
    assert.match(text, /ask your administrator to add you/i);
    assert.doesNotMatch(text, /Surname|Home visit/);
  });

  it('opens "Describe a situation", refuses an empty answer naming the field, answers by DM from the ladder and redraws the Home', async () => {
    await openHome(MANAGER_SLACK_ID, 1);
    const press = await interact({
      type: 'block_actions',
      user: { id: MANAGER_SLACK_ID },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      trigger_id: 'trigger-home-1',
      container: { type: 'view', view_id: 'VHOME1' },
      view: { id: 'VHOME1', type: 'home' },
      actions: [{ type: 'button', action_id: SLACK_HOME_ACTIONS.describe, block_id: 'b1', action_ts: '1.2' }],
    });
    assert.equal(press.status, 200);
    const opened = await fake.next((c) => c.method === 'views.open');
    assert.equal(opened.body.trigger_id, 'trigger-home-1');
    assert.equal(opened.body.view.callback_id, SLACK_DESCRIBE_VIEW.callbackId);

    const submit = (value: string) =>
      interact({
        type: 'view_submission',
        user: { id: MANAGER_SLACK_ID },
        team: { id: 'T0001' },
        api_app_id: 'A0001',
        trigger_id: 'trigger-home-2',
        view: {
          id: 'VMODAL1',
          type: 'modal',
          callback_id: SLACK_DESCRIBE_VIEW.callbackId,
          state: { values: { [SLACK_DESCRIBE_VIEW.block]: { [SLACK_DESCRIBE_VIEW.action]: { type: 'plain_text_input', value } } } },
        },
      });
    const empty = await submit('   ');
    assert.equal(empty.status, 200);
    const errors = JSON.parse(empty.text);
    assert.equal(errors.response_action, 'errors');
    assert.match(errors.errors[SLACK_DESCRIBE_VIEW.block], /What happened\?/);
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 0, 'nothing answered');

    const done = await submit('a Y9 pupil swore at a teacher');
    assert.equal(done.status, 200);
    assert.equal(done.text, '', 'the modal closes');
    const answer = await fake.next((c) => c.method === 'chat.postMessage');
    assert.equal(answer.body.channel, `D${MANAGER_SLACK_ID}`);
    assert.match(JSON.stringify(answer.body.blocks), /Best fit/);
    await publishedFor(MANAGER_SLACK_ID, 2);

    // A worry about a child gets the safeguarding route, and is not searched.
    const searches = await getStore().db.selectFrom('ladder_query').select('id').execute();
    await submit('a pupil told me her dad hits her');
    const route = await fake.next((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body.blocks).includes('safeguarding'));
    assert.match(JSON.stringify(route.body.blocks), /designated safeguarding lead/);
    assert.equal((await getStore().db.selectFrom('ladder_query').select('id').execute()).length, searches.length);
  });
});
