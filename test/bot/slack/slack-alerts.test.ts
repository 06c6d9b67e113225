import assert from 'node:assert/strict';
import { SLACK_ALERT_ACTIONS } from '../../../cards/slack/alert-blocks';
import { noteFirstContact } from '../../../services/alerts/alert-cases';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import type { DeliveryWorker } from '../../../services/alerts/delivery-worker';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { startFakeSlack } from './fake-slack';
import { deliverUntilSettled, seedPermanentExclusion, slackWorker, startSlackBot, withFakeSlack, withTeamsAndSlack } from './slack-fixtures';
import { slackClient } from './slack-harness';

/**
 * Exclusion alerts to Slack: a Slack-linked LA manager with no Teams chat gets the permanent
 * exclusion by DM through the same outbox and worker as Teams, once, waiting out a 429; the
 * card's Acknowledge button acknowledges it through the same alert actions.
 */

const NOW = '2026-11-25T10:00:00Z';
const MANAGER_SLACK_ID = 'UMANAGER1';
const calendar = loadCalendar();

/** The fixture county, the manager linked to Slack and joined, and a new permanent exclusion queued. */
async function queuePermanentExclusion(store: Store): Promise<number> {
  const clock = fixedClock(NOW);
  const { managerId } = await seedPermanentExclusion(store, MANAGER_SLACK_ID);
  await noteFirstContact(store.db, clock, managerId);
  await runPupilRules({ db: store.db, calendar, clock });
  return managerId;
}

