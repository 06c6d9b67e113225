import assert from 'node:assert/strict';
import { SLACK_DESCRIBE_VIEW, SLACK_HOME_ACTIONS } from '../../../cards/slack/home-blocks';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { RunningBot } from '../../helpers/bot-harness';
import { forEachEngine } from '../../helpers/test-stores';
import { startFakeSlack, type SlackCall } from './fake-slack';
import { insertOverdueAction, seedPermanentExclusion, startSlackBot } from './slack-fixtures';
import { slackClient } from './slack-harness';

/**
 * The App Home, driven by signed event callbacks and interactions: the person's own page (open
 * actions, alerts waiting, subscriptions) with the same scope and audit as Teams; a page saying how
 * to be added for someone not set up; and "Describe a situation" answered by DM from the ladder.
 */

const NOW = '2026-11-25T10:00:00Z';
const NOW_MS = Date.parse(NOW);
const MANAGER_SLACK_ID = 'UMANAGER1';
const STRANGER_SLACK_ID = 'USTRANGE1';

forEachEngine((getStore) => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;
  let managerId: number;
  const slack = slackClient(() => bot, () => fake, NOW_MS);

  beforeEach(async () => {
    const store = getStore();
    const seeded = await seedPermanentExclusion(store, MANAGER_SLACK_ID);
    managerId = seeded.managerId;
    await runPupilRules({ db: store.db, calendar: loadCalendar(), clock: fixedClock(NOW) });
    await insertOverdueAction(store, seeded.county, managerId, NOW);
    fake = await startFakeSlack({});
    bot = await startSlackBot(store, fake, NOW);
  });
  afterEach(async () => {
    await bot.close();
    await fake.close();
  });

  /** Opens the user's Home tab (the event is acknowledged with 200); resolves with their nth views.publish. */
  async function openHome(userId: string, nth: number): Promise<SlackCall> {
    await slack.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: '1.1' });
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
    // Each request is acknowledged with 200 (slackClient checks), the answer posted to its response_url.
    const slash = (text: string, channelId: string) => slack.slash(text, MANAGER_SLACK_ID, channelId);
    const fromChannel = await slash('alerts subscribe county in both', 'C0GENERAL');
    assert.match(fromChannel.text, /only your own alert subscriptions/);
    assert.equal((await getStore().db.selectFrom('alert_subscription').select('id').execute()).length, 0, 'nothing stored');

    const fromDm = await slash('alerts subscribe county in both', `D${MANAGER_SLACK_ID}`);
    assert.match(fromDm.text, /Subscribed: the whole county: all alerts\. New alerts will arrive in Teams and Slack\./);
    const rows = await getStore().db.selectFrom('alert_subscription').select(['subscriber_key', 'channel', 'conversation_id']).execute();
    assert.deepEqual(rows, [{ subscriber_key: `user:${managerId}`, channel: 'both', conversation_id: null }]);
    // The Home is redrawn by the change itself, without opening it again.
    const home = await publishedFor(MANAGER_SLACK_ID, 1);
    assert.match(JSON.stringify(home.body.view.blocks), /the whole county: all alerts, in Teams and Slack/);
    // Typed as a direct message instead: the same command, and the Home follows.
    await slack.event({ type: 'message', channel_type: 'im', channel: `D${MANAGER_SLACK_ID}`, user: MANAGER_SLACK_ID, text: 'alerts subscribe county in slack', ts: '1700000000.000200' });
    const said = await fake.next((c) => c.method === 'chat.postMessage' && c.body.channel === `D${MANAGER_SLACK_ID}`);
    assert.match(said.body.text, /New alerts will arrive in Slack\./);
    const again = await publishedFor(MANAGER_SLACK_ID, 2);
    assert.match(JSON.stringify(again.body.view.blocks), /the whole county: all alerts, in Slack/);
  });

  it('redraws the Home after an alert is acknowledged from its Slack card: it is no longer waiting', async () => {
    const before = await openHome(MANAGER_SLACK_ID, 1);
    const waiting = (view: SlackCall) => Number(/Alerts waiting for you\* \((\d+)\)/.exec(JSON.stringify(view.body.view.blocks))![1]);
    const alert = await getStore().db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'pex_la_day6').executeTakeFirstOrThrow();
    // Acknowledged with 200 (slackClient checks).
    await slack.press({ action_id: 'alert.acknowledge', value: JSON.stringify({ alertId: alert.id }) }, MANAGER_SLACK_ID, `D${MANAGER_SLACK_ID}`);
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
    // Each interaction is acknowledged with 200 (slackClient checks).
    await slack.interaction({
      type: 'block_actions',
      user: { id: MANAGER_SLACK_ID },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      trigger_id: 'trigger-home-1',
      container: { type: 'view', view_id: 'VHOME1' },
      view: { id: 'VHOME1', type: 'home' },
      actions: [{ type: 'button', action_id: SLACK_HOME_ACTIONS.describe, block_id: 'b1', action_ts: '1.2' }],
    });
    const opened = await fake.next((c) => c.method === 'views.open');
    assert.equal(opened.body.trigger_id, 'trigger-home-1');
    assert.equal(opened.body.view.callback_id, SLACK_DESCRIBE_VIEW.callbackId);

    const submit = (value: string) =>
      slack.interaction({
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
    const errors = await submit('   ');
    assert.equal(errors.response_action, 'errors');
    assert.match(errors.errors[SLACK_DESCRIBE_VIEW.block], /What happened\?/);
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 0, 'nothing answered');

    const done = await submit('a Y9 pupil swore at a teacher');
    assert.equal(done, undefined, 'the modal closes (an empty answer)');
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
