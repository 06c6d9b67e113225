import assert from 'node:assert/strict';
import { MAX_BLOCKS } from '../../../cards/slack/block-kit';
import { cardsQueuedToday, noteFirstContact, SUMMARY_KIND } from '../../../services/alerts/alert-cases';
import { runAlertCommand } from '../../../services/alerts/alert-commands';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { queueCaseUpdates } from '../../../services/alerts/case-updates';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { DUE_NOW, newOutboxRow } from '../../../services/alerts/outbox';
import { parseSubscriptionArgs, subscribe, SubscriptionError } from '../../../services/alerts/subscriptions';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { queueOverdueReminders } from '../../../services/cluster/overdue-reminders';
import { fixedClock } from '../../../services/clock';
import type { Store } from '../../../services/store/open-store';
import { actorOf } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { deliverUntilSettled, insertOverdueAction, seedPermanentExclusion, slackWorker, withFakeSlack, withTeamsAndSlack } from './slack-fixtures';

/**
 * Every proactive message reaches a Slack-linked user by DM (the summary, the weekly digest, the
 * overdue cluster action, case cards and their updates), drawn in Block Kit from the same views;
 * and the subscription's channel choice (Teams, Slack or both) decides where, once per channel.
 */

const NOW = '2026-11-25T10:00:00Z';
const MANAGER_SLACK_ID = 'UMANAGER1';
const calendar = loadCalendar();
const clock = fixedClock(NOW);

/** The county, the LA manager linked to Slack, and a permanent exclusion raised after go-live. */
const seed = (store: Store) => seedPermanentExclusion(store, MANAGER_SLACK_ID);

async function queueDigest(store: Store, managerId: number): Promise<void> {
  const key = 'digest:2026-11-23';
  const alertId = (await insertNewAlerts(store.db, [{ dedupe_key: key, rule: 'digest', scope: 'digest', event_date: '2026-11-23', payload: '{}', created_at: NOW }])).get(key)!;
  await store.db
    .insertInto('alert_outbox')
    .values(newOutboxRow({ dedupeKey: `${key}>user:${managerId}`, alertId, subscriberKey: `user:${managerId}`, staffUserId: managerId, conversationId: null, kind: 'digest', due: DUE_NOW, createdAt: NOW }))
    .execute();
}

async function queueOverdueAction(store: Store, managerId: number, county: { districtIds: Record<string, number>; pupils: Record<string, number> }): Promise<void> {
  await insertOverdueAction(store, county, managerId, NOW);
  assert.deepEqual(await queueOverdueReminders(store.db, clock), { queued: 1 });
}