forEachEngine((getStore) => {
  it('holds the cards waiting at first contact in a Slack DM until the person’s command is answered', async () => {
    const store = getStore();
    const manager = { id: (await seedPermanentExclusion(store, MANAGER_SLACK_ID)).managerId };
    await runPupilRules({ db: store.db, calendar, clock: fixedClock(NOW) });
    const heldNow = async () => (await store.db.selectFrom('delivery_hold').select('until').where('subscriber_key', '=', `user:${manager.id}`).where('until', '>', new Date().toISOString()).execute()).length;
    let heldWhileAnswering: number | undefined;
    const fake = await startFakeSlack({}, {
      onCall: async (call) => {
        if (call.method === 'response_url') heldWhileAnswering = await heldNow();
      },
    });
    const bot = await startSlackBot(store, fake, NOW);
    try {
      await slackClient(() => bot, () => fake, Date.parse(NOW)).slash('help', MANAGER_SLACK_ID);
      assert.ok((await store.db.selectFrom('alert_outbox').select('id').where('staff_user_id', '=', manager.id).execute()).length > 0, 'first contact queued what was waiting');
      assert.equal(heldWhileAnswering, 1, 'held while the answer was on its way');
      // Released once the request is done (the middleware runs after the answer is sent).
      for (let i = 0; i < 50 && (await heldNow()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await heldNow(), 0, 'released once answered');
    } finally {
      await bot.close();
      await fake.close();
    }
  });

  it('delivers a permanent exclusion to a Slack-linked LA manager by DM once, after a 429’s Retry-After', async () => {
    const store = getStore();
    await withFakeSlack(NOW, async (vt, fake) => {
      const managerId = await queuePermanentExclusion(store);
      const queued = await store.db.selectFrom('alert_outbox').select(['id', 'kind']).where('staff_user_id', '=', managerId).execute();
      assert.ok(queued.some((r) => r.kind === 'alert'), 'the case was queued for the manager');
      fake.script('chat.postMessage', [{ status: 429, retryAfter: '3' }]);
      const worker = slackWorker(store, vt, fake, { now: NOW });
      // The worker's own loop until every row is settled (the 429 makes the row due 3 s later).
      await deliverUntilSettled(store, vt, worker);

      const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
      const delivered = posts.filter((c) => c.status === 200);
      const caseCards = delivered.filter((c) => JSON.stringify(c.body.blocks).includes('New permanent exclusion'));
      assert.equal(caseCards.length, 1, 'one DM for the case, not one per duty and not twice');
      assert.equal(caseCards[0]!.body.channel, `D${MANAGER_SLACK_ID}`);
      assert.match(JSON.stringify(caseCards[0]!.body.blocks), /Forename\d Surname\d/, 'a DM shows the name, as a Teams personal chat does');
      assert.ok(!String(caseCards[0]!.body.text).includes('Surname'), 'no name in the notification text');
      assert.deepEqual(caseCards[0]!.body.blocks.at(-1).elements.map((e: { action_id: string }) => e.action_id).slice(0, 2), [SLACK_ALERT_ACTIONS.acknowledge, SLACK_ALERT_ACTIONS.assignToMe]);
      assert.equal(posts[0]!.status, 429);
      assert.ok(posts[1]!.at - posts[0]!.at >= 3000, 'the next post waited for Retry-After');
      assert.equal(worker.stats.throttled, 1);
      const rows = await store.db.selectFrom('alert_outbox').select(['kind', 'status', 'activity_id', 'sent_conversation_id']).where('kind', '=', 'alert').where('staff_user_id', '=', managerId).execute();
      assert.deepEqual(rows.map((r) => r.status), ['sent']);
      assert.match(rows[0]!.activity_id!, new RegExp(`^D${MANAGER_SLACK_ID}/`));
      // Nothing more goes on a second run.
      await vt.run(() => worker.runUntilIdle());
      assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, posts.length);
    });
  });

  it('paces DMs to one Slack user at about one a second (Slack\'s limit per channel), each sent once', async () => {
    const store = getStore();
    await withFakeSlack(NOW, async (vt, fake) => {
      const managerId = await queuePermanentExclusion(store);
      const first = await store.db.selectFrom('alert_outbox').selectAll().where('staff_user_id', '=', managerId).where('kind', '=', 'alert').executeTakeFirstOrThrow();
      const { id: _id, ...copy } = first;
      for (const n of [2, 3, 4]) await store.db.insertInto('alert_outbox').values({ ...copy, dedupe_key: `${first.dedupe_key}#${n}` }).execute();
      await deliverUntilSettled(store, vt, slackWorker(store, vt, fake, { now: NOW, pacing: true }));
      const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
      assert.equal(posts.length, 4);
      assert.ok(posts.every((p) => p.status === 200));
      for (let i = 1; i < posts.length; i++) assert.ok(posts[i]!.at - posts[i - 1]!.at >= 1000, `post ${i} came ${posts[i]!.at - posts[i - 1]!.at} ms after the one before`);
      const rows = await store.db.selectFrom('alert_outbox').select('status').where('staff_user_id', '=', managerId).where('kind', '=', 'alert').execute();
      assert.deepEqual(rows.map((r) => r.status), ['sent', 'sent', 'sent', 'sent']);
    });
  });

  it('reaches a user with a live Teams personal chat in Teams, and in Slack once that chat is gone', async () => {
    const store = getStore();
    await withTeamsAndSlack(store, NOW, async (vt, fake, connector) => {
      const managerId = await queuePermanentExclusion(store);
      const worker = () => slackWorker(store, vt, fake, { now: NOW, teams: true });
      const deliver = (w: DeliveryWorker) => deliverUntilSettled(store, vt, w);
      await deliver(worker());
      assert.equal(connector.delivered().length, 1, 'the case card went to Teams');
      assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage').length, 0, 'and not to Slack as well');

      // The Teams chat is gone (app removed): a copy of the case for the same user now goes to Slack.
      await store.db.updateTable('conversation_ref').set({ gone_at: NOW }).where('conversation_id', '=', 'conv-manager').execute();
      const sent = await store.db.selectFrom('alert_outbox').selectAll().where('staff_user_id', '=', managerId).where('kind', '=', 'alert').executeTakeFirstOrThrow();
      const { id: _id, ...copy } = sent;
      await store.db.insertInto('alert_outbox').values({ ...copy, dedupe_key: `${sent.dedupe_key}#again`, status: 'pending', attempts: 0, sent_at: null, sent_conversation_id: null, activity_id: null, next_attempt_at: '2000-01-01T00:00:00.000Z' }).execute();
      await deliver(worker());
      assert.equal(connector.delivered().length, 1);
      assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200).length, 1);
    });
  });

  it('acknowledges the alert from the Slack card’s Acknowledge button and redraws the card', async () => {
    const store = getStore();
    const fake = await startFakeSlack({});
    const bot = await startSlackBot(store, fake, NOW);
    const slack = slackClient(() => bot, () => fake, Date.parse(NOW));
    try {
      await queuePermanentExclusion(store);
      const alert = await store.db.selectFrom('exclusion_alert').select(['id', 'case_key']).where('rule', '=', 'pex_la_day6').executeTakeFirstOrThrow();
      const press = (userId: string) => slack.pressed({ action_id: SLACK_ALERT_ACTIONS.acknowledge, value: JSON.stringify({ alertId: alert.id }) }, userId, `D${userId}`);
      // Someone Slack cannot match to a staff user changes nothing.
      const stranger = await press('USTRANGE1');
      assert.equal(stranger.response_type, 'ephemeral');
      assert.equal((await store.db.selectFrom('exclusion_alert').select('status').where('id', '=', alert.id).executeTakeFirstOrThrow()).status, 'open');

      const redrawn = await press(MANAGER_SLACK_ID);
      assert.equal(redrawn.replace_original, true);
      assert.match(JSON.stringify(redrawn.blocks), /Acknowledged by Alex Manager/);
      assert.ok(!JSON.stringify(redrawn.blocks).includes(SLACK_ALERT_ACTIONS.acknowledge), 'no Acknowledge button once acknowledged');
      const after = await store.db.selectFrom('exclusion_alert').select('status').where('case_key', '=', alert.case_key).execute();
      assert.ok(after.every((r) => r.status === 'acknowledged'));
      const audit = await store.db.selectFrom('audit_log').select(['channel']).where('action', '=', 'exclusion.acknowledge').execute();
      assert.deepEqual(audit.map((a) => a.channel), ['slack']);
    } finally {
      await bot.close();
      await fake.close();
    }
  });
});
