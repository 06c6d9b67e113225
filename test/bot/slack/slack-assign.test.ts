import assert from 'node:assert/strict';
import { SLACK_ALERT_ACTIONS } from '../../../cards/slack/alert-blocks';
import { claimGoLive, noteFirstContact } from '../../../services/alerts/alert-cases';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { TEST_USERS } from '../../helpers/activities';
import { insertStaff, type RunningBot } from '../../helpers/bot-harness';
import { FIXTURE_SCHOOLS, insertExclusion, insertFixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { startFakeSlack } from './fake-slack';
import { emailOf as email, linkToSlack, startSlackBot } from './slack-fixtures';
import { buttonsOf, slackClient } from './slack-harness';

/**
 * Assign to colleague on the Slack alert card: a modal for the email, the same assignAlert as the
 * Teams card's Assign (wrong emails and colleagues who may not see the pupil refused beside the
 * field, nothing changed), and a good one redraws the card in place and is audited as Slack.
 */

const NOW = '2026-11-25T10:00:00Z';
const NOW_MS = Date.parse(NOW);
const MANAGER = 'UMANAGER1';

forEachEngine((getStore) => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;
  const slack = slackClient(() => bot, () => fake, NOW_MS);

  beforeEach(async () => {
    const store = getStore();
    await insertFixtureCounty(store);
    await insertStaff(store);
    const managerId = await linkToSlack(store, MANAGER);
    await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
    await noteFirstContact(store.db, fixedClock(NOW), managerId);
    const county = await store.db.selectFrom('pupil').select('id').orderBy('id').executeTakeFirstOrThrow();
    await insertExclusion(store, { pupilId: county.id, schoolUrn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', start: '2026-11-23', sessions: 0 });
    await runPupilRules({ db: store.db, calendar: loadCalendar(), clock: fixedClock(NOW) });
    fake = await startFakeSlack({ UMEMBER01: email(TEST_USERS.clusterMember) });
    bot = await startSlackBot(store, fake, NOW);
  });
  afterEach(async () => {
    await bot.close();
    await fake.close();
  });

  it('assigns an alert to a colleague from a modal, refusing unknown and out-of-scope colleagues beside the field', async () => {
    const store = getStore();
    const alert = await store.db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'pex_la_day6').executeTakeFirstOrThrow();
    const pressId = await slack.press({ action_id: SLACK_ALERT_ACTIONS.assignToColleague, value: JSON.stringify({ alertId: alert.id }) }, MANAGER, `D${MANAGER}`);
    const opened = (await fake.next((c) => c.method === 'views.open' && c.body.trigger_id === `trigger-${pressId}`)).body.view;
    assert.equal(opened.callback_id, 'alerts.assign');
    assert.doesNotMatch(JSON.stringify(opened), /Surname/, 'the form holds no pupil data');
    const submit = (value: string) => slack.submit(opened.callback_id, opened.private_metadata, { email: { type: 'plain_text_input', value } }, MANAGER);

    const unknown = await submit('nobody@elsewhere.example');
    assert.equal(unknown.response_action, 'errors');
    assert.match(unknown.errors.email, /Nobody with that email address/);
    const outside = await submit(email(TEST_USERS.clusterMember));
    assert.match(outside.errors.email, /outside their scope/);
    const empty = await submit('');
    assert.match(empty.errors.email, /type a colleague’s email address/);
    const assignedBefore = await store.db.selectFrom('exclusion_alert').select('assigned_to').where('id', '=', alert.id).executeTakeFirstOrThrow();
    assert.equal(assignedBefore.assigned_to, null);

    assert.equal(await submit(email(TEST_USERS.attendanceOfficer)), undefined, 'a good email closes the form');
    const officer = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', TEST_USERS.attendanceOfficer.aadObjectId).executeTakeFirstOrThrow();
    assert.equal((await store.db.selectFrom('exclusion_alert').select('assigned_to').where('id', '=', alert.id).executeTakeFirstOrThrow()).assigned_to, officer.id);
    const redrawn = await fake.next((c) => c.method === 'chat.update');
    assert.equal(redrawn.body.channel, `D${MANAGER}`);
    assert.equal(redrawn.body.ts, '1.1');
    assert.match(JSON.stringify(redrawn.body.blocks), /Assigned to Ola Officer/);
    assert.ok(buttonsOf(redrawn.body.blocks).some((b) => b.action_id === SLACK_ALERT_ACTIONS.assignToColleague));
    const audit = await store.db.selectFrom('audit_log').select('channel').where('action', '=', 'exclusion.assign').execute();
    assert.deepEqual(audit.map((a) => a.channel), ['slack']);
  });

  it('opens an alert from `alerts list` to the presser alone, and refuses someone it is out of scope for', async () => {
    const list = await slack.slash('alerts list', MANAGER, `D${MANAGER}`);
    assert.match(list.blocks[0].text.text, /Open alerts/);
    const open = buttonsOf(list.blocks).find((b) => b.action_id.startsWith('alerts.open.'));
    assert.ok(open, 'each open case has an Open button');
    const pressId = await slack.press(open, MANAGER, `D${MANAGER}`);
    const card = (await fake.next((c) => c.url === `/response/${pressId}`)).body;
    assert.equal(card.response_type, 'ephemeral');
    assert.ok(buttonsOf(card.blocks).some((b) => b.action_id === SLACK_ALERT_ACTIONS.acknowledge));
    const strangerId = await slack.press(open, 'UMEMBER01', 'DMEMBER01');
    const refused = (await fake.next((c) => c.url === `/response/${strangerId}`)).body;
    assert.match(refused.text, /no longer available to you/);
    assert.doesNotMatch(JSON.stringify(refused), /Surname/);
  });
});
