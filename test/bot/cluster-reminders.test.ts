import assert from 'node:assert/strict';
import { createAlertRenderer } from '../../bot/alert-delivery';
import { DeliveryWorker, type DeliveryTarget, type Transport, type TransportResult } from '../../services/alerts/delivery-worker';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { queueOverdueReminders } from '../../services/cluster/overdue-reminders';
import { fixedClock } from '../../services/clock';
import { saveConversationRef } from '../../services/conversations/conversation-refs';
import { openStore, type Store } from '../../services/store/open-store';
import { assertValidCard, cardText } from '../helpers/card-check';
import { VirtualTime } from '../helpers/virtual-time';
import { BOSTON_SECONDARY, NOW, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/**
 * Overdue actions go once to the owner's personal chat, initials only, through the same outbox,
 * pacer and retry policy as alerts; undelivered ones wait for a later attempt.
 */
describe('overdue cluster action reminders', () => {
  let store: Store;
  let fixture: ClusterFixture;
  const sent: { target: DeliveryTarget; activity: any }[] = [];
  let answers: TransportResult[] = [];
  const transport: Transport = {
    async send(target, activity) {
      const answer = answers.shift() ?? { ok: true, status: 201, activityId: 'm1' };
      if (answer.ok) sent.push({ target, activity });
      return answer;
    },
  };
  const appClock = fixedClock(NOW);

  beforeEach(async () => {
    sent.length = 0;
    answers = [];
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedCounty(store.db);
    const meeting = await store.db.insertInto('cluster_meeting').values({ district_id: fixture.bostonId, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
    const base = { school_urn: BOSTON_SECONDARY, meeting_id: meeting.id, status: 'open' as const, created_by: fixture.staff.officer!.id, created_at: NOW, closed_at: null, closed_by: null, overdue_notified_at: null };
    await store.db
      .insertInto('cluster_action')
      .values([
        { ...base, pupil_id: fixture.pupils.severe!.id, description: 'Home visit', owner_id: fixture.staff.officer!.id, due_date: '2026-11-20' },
        { ...base, pupil_id: fixture.pupils.paSocial!.id, description: 'Call the family', owner_id: fixture.staff.bostonMember!.id, due_date: '2026-11-23' },
      ])
      .execute();
    // Only the officer has ever opened a personal chat with the bot.
    await saveConversationRef(
      store.db,
      {
        conversationId: 'a:officer-personal',
        conversationType: 'personal',
        tenantId: 't1',
        aadObjectId: fixture.staff.officer!.aad_object_id,
        teamId: null,
        channelId: null,
        serviceUrl: 'https://smba.example/uk/',
        referenceJson: JSON.stringify({ user: { id: '29:officer' }, bot: { id: '28:bot' }, conversation: { id: 'a:officer-personal' } }),
      },
      NOW,
    );
  });
  afterEach(() => store.close());

  function worker(vt: VirtualTime) {
    return new DeliveryWorker({ db: store.db, engine: 'sqlite', clock: vt, timing: vt, transport, renderer: createAlertRenderer({ db: store.db, clock: appClock, calendar: loadCalendar() }), random: () => 1 });
  }

  it('sends each overdue action once to its owner, and keeps the one with no chat for later', async () => {
    assert.deepEqual(await queueOverdueReminders(store.db, appClock), { queued: 2 });
    const vt = new VirtualTime(NOW);
    await vt.run(() => worker(vt).runUntilIdle());
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.target.conversationId, 'a:officer-personal');
    assert.equal(sent[0]!.activity.summary, 'A cluster action is overdue');
    const card = sent[0]!.activity.attachments[0].content;
    assertValidCard(card);
    assert.match(cardText(card), /Home visit\*\* was due 20 Nov/);
    assert.match(cardText(card), /A\.B\. · Y9/);
    assert.doesNotMatch(JSON.stringify(sent[0]!.activity), /Aisha|Bell/);
    // The member has no chat yet: their reminder waits in the outbox; nothing is queued twice.
    const waiting = await store.db.selectFrom('alert_outbox').select(['status', 'last_error']).where('status', '=', 'pending').execute();
    assert.deepEqual(waiting, [{ status: 'pending', last_error: 'no chat with this user yet' }]);
    assert.deepEqual(await queueOverdueReminders(store.db, appClock), { queued: 0 });
  });

  it('honours Retry-After and retries a failure with backoff, sending once', async () => {
    await queueOverdueReminders(store.db, appClock);
    answers = [
      { ok: false, status: 429, retryAfterMs: 3000, message: 'HTTP 429 Throttled' },
      { ok: false, status: 503, message: 'HTTP 503' },
    ];
    const vt = new VirtualTime(NOW);
    const start = vt.ms();
    await vt.run(async () => {
      const w = worker(vt);
      await w.runUntilIdle();
      assert.equal(sent.length, 0, 'not yet: waiting for Retry-After');
      await vt.sleep(3000);
      await w.runUntilIdle();
      // 503: backoff (base 1 s, doubled for the second attempt; jitter pinned to its maximum).
      await vt.sleep(2000);
      await w.runUntilIdle();
      assert.equal(w.stats.throttled, 1);
    });
    assert.equal(sent.length, 1, 'sent once in the end');
    assert.ok(vt.ms() - start >= 3000, 'not before the Retry-After');
  });

  it('does not remind about an action closed before the reminder went', async () => {
    await queueOverdueReminders(store.db, appClock);
    await store.db.updateTable('cluster_action').set({ status: 'done' }).where('description', '=', 'Home visit').execute();
    const vt = new VirtualTime(NOW);
    await vt.run(() => worker(vt).runUntilIdle());
    assert.equal(sent.length, 0);
  });
});
