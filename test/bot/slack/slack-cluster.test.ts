import assert from 'node:assert/strict';
import { NAMES_REFUSED } from '../../../bot/slack/slack-names';
import { NOT_IN_SLACK_YET } from '../../../bot/slack/slack-commands';
import { MAX_BLOCKS } from '../../../cards/slack/block-kit';
import { TEST_USERS } from '../../helpers/activities';
import type { RunningBot } from '../../helpers/bot-harness';
import { insertPupil } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_SECONDARY, NOW, upnFor, type ClusterFixture } from '../../services/cluster/cluster-fixture';
import { startFakeSlack } from './fake-slack';
import { startClusterSlack } from './slack-fixtures';
import { buttonsOf, slackClient } from './slack-harness';

/**
 * Slack's cluster work, driven by signed requests against the real Bolt app: the review form as a
 * modal (validated and saved by the Teams review's own service), "Show names" as an ephemeral
 * message to the presser alone, the agenda paged in place with scope checked on every page, and
 * the remaining Teams commands drawn as Block Kit.
 */

const NOW_MS = Date.parse(NOW);
const SLACK_USERS = { officer: 'UOFFICER1', member: 'UMEMBER01', admin: 'UADMIN001', manager: 'UMANAGER1' };
const CHANNEL = 'C0CHANNEL';

/** Twenty more severely absent pupils at Boston Grammar, so the agenda runs to two pages. */
async function seedLongAgenda(bot: RunningBot): Promise<void> {
  const weeks = ['2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-11-02', '2026-11-09', '2026-11-16'];
  for (let i = 0; i < 20; i++) {
    const id = await insertPupil(
      { db: bot.store.db },
      { upn: upnFor(200 + i), legal_forename: `Extra${i}`, legal_surname: `Pupil${i}`, preferred_forename: null, date_of_birth: '2012-05-01', nc_year: 9, sex: 'F', ethnicity: 'WBRI', sen_provision: 'N', looked_after: 0, social_worker: 'N', fsm: 0, youth_justice: 0 },
      BOSTON_SECONDARY,
      '2025-09-01',
    );
    await bot.store.db.insertInto('attendance_week').values(weeks.map((w) => ({ pupil_id: id, school_urn: BOSTON_SECONDARY, week_start: w, marks: 'OOOOOOOOOO' }))).execute();
  }
}