forEachEngine((getStore) => {
  it('reaches a Slack-only user with the summary, case card, weekly digest and overdue action by DM, each once, then updates the case card in place', async () => {
    const store = getStore();
    await withFakeSlack(NOW, async (vt, fake) => {
      const { managerId, county } = await seed(store);
      await runPupilRules({ db: store.db, calendar, clock });
      // First contact (a Slack DM): what is waiting arrives as one summary and the case card.
      assert.ok((await noteFirstContact(store.db, clock, managerId)) >= 2);
      await queueDigest(store, managerId);
      await queueOverdueAction(store, managerId, county);
      const kinds = (await store.db.selectFrom('alert_outbox').select('kind').where('staff_user_id', '=', managerId).execute()).map((r) => r.kind).sort();
      assert.deepEqual(kinds, ['alert', 'cluster_overdue', 'digest', SUMMARY_KIND].sort());

      const worker = slackWorker(store, vt, fake, { now: NOW, personal: true, pacing: true });
      const deliver = () => deliverUntilSettled(store, vt, worker);
      await deliver();

      const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
      const headers = posts.map((p) => p.body.blocks.find((b: any) => b.type === 'header')?.text.text);
      assert.equal(posts.length, 4, headers.join(' | '));
      for (const title of ['Exclusions: what is open now', 'Exclusions: weekly digest', 'A cluster action is overdue']) assert.equal(headers.filter((h) => h === title).length, 1, title);
      assert.ok(headers.some((h) => /permanent exclusion/i.test(h)), 'the case card');
      for (const p of posts) {
        assert.equal(p.body.channel, `D${MANAGER_SLACK_ID}`);
        assert.ok(p.body.blocks.length <= MAX_BLOCKS);
        assert.doesNotMatch(String(p.body.text), /Surname|Forename/, 'a notification never names a pupil');
      }
      const overdue = JSON.stringify(posts[headers.indexOf('A cluster action is overdue')]!.body.blocks);
      assert.match(overdue, /Home visit\* was due 20 Nov/);
      assert.doesNotMatch(overdue, /Surname/, 'the overdue note shows initials only');
      for (let i = 1; i < posts.length; i++) assert.ok(posts[i]!.at - posts[i - 1]!.at >= 1000, 'one message a second to a DM');
      const rows = await store.db.selectFrom('alert_outbox').select(['kind', 'status', 'sent_conversation_id']).where('staff_user_id', '=', managerId).execute();
      assert.ok(rows.every((r) => r.status === 'sent' && r.sent_conversation_id === `slack:${MANAGER_SLACK_ID}`), JSON.stringify(rows));

      // The case changes: the card already sent is replaced in the same DM (chat.update), not posted again.
      const caseKey = (await store.db.selectFrom('exclusion_alert').select('case_key').where('rule', '=', 'pex_la_day6').executeTakeFirstOrThrow()).case_key;
      assert.equal(await queueCaseUpdates(store.db, [caseKey], NOW), 1);
      await deliver();
      const updates = fake.calls.filter((c) => c.method === 'chat.update');
      assert.equal(updates.length, 1);
      assert.equal(updates[0]!.body.channel, `D${MANAGER_SLACK_ID}`);
      assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 4, 'nothing posted twice');
    });
  });

  it('sends to Teams and Slack once each when the subscription says both, and only to Slack when it says slack', async () => {
    const store = getStore();
    await withTeamsAndSlack(store, NOW, async (vt, fake, connector) => {
      const { managerId } = await seed(store);
      const manager = await store.db.selectFrom('staff_user').selectAll().where('id', '=', managerId).executeTakeFirstOrThrow();
      const ctx = { db: store.db, clock, calendar };
      const said = await runAlertCommand(ctx, actorOf(manager), 'conv-manager', 'subscribe county in both');
      assert.equal(said.kind === 'text' && said.message, 'Subscribed: the whole county: all alerts. New alerts will arrive in Teams and Slack.');
      await noteFirstContact(store.db, clock, managerId);
      await runPupilRules({ db: store.db, calendar, clock });
      const deliver = () => deliverUntilSettled(store, vt, slackWorker(store, vt, fake, { now: NOW, teams: true, personal: true, pacing: true }));
      await deliver();
      const slackPosts = () => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200);
      const cases = (await store.db.selectFrom('alert_outbox').select(['id', 'channel', 'status', 'dedupe_key']).where('kind', '=', 'alert').where('staff_user_id', '=', managerId).orderBy('id').execute());
      assert.deepEqual(cases.map((c) => [c.channel, c.status]), [['teams', 'sent'], ['slack', 'sent']], 'the case split once: a copy for each channel');
      assert.equal(connector.delivered().length, 1, 'Teams got the card once');
      assert.equal(slackPosts().length, 1, 'Slack got the card once');
      assert.equal((await cardsQueuedToday(store.db, clock, [`user:${managerId}`])).get(`user:${managerId}`), 1, 'one card against the daily budget, not two');
      // A second pass sends nothing more.
      await deliver();
      assert.equal(connector.delivered().length, 1);
      assert.equal(slackPosts().length, 1);

      // Now Slack only: a later message goes to Slack although the Teams chat is live.
      await runAlertCommand(ctx, actorOf(manager), 'conv-manager', 'subscribe county in slack');
      const listed = await runAlertCommand(ctx, actorOf(manager), 'conv-manager', 'list');
      assert.match(listed.kind === 'list' ? listed.message : '', /the whole county: all alerts, in Slack/);
      await queueDigest(store, managerId);
      await deliver();
      assert.equal(connector.delivered().length, 1, 'nothing more to Teams');
      assert.equal(slackPosts().length, 2);
      assert.match(JSON.stringify(slackPosts()[1]!.body.blocks), /weekly digest/);
    });
  });

  it('keeps a message with no channel chosen in Teams when a Slack copy for the same person is in the same round', async () => {
    const store = getStore();
    await withTeamsAndSlack(store, NOW, async (vt, fake, connector) => {
      const { managerId } = await seed(store);
      // A copy split off while the person was on both (since changed back to the default), and a new digest.
      await queueDigest(store, managerId);
      const digest = await store.db.selectFrom('alert_outbox').selectAll().where('kind', '=', 'digest').executeTakeFirstOrThrow();
      const { id: _id, ...copy } = digest;
      await store.db.insertInto('alert_outbox').values({ ...copy, dedupe_key: `${digest.dedupe_key}>slack`, channel: 'slack' }).execute();
      await deliverUntilSettled(store, vt, slackWorker(store, vt, fake, { now: NOW, teams: true, personal: true, pacing: true }));
      assert.equal(connector.delivered().length, 1, 'the row with no channel went to the live Teams chat');
      assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 1, 'the Slack copy went to Slack');
    });
  });

  it('reads `in teams | in slack | in both` only at the end of the subscribe words, and refuses it for a channel', async () => {
    assert.deepEqual(parseSubscriptionArgs('district South Holland permanent in teams and slack'), { area: { kind: 'district', value: 'South Holland' }, rules: parseSubscriptionArgs('permanent').rules, channel: 'both' });
    assert.equal(parseSubscriptionArgs('district Boston').channel, null);
    assert.deepEqual(parseSubscriptionArgs('in slack'), { area: null, rules: null, channel: 'slack' });
    assert.equal(parseSubscriptionArgs('school 100001 in teams').channel, 'teams');
    assert.throws(() => parseSubscriptionArgs('in whatsapp'), SubscriptionError);
    const store = getStore();
    const { managerId } = await seed(store);
    const manager = await store.db.selectFrom('staff_user').selectAll().where('id', '=', managerId).executeTakeFirstOrThrow();
    await assert.rejects(subscribe(store.db, actorOf(manager, 'channel'), '19:team@thread', parseSubscriptionArgs('district Boston in slack'), NOW), /posts in that chat/);
    assert.equal((await store.db.selectFrom('alert_subscription').select('id').execute()).length, 0, 'nothing stored');
  });
});
