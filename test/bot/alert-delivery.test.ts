import assert from 'node:assert/strict';
import { createAlertRenderer } from '../../bot/alert-delivery';
import { createConnectorTransport } from '../../bot/connector-transport';
import { claimGoLive } from '../../services/alerts/alert-cases';
import { AlertScheduler, claimJobRun, londonTime } from '../../services/alerts/alert-schedule';
import { DeliveryWorker } from '../../services/alerts/delivery-worker';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { fixedClock, systemClock } from '../../services/clock';
import { loadConfig } from '../../services/config';
import { makeUpn } from '../../services/domain/upn';
import { createApiSender } from '../../services/exclusions/exclusion-intake';
import { openStore, type Store } from '../../services/store/open-store';
import { TEST_USERS, messageActivity } from '../helpers/activities';
import { insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { startFakeConnector, type FakeConnector } from '../helpers/fake-connector';
import { FIXTURE_SCHOOLS, insertFixtureCounty } from '../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');
const calendar = loadCalendar();

describe('exclusion alerts end to end', () => {
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

  it('turns a reported exclusion into one card per case: full details in personal chat, initials in the channel', async () => {
    // The service went live last week (what that first run found was history).
    await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
    const scheduler = new AlertScheduler({ db: store.db, calendar, clock }, { dailyAt: '23:59' });
    // Conversations are remembered from ordinary messages (the manager says hello; a channel subscribes).
    await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: connector.serviceUrl }));
    const [subscribed] = await bot.say(
      messageActivity('alerts subscribe district Boston', { from: TEST_USERS.attendanceOfficer, conversationType: 'channel', conversationId: '19:boston@thread.tacv2;messageid=42', serviceUrl: connector.serviceUrl }),
    );
    assert.match(subscribed.text, /Subscribed/);

    const { key } = await createApiSender(store.db, 'form', 'county', clock);
    const response = await fetch(`${bot.url}/api/exclusions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': 'e2e-0001' },
      body: JSON.stringify({ school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, upn: makeUpn(925, 4001, 15, 3), category: 'PERM', start_date: '2026-11-23', reasons: 'PA', notified_date: '2026-11-23' }),
    });
    assert.equal(response.status, 201);

    const tick = await scheduler.tick();
    assert.equal(tick.drained.newAlerts, 5);
    const worker = new DeliveryWorker({
      db: store.db,
      engine: 'sqlite',
      clock: systemClock,
      transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })),
      renderer: createAlertRenderer({ db: store.db, clock, calendar }),
    });
    await worker.runUntilIdle();

    const delivered = connector.delivered();
    const personal = delivered.filter((p) => p.conversationId === 'conv-personal-29:manager');
    const channel = delivered.filter((p) => p.conversationId === '19:boston@thread.tacv2');
    assert.equal(personal.length, 1, 'one card for the permanent exclusion, not one per duty');
    assert.equal(channel.length, 1, 'a new post in the channel, not a reply in the thread it subscribed from');
    const card = JSON.stringify(personal[0]!.activity);
    for (const duty of ['New permanent exclusion', 'Permanent exclusion: LA provision from day 6', 'Permanent exclusion: governors must meet', 'Looked-after pupil excluded']) {
      assert.ok(card.includes(duty), `the card lists the duty "${duty}"`);
    }
    const personalText = JSON.stringify(personal.map((p) => p.activity));
    assert.match(personalText, /Forename3 Surname3/);
    const channelText = JSON.stringify(channel.map((p) => p.activity));
    assert.ok(!channelText.includes('Forename3') && !channelText.includes('Surname3'), 'no names in the channel');
    assert.match(channelText, /\*\*FS\*\*/);
    for (const post of delivered) {
      assert.ok(!String(post.activity.summary).includes('Surname3'), 'no name in the notification preview');
      assert.equal(post.activity.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    }
    // The school leader has no chat with the bot yet: nothing is queued to retry for hours; the case
    // waits in the store and arrives at their first contact.
    const waiting = await store.db.selectFrom('alert_outbox').select(['status', 'last_error']).where('status', '=', 'pending').execute();
    assert.equal(waiting.length, 0);
    // Pupil-level reads by delivery are audited per recipient.
    const audits = await store.db.selectFrom('audit_log').select(['command']).where('command', '=', 'alert delivery').execute();
    assert.equal(audits.length, 2);

    // Running the schedule again queues nothing new.
    assert.equal((await scheduler.tick()).drained.newAlerts, 0);
  });

  it('gives the LA manager a handful of cards on first contact after go-live, however much history was loaded', async () => {
    // A year's history: 40 suspensions across the fixture pupils, and two permanent exclusions.
    const pupils = await store.db.selectFrom('pupil').select('id').where('id', '<=', 4).execute();
    const insert = (pupilId: number, category: 'SUSP' | 'PERM', start: string, sessions: number) =>
      store.db
        .insertInto('exclusion')
        .values({ pupil_id: pupilId, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category, reasons: 'PA', start_date: start, sessions, notified_date: start, missed_public_exam: 0, source: 'test', created_at: '2026-11-01T00:00:00Z' })
        .execute();
    const days = calendar.schoolDays('2026-09-07', '2026-11-20');
    for (let i = 0; i < 40; i++) await insert(pupils[i % pupils.length]!.id, 'SUSP', days[i]!, 2);
    await insert(pupils[0]!.id, 'PERM', '2026-11-02', 0);
    await insert(pupils[2]!.id, 'PERM', '2026-11-16', 0);
    const golive = await new AlertScheduler({ db: store.db, calendar, clock }, { dailyAt: '00:00' }).tick();
    assert.ok((golive.daily?.newAlerts ?? 0) > 40, 'the go-live run stores the history');
    assert.equal(await store.db.selectFrom('alert_outbox').select('id').execute().then((r) => r.length), 0, 'and pushes nothing: nobody has a chat yet');

    await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: connector.serviceUrl }));
    // The cards waited for the answer to "help" and were let go once it was sent.
    assert.ok((await store.db.selectFrom('alert_outbox').select('id').execute()).length > 0, 'first contact queued the waiting cards');
    assert.deepEqual(await store.db.selectFrom('delivery_hold').selectAll().execute(), [], 'no hold left once the turn answered');
    const worker = new DeliveryWorker({
      db: store.db,
      engine: 'sqlite',
      clock: systemClock,
      transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })),
      renderer: createAlertRenderer({ db: store.db, clock, calendar }),
      // What arrives and in what order, not pacing (tested on virtual time): a loaded test machine
      // waking late must not put cards back in the queue.
      lateMs: 60_000,
    });
    await worker.runUntilIdle();
    const cards = connector.delivered().filter((p) => p.conversationId === 'conv-personal-29:manager');
    assert.ok(cards.length >= 2 && cards.length <= 6, `a handful (${cards.length}), not hundreds`);
    assert.equal(cards[0]!.activity.summary, 'Exclusions: what is open now', 'the summary comes first');
    const summary = JSON.stringify(cards[0]!.activity);
    assert.match(summary, /Open cases/);
    assert.match(summary, /alerts list/);
    const rest = cards.slice(1).map((c) => JSON.stringify(c.activity));
    assert.ok(rest.some((c) => /overdue by \d+ school days?/.test(c)), 'past-due duties say so');
    const alertIds = cards.slice(1).map((c) => JSON.stringify(c.activity).match(/"alertId":(\d+)/)![1]);
    const caseKeys = await store.db.selectFrom('exclusion_alert').select('case_key').where('id', 'in', alertIds.map(Number)).execute();
    assert.equal(new Set(caseKeys.map((r) => r.case_key)).size, alertIds.length, 'one card per case');
  });

  it('sends the weekly digest on Monday to each subscriber once', async () => {
    await bot.say(messageActivity('help', { from: TEST_USERS.manager, serviceUrl: connector.serviceUrl }));
    const monday = fixedClock('2026-11-23T08:00:00Z');
    const scheduler = new AlertScheduler({ db: store.db, calendar, clock: monday }, { dailyAt: '07:00' });
    const tick = await scheduler.tick();
    assert.ok(tick.weekly, 'the weekly job ran');
    assert.equal(tick.digests, 1, 'the LA manager; the school leader has no chat with the bot yet, so nothing waits to retry');
    assert.equal((await scheduler.tick()).digests, undefined, 'once a week');
    const worker = new DeliveryWorker({
      db: store.db,
      engine: 'sqlite',
      clock: systemClock,
      transport: createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })),
      renderer: createAlertRenderer({ db: store.db, clock: monday, calendar }),
    });
    await worker.runUntilIdle();
    const digests = connector.delivered();
    assert.equal(digests.length, 1);
    assert.equal(await store.db.selectFrom('alert_outbox').select('id').where('status', '=', 'pending').execute().then((r) => r.length), 0, 'nothing left retrying');
    assert.match(JSON.stringify(digests[0]!.activity), /Exclusions: weekly digest/);
  });

  it('runs the daily job once per day across instances, at or after the configured London time', async () => {
    assert.equal(londonTime(new Date('2026-07-01T06:30:00Z')), '07:30', 'BST');
    assert.equal(londonTime(new Date('2026-11-25T06:30:00Z')), '06:30', 'GMT');
    const early = new AlertScheduler({ db: store.db, calendar, clock: fixedClock('2026-11-25T06:30:00Z') }, { dailyAt: '07:00', holder: 'a' });
    assert.equal((await early.tick()).daily, undefined);
    const a = new AlertScheduler({ db: store.db, calendar, clock }, { dailyAt: '07:00', holder: 'a' });
    const b = new AlertScheduler({ db: store.db, calendar, clock }, { dailyAt: '07:00', holder: 'b' });
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    assert.equal([ra.daily, rb.daily].filter(Boolean).length, 1);
    assert.equal((await a.tick()).daily, undefined);
    assert.equal(await claimJobRun(store.db, 'daily-rules', '2026-11-26', 'c', '2026-11-26T07:00:00Z'), true);
  });
});
