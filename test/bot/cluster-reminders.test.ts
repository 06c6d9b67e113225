import assert from 'node:assert/strict';
import { overdueReminderSender } from '../../bot/routes/cluster-routes';
import type { DeliveryTarget, Transport, TransportResult } from '../../services/alerts/delivery-worker';
import { runOverdueReminders } from '../../services/cluster/cluster-actions';
import { fixedClock } from '../../services/clock';
import { saveConversationRef } from '../../services/conversations/conversation-refs';
import { openStore, type Store } from '../../services/store/open-store';
import { assertValidCard, cardText } from '../helpers/card-check';
import { BOSTON_SECONDARY, NOW, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/** Overdue actions go once to the owner's personal chat, initials only; undelivered ones wait for a later run. */
describe('overdue cluster action reminders', () => {
  let store: Store;
  let fixture: ClusterFixture;
  const sent: { target: DeliveryTarget; activity: any }[] = [];
  let answer: TransportResult = { ok: true, status: 201, activityId: 'm1' };
  const transport: Transport = {
    async send(target, activity) {
      sent.push({ target, activity });
      return answer;
    },
  };

  before(async () => {
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
  after(() => store.close());

  it('sends each overdue action once to its owner, and keeps the one with no chat for later', async () => {
    const clock = fixedClock(NOW);
    const sender = overdueReminderSender({ store }, transport);
    assert.deepEqual(await runOverdueReminders(store.db, clock, sender), { claimed: 2, sent: 1, released: 1 });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.target.conversationId, 'a:officer-personal');
    assert.equal(sent[0]!.activity.summary, 'A cluster action is overdue');
    const card = sent[0]!.activity.attachments[0].content;
    assertValidCard(card);
    assert.match(cardText(card), /Home visit\*\* was due 20 Nov/);
    assert.match(cardText(card), /A\.B\. · Y9/);
    assert.doesNotMatch(JSON.stringify(sent[0]!.activity), /Aisha|Bell/);

    // Next run: nothing new for the officer; the member still has no chat.
    assert.deepEqual(await runOverdueReminders(store.db, clock, sender), { claimed: 1, sent: 0, released: 1 });
    assert.equal(sent.length, 1);
  });

  it('tries again later when Teams did not take the message', async () => {
    const clock = fixedClock(NOW);
    await store.db.updateTable('cluster_action').set({ overdue_notified_at: null }).execute();
    answer = { ok: false, status: 503, message: 'unavailable' };
    const sender = overdueReminderSender({ store }, transport);
    const failed = await runOverdueReminders(store.db, clock, sender);
    assert.equal(failed.sent, 0);
    answer = { ok: true, status: 201, activityId: 'm2' };
    const retried = await runOverdueReminders(store.db, clock, sender);
    assert.equal(retried.sent, 1);
  });
});