forEachEngine((getStore) => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;
  let fixture: ClusterFixture;
  const slack = slackClient(() => bot, () => fake, NOW_MS);

  beforeEach(async () => {
    ({ fixture, fake, bot } = await startClusterSlack(
      getStore(),
      [
        { slackId: SLACK_USERS.officer, staff: { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' } },
        { slackId: SLACK_USERS.member, staff: { user: TEST_USERS.clusterMember, role: 'cluster_member', scope: 'district:Lincoln' } },
        { slackId: SLACK_USERS.admin, staff: { user: TEST_USERS.admin, role: 'admin', scope: 'county' } },
        { slackId: SLACK_USERS.manager, staff: { user: TEST_USERS.manager, role: 'la_manager', scope: 'county' } },
      ],
      { PUBLIC_URL: 'https://bot.example.gov.uk/' },
    ));
  });
  afterEach(async () => {
    await bot.close();
    await fake.close();
  });

  const reviews = () => getStore().db.selectFrom('pupil_review').selectAll().execute();
  const actions = () => getStore().db.selectFrom('cluster_action').selectAll().execute();
  const recorded = () => getStore().db.selectFrom('audit_log').selectAll().where('action', '=', 'pupil.review.record').execute();

  /** The officer's Review button for Aisha Bell on the agenda, pressed: the modal Slack was asked to open. */
  async function openReview() {
    const agenda = await slack.slash('cluster Boston', SLACK_USERS.officer);
    const review = buttonsOf(agenda.blocks).find((b) => b.action_id === `cluster.review.${fixture.pupils.severe!.id}`);
    assert.ok(review, 'each agenda pupil has a Review button');
    const pressId = await slack.press(review, SLACK_USERS.officer);
    const opened = await fake.next((c) => c.method === 'views.open' && c.body.trigger_id === `trigger-${pressId}`);
    return opened.body.view;
  }

  it('opens the review as a modal with the Teams fields, refuses a bad submission on its fields and saves a good one as Teams does', async () => {
    const view = await openReview();
    assert.equal(view.callback_id, 'cluster.review.save');
    assert.ok(view.blocks.length <= 100);
    assert.match(JSON.stringify(view.blocks[0]), /Aisha Bell/, 'a modal is private: the presser’s own view, with names');
    const inputs = view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id);
    assert.deepEqual(inputs, ['barriers', 'leadPractitioner', 'actionWhat', 'actionOwner', 'actionDue', 'outcome']);
    const owner = view.blocks.find((b: any) => b.block_id === 'actionOwner').element.options[0].value;

    // An action with no owner or date, and barriers longer than the Teams form allows: errors by field, nothing saved.
    const bad = await slack.submit(view.callback_id, view.private_metadata, { barriers: { type: 'plain_text_input', value: 'x'.repeat(2001) }, actionWhat: { type: 'plain_text_input', value: 'Early help assessment' } }, SLACK_USERS.officer);
    assert.equal(bad.response_action, 'errors');
    assert.match(bad.errors.barriers, /^Barriers: must be at most 2000 characters/);
    const partly = await slack.submit(view.callback_id, view.private_metadata, { actionWhat: { type: 'plain_text_input', value: 'Early help assessment' }, actionDue: { type: 'datepicker', selected_date: '2026-11-01' } }, SLACK_USERS.officer);
    assert.deepEqual(partly, { response_action: 'errors', errors: { actionOwner: 'Action owner: choose who owns the action', actionDue: 'Due date: must be today or later' } });
    assert.equal((await reviews()).length, 0);
    assert.equal((await actions()).length, 0);
    assert.equal((await recorded()).length, 0);

    const good = await slack.submit(
      view.callback_id,
      view.private_metadata,
      {
        barriers: { type: 'plain_text_input', value: 'Anxiety about the journey' },
        leadPractitioner: { type: 'plain_text_input', value: 'SENCo' },
        actionWhat: { type: 'plain_text_input', value: 'Early help assessment' },
        actionOwner: { type: 'static_select', selected_option: { value: owner } },
        actionDue: { type: 'datepicker', selected_date: '2026-12-10' },
        outcome: { type: 'plain_text_input', value: null },
      },
      SLACK_USERS.officer,
    );
    assert.equal(good, undefined, 'a good submission closes the modal');
    const [saved] = await reviews();
    assert.equal(saved?.pupil_id, fixture.pupils.severe!.id);
    assert.equal(saved?.barriers, 'Anxiety about the journey');
    assert.equal(saved?.lead_practitioner, 'SENCo');
    const [action] = await actions();
    assert.equal(action?.description, 'Early help assessment');
    assert.equal(action?.due_date, '2026-12-10');
    assert.equal(String(action?.owner_id), owner);
    const audit = await recorded();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.channel, 'slack');
    // The presser is told in the direct message the button was in.
    const confirm = await fake.next((c) => c.method === 'chat.postMessage' && c.body.channel === 'D0DIRECT1');
    assert.match(JSON.stringify(confirm.body.blocks), /Saved by Ola Officer/);
  });

  it('reviews from a channel: the form is private, and the confirmation goes to the presser alone', async () => {
    const posted = await slack.mention('cluster Boston', SLACK_USERS.officer, CHANNEL);
    const review = buttonsOf(posted.blocks).find((b) => b.action_id === `cluster.review.${fixture.pupils.severe!.id}`);
    const pressId = await slack.press(review, SLACK_USERS.officer, CHANNEL);
    const view = (await fake.next((c) => c.method === 'views.open' && c.body.trigger_id === `trigger-${pressId}`)).body.view;
    assert.match(JSON.stringify(view.blocks[0]), /Aisha Bell/);
    const postsBefore = fake.calls.filter((c) => c.method === 'chat.postMessage').length;
    assert.equal(await slack.submit(view.callback_id, view.private_metadata, { outcome: { type: 'plain_text_input', value: 'Family meeting booked' } }, SLACK_USERS.officer), undefined);
    const confirm = await fake.next((c) => c.method === 'chat.postEphemeral');
    assert.deepEqual([confirm.body.channel, confirm.body.user], [CHANNEL, SLACK_USERS.officer]);
    assert.match(JSON.stringify(confirm.body.blocks), /Saved by Ola Officer/);
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, postsBefore, 'nothing posted to the channel');
    const [saved] = await reviews();
    assert.equal(saved?.outcome, 'Family meeting booked');
    // A row's Review button (as on "my actions", numbered so ids stay unique) opens the same form.
    const rowPress = await slack.press({ action_id: `cluster.review.${fixture.pupils.severe!.id}.4`, value: JSON.stringify({ district: 'Boston', pupilId: fixture.pupils.severe!.id }) }, SLACK_USERS.officer);
    const again = await fake.next((c) => c.method === 'views.open' && c.body.trigger_id === `trigger-${rowPress}`);
    assert.equal(again.body.view.callback_id, 'cluster.review.save');
    const audit = await recorded();
    assert.deepEqual(audit.map((a) => [a.channel, a.conversation_type]), [['slack', 'channel']]);
  });

  it('refuses a Lincoln cluster member reviewing a Boston pupil: no modal, and a forged submission stores nothing', async () => {
    const pressId = await slack.press({ action_id: `cluster.review.${fixture.pupils.severe!.id}`, value: JSON.stringify({ district: 'Boston', pupilId: fixture.pupils.severe!.id }) }, SLACK_USERS.member);
    const refusal = await fake.next((c) => c.url === `/response/${pressId}`);
    assert.match(refusal.body.text, /outside your scope/);
    assert.equal(refusal.body.response_type, 'ephemeral');
    assert.equal(fake.calls.filter((c) => c.method === 'views.open').length, 0);
    assert.doesNotMatch(JSON.stringify(refusal.body), /Aisha|Bell/);

    const forged = await slack.submit('cluster.review.save', JSON.stringify({ district: 'Boston', pupilId: fixture.pupils.severe!.id, channel: 'D0MEMBER1' }), { barriers: { type: 'plain_text_input', value: 'Written from Lincoln' } }, SLACK_USERS.member);
    assert.equal(forged.response_action, 'update');
    assert.match(JSON.stringify(forged.view.blocks), /outside your scope/);
    assert.equal((await reviews()).length, 0);
    assert.equal((await recorded()).length, 0);
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 0);
  });

  it('shows names in a channel only to a presser allowed them, by an ephemeral message, audited; refuses one out of scope', async () => {
    const posted = await slack.mention('cluster Boston', SLACK_USERS.officer, CHANNEL);
    assert.doesNotMatch(JSON.stringify(posted.blocks), /Aisha Bell/);
    const names = buttonsOf(posted.blocks).find((b) => b.action_id === 'cluster.names');
    assert.ok(names, 'a shared agenda offers Show names');
    const postedBefore = fake.calls.filter((c) => c.method === 'chat.postMessage').length;

    await slack.press(names, SLACK_USERS.officer, CHANNEL);
    const shown = await fake.next((c) => c.method === 'chat.postEphemeral' && c.body.user === SLACK_USERS.officer);
    assert.equal(shown.body.channel, CHANNEL);
    assert.match(JSON.stringify(shown.body.blocks), /Aisha Bell/);
    assert.ok(shown.body.blocks.length <= MAX_BLOCKS);
    const reads = await getStore().db.selectFrom('audit_log').selectAll().where('action', '=', 'pupil.list').execute();
    assert.equal(reads.length, 1, 'the named read is audited as a named list');
    assert.equal(reads[0]!.conversation_type, 'channel');
    assert.equal(reads[0]!.channel, 'slack');

    await slack.press(names, SLACK_USERS.member, CHANNEL);
    const refused = await fake.next((c) => c.method === 'chat.postEphemeral' && c.body.user === SLACK_USERS.member);
    assert.doesNotMatch(JSON.stringify(refused.body), /Aisha|Bell|Boston Grammar/);
    assert.match(refused.body.text, /outside your scope/);
    // An administrator sees the county's figures, never pupils: the same button is refused them too.
    await slack.press(names, SLACK_USERS.admin, CHANNEL);
    const figuresOnly = await fake.next((c) => c.method === 'chat.postEphemeral' && c.body.user === SLACK_USERS.admin);
    assert.equal(figuresOnly.body.text, NAMES_REFUSED);
    // Nothing was posted to the channel by either press, and nothing answered through response_url.
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, postedBefore);
    assert.equal(fake.calls.filter((c) => c.method === 'response_url').length, 0);
    assert.equal((await getStore().db.selectFrom('audit_log').select('id').where('action', '=', 'pupil.list').execute()).length, 1);
  });

  it('pages a long agenda in place with Next and Previous, checking scope on every page', async () => {
    await seedLongAgenda(bot);
    const first = await slack.slash('cluster Boston', SLACK_USERS.officer);
    assert.ok(first.blocks.length <= MAX_BLOCKS);
    const reviewIds = (blocks: any[]) => buttonsOf(blocks).filter((b) => /^cluster\.review\.\d+$/.test(b.action_id)).map((b) => b.action_id);
    assert.equal(reviewIds(first.blocks).length, 15);
    assert.ok(!buttonsOf(first.blocks).some((b) => b.action_id === 'cluster.view.previous'));
    const next = buttonsOf(first.blocks).find((b) => b.action_id === 'cluster.view.next');
    assert.ok(next);

    const nextId = await slack.press(next, SLACK_USERS.officer);
    const second = (await fake.next((c) => c.url === `/response/${nextId}`)).body;
    assert.equal(second.replace_original, true);
    assert.match(JSON.stringify(second.blocks), /Pupils 16 to \d+ of \d+/);
    assert.equal(reviewIds(second.blocks).filter((id: string) => reviewIds(first.blocks).includes(id)).length, 0, 'the next page has other pupils');
    const previous = buttonsOf(second.blocks).find((b) => b.action_id === 'cluster.view.previous');
    const backId = await slack.press(previous, SLACK_USERS.officer);
    const back = (await fake.next((c) => c.url === `/response/${backId}`)).body;
    assert.deepEqual(reviewIds(back.blocks), reviewIds(first.blocks));

    // The same button pressed by someone outside Boston: refused to them alone, the message kept.
    const strangerId = await slack.press(next, SLACK_USERS.member);
    const refused = (await fake.next((c) => c.url === `/response/${strangerId}`)).body;
    assert.equal(refused.response_type, 'ephemeral');
    assert.notEqual(refused.replace_original, true);
    assert.doesNotMatch(JSON.stringify(refused), /Extra|Pupil\d|Aisha/);
    // A tampered button names what is wrong.
    const tamperedId = await slack.press({ action_id: 'cluster.view.next', value: '{"what":"agenda"}' }, SLACK_USERS.officer);
    assert.match((await fake.next((c) => c.url === `/response/${tamperedId}`)).body.text, /out of date: the button has no district/);

    // In a channel the pages stay initials.
    const inChannel = await slack.mention('cluster Boston', SLACK_USERS.officer, CHANNEL);
    const channelNext = buttonsOf(inChannel.blocks).find((b) => b.action_id === 'cluster.view.next');
    const channelId = await slack.press(channelNext, SLACK_USERS.officer, CHANNEL);
    const channelPage = (await fake.next((c) => c.url === `/response/${channelId}`)).body;
    assert.equal(channelPage.replace_original, true);
    assert.doesNotMatch(JSON.stringify(channelPage.blocks), /Extra\d+ Pupil/);
  });

  it('nominates from a review and from the candidates list through the same service, refusing a presser out of scope', async () => {
    const dunn = fixture.pupils.paPlain!;
    const nominations = () => getStore().db.selectFrom('cluster_nomination').selectAll().execute();
    const review = await slack.slash('pupil Dunn', SLACK_USERS.officer);
    const nominate = buttonsOf(review.blocks).find((b) => b.action_id === `cluster.nominate.${dunn.id}`);
    assert.ok(nominate, 'a review not yet nominated offers Nominate');

    const refusedId = await slack.press(nominate, SLACK_USERS.member);
    const refused = (await fake.next((c) => c.url === `/response/${refusedId}`)).body;
    assert.equal(refused.response_type, 'ephemeral');
    assert.match(refused.text, /outside your scope/);
    assert.equal((await nominations()).length, 0);

    const pressId = await slack.press(nominate, SLACK_USERS.officer);
    const told = (await fake.next((c) => c.url === `/response/${pressId}`)).body;
    assert.equal(told.response_type, 'ephemeral');
    assert.match(told.text, /Nominated for the meeting on \d{4}-\d{2}-\d{2} by Ola Officer/);
    assert.deepEqual((await nominations()).map((n) => n.pupil_id), [dunn.id]);

    // From the candidates list, in a channel: the list is redrawn in place, still initials, saying what happened.
    const bellId = fixture.pupils.paSocial!.id;
    const fromList = await slack.press({ action_id: `cluster.nominate.${bellId}`, value: JSON.stringify({ district: 'Boston', pupilId: bellId, back: 'candidates', from: 0 }) }, SLACK_USERS.officer, CHANNEL);
    const redrawn = (await fake.next((c) => c.url === `/response/${fromList}`)).body;
    assert.equal(redrawn.replace_original, true);
    assert.match(redrawn.blocks[0].elements[0].text, /(Nominated|Already nominated) for the meeting/);
    assert.match(JSON.stringify(redrawn.blocks), /Boston cluster: candidates/);
    assert.doesNotMatch(JSON.stringify(redrawn.blocks), /Ben Carter|Aisha Bell/);
    assert.equal((await nominations()).length, 2);
  });

  it('draws every cluster, alerts and places answer as Block Kit instead of a fallback', async () => {
    for (const command of ['cluster Boston minutes', 'cluster Boston candidates', 'pupil Bell', 'alerts digest', 'alerts list', 'places']) {
      const reply = await slack.slash(command, SLACK_USERS.officer);
      assert.notEqual(reply.text, NOT_IN_SLACK_YET.replace(/\*\*/g, '*'), command);
      assert.ok(reply.blocks.length >= 2 && reply.blocks.length <= MAX_BLOCKS, command);
    }
    const pupil = await slack.slash('pupil Bell', SLACK_USERS.officer);
    assert.match(JSON.stringify(pupil.blocks), /Aisha Bell/);
    assert.ok(buttonsOf(pupil.blocks).some((b) => b.action_id === `cluster.review.${fixture.pupils.severe!.id}`), 'the review offers Record review');
    const candidates = await slack.slash('cluster Boston candidates', SLACK_USERS.officer);
    assert.match(candidates.blocks[0].text.text, /Boston cluster: candidates/);
    const minutes = await slack.slash('cluster Boston minutes', SLACK_USERS.officer);
    assert.match(minutes.blocks[0].text.text, /Boston cluster minutes/);
    assert.equal((await slack.slash('places', SLACK_USERS.member)).blocks.length, 1, 'a cluster member is refused places in one line');
    // Ladder stats for an LA manager, export links (names only when asked in a direct message).
    const stats = await slack.slash('ladder stats', SLACK_USERS.manager);
    assert.equal(stats.blocks[0].text.text, 'Ladder: how it is being used');
    const exported = await slack.slash('cluster Boston export', SLACK_USERS.officer);
    const links = buttonsOf(exported.blocks).map((b) => b.url);
    assert.equal(links.length, 3);
    assert.ok(links.every((u: string) => /^https:\/\/bot\.example\.gov\.uk\/exports\/[\w-]+$/.test(u)), links.join(' '));
    assert.match(JSON.stringify(exported.blocks), /full names/);
    const sharedExport = await slack.mention('cluster Boston export', SLACK_USERS.officer, CHANNEL);
    assert.match(JSON.stringify(sharedExport.blocks), /initials, year and school/);
    assert.match((await slack.slash('cluster Boston export', SLACK_USERS.member)).text, /outside your scope/);
    // Minutes switch to the agenda in place.
    const agendaButton = buttonsOf(minutes.blocks).find((b) => b.action_id === 'cluster.view.agenda');
    const pressId = await slack.press(agendaButton, SLACK_USERS.officer);
    assert.match(JSON.stringify((await fake.next((c) => c.url === `/response/${pressId}`)).body.blocks), /Boston attendance cluster/);
  });
});

