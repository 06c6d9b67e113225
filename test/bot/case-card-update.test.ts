import assert from 'node:assert/strict';
import { createAlertRenderer } from '../../bot/alert-delivery';
import { createConnectorTransport } from '../../bot/connector-transport';
import { claimGoLive } from '../../services/alerts/alert-cases';
import { newOutboxRow, DUE_NOW } from '../../services/alerts/outbox';
import { runPupilRules, storeAlerts } from '../../services/alerts/alert-runner';
import { DeliveryWorker } from '../../services/alerts/delivery-worker';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { fixedClock, systemClock } from '../../services/clock';
import { loadConfig } from '../../services/config';
import { ALERT_RULES } from '../../services/alerts/alert-rules';
import type { ExclusionAlert } from '../../services/exclusions/alert-types';
import { openStore, type Store } from '../../services/store/open-store';
import { TEST_USERS, messageActivity } from '../helpers/activities';
import { insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { startFakeConnector, type FakeConnector } from '../helpers/fake-connector';
import { FIXTURE_SCHOOLS, insertFixtureCounty } from '../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');
const calendar = loadCalendar();

describe('case card updated in place over the Bot Connector', () => {
  let store: Store;
  let bot: RunningBot;
  let connector: FakeConnector;

  beforeEach(async () => {
    connector = await startFakeConnector();
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    await insertFixtureCounty(store);
    await insertStaff(store);
    bot = await startBot({ store, clock });
  });
  afterEach(async () => {
    await bot.close();
    await store.close();
    await connector.close();
  });

  it('replaces the sent card (PUT to the same activity) when a new duty arises, with no new post', async () => {
    await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
    await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: connector.serviceUrl }));
    const pupil = await store.db.selectFrom('pupil').select('id').orderBy('id').executeTakeFirstOrThrow();
    const exclusion = await store.db
      .insertInto('exclusion')
      .values({ pupil_id: pupil.id, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: '2026-11-23T09:00:00Z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deps = { db: store.db, calendar, clock };
    await runPupilRules(deps);
    const worker = new DeliveryWorker({
      db: store.db,
      engine: 'sqlite',
      clock: systemClock,
      transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })),
      renderer: createAlertRenderer({ db: store.db, clock, calendar }),
    });
    await worker.runUntilIdle();
    const personal = () => connector.posts.filter((p) => p.conversationId === 'conv-personal-29:manager' && p.status < 300);
    assert.equal(personal().length, 1, 'one card for the case');
    const first = personal()[0]!;
    assert.equal(first.method, 'POST');
    const newDuty = ALERT_RULES.irp_application_window.title;
    assert.ok(!JSON.stringify(first.activity).includes(newDuty), 'the new duty is not on the card yet');

    // A new duty arises on the same case (as the rules would store it).
    const base = await store.db.selectFrom('exclusion_alert').select('payload').where('exclusion_id', '=', exclusion.id).orderBy('id').executeTakeFirstOrThrow();
    const duty = { ...(JSON.parse(base.payload) as ExclusionAlert), rule: 'irp_application_window', dueDate: '2026-12-18', dedupeKey: 'test:irp-window' } as ExclusionAlert;
    assert.equal((await storeAlerts(deps, [duty])).newAlerts, 1);
    await worker.runUntilIdle();

    const after = personal();
    assert.equal(after.length, 2, 'one more call: the update');
    const update = after[1]!;
    assert.equal(update.method, 'PUT');
    assert.equal(update.activityId, first.activityId, 'the same message is replaced');
    assert.equal(update.activity.id, first.activityId);
    const card = JSON.stringify(update.activity);
    assert.ok(card.includes(newDuty), 'the new duty is on the card');
    assert.ok(card.includes('New permanent exclusion'), 'with the duties it already had');
    assert.equal(after.filter((p) => p.method === 'POST').length, 1, 'no new post');
    const row = await store.db.selectFrom('alert_outbox').select(['status', 'subject_id']).where('kind', '=', 'case_update').executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
  });

  it('sends nothing for an update whose card was never sent', async () => {
    await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: connector.serviceUrl }));
    const manager = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', TEST_USERS.manager.aadObjectId!).executeTakeFirstOrThrow();
    const pupil = await store.db.selectFrom('pupil').select('id').orderBy('id').executeTakeFirstOrThrow();
    await store.db
      .insertInto('exclusion')
      .values({ pupil_id: pupil.id, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: '2026-11-23T09:00:00Z' })
      .execute();
    await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
    await runPupilRules({ db: store.db, calendar, clock });
    const card = await store.db.selectFrom('alert_outbox').selectAll().where('kind', '=', 'alert').executeTakeFirstOrThrow();
    // Held back (not yet due), so the worker meets the stray update first.
    await store.db.updateTable('alert_outbox').set({ next_attempt_at: '2999-01-01T00:00:00.000Z' }).where('id', '=', card.id).execute();
    const base = { alertId: card.alert_id, subscriberKey: card.subscriber_key, staffUserId: manager.id, conversationId: null, due: DUE_NOW, createdAt: '2026-11-25T10:00:00Z' };
    await store.db.insertInto('alert_outbox').values(newOutboxRow({ ...base, dedupeKey: `update:${card.id}`, kind: 'case_update', subjectId: card.id })).execute();
    const worker = new DeliveryWorker({
      db: store.db,
      engine: 'sqlite',
      clock: systemClock,
      transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })),
      renderer: createAlertRenderer({ db: store.db, clock, calendar }),
    });
    await worker.runUntilIdle();
    assert.equal(connector.posts.length, 0, 'no call to the connector');
    const update = await store.db.selectFrom('alert_outbox').select(['status', 'last_error']).where('kind', '=', 'case_update').executeTakeFirstOrThrow();
    assert.equal(update.status, 'failed');
    assert.match(update.last_error ?? '', /never sent/);
  });
});
