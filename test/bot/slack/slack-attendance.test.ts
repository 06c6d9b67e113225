import assert from 'node:assert/strict';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { runAttendanceRules } from '../../../services/attendance/attendance-alerts';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { FIXTURE_SCHOOLS, insertFixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { registerWriter } from '../../services/attendance/attendance-register';
import { deliverUntilSettled, slackWorker, withFakeSlack } from './slack-fixtures';

/** Attendance alerts (issue 12) reach a Slack-only attendance officer by DM too, named only inside the message. */

const calendar = loadCalendar();
const NOW = '2026-11-30T18:00:00.000Z';
const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const DAYS = calendar.schoolDays('2026-09-01', '2026-11-30');
const PRESENT: [string, string] = ['/', '\\'];

/** The same [am, pm] code names on every school day, by day index. */
const writeRegister = registerWriter(DAYS);

forEachEngine((getStore) => {
  it('delivers an attendance alert to a Slack-only attendance officer by DM, once, with no name in the notification', async () => {
    const store = getStore();
    const county = await insertFixtureCounty(store);
    await claimGoLive(store.db, fixedClock('2026-09-01T07:00:00.000Z'));
    // Present until the last twelve school days, then absent without reason.
    await writeRegister(store, county.pupils.noFlags, BOSTON, (i) => (i < DAYS.length - 12 ? PRESENT : ['O', 'O']));
    const officer = await store.db
      .insertInto('staff_user')
      .values({ aad_object_id: null, email: 'officer@example.org', name: 'Boston Officer', role: 'attendance_officer', scope: 'district:Boston', created_at: NOW, slack_user_id: 'UOFFICER1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await store.db.insertInto('alert_subscriber').values({ subscriber_key: `user:${officer.id}`, staff_user_id: officer.id, joined_at: NOW }).execute();
    assert.ok((await runAttendanceRules({ db: store.db, sqlite: store.sqlite, calendar, clock: fixedClock(NOW) })).newAlerts > 0);
    const queued = await store.db.selectFrom('alert_outbox').select('id').where('staff_user_id', '=', officer.id).execute();
    assert.ok(queued.length > 0, 'queued for the officer');

    await withFakeSlack(NOW, async (vt, fake) => {
      await deliverUntilSettled(store, vt, slackWorker(store, vt, fake, { now: NOW, personal: true, pacing: true }));
      const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
      assert.equal(posts.length, queued.length, 'one DM per queued message');
      const attendance = posts.filter((p) => String(p.body.text).startsWith('Attendance alert'));
      assert.ok(attendance.length > 0, posts.map((p) => p.body.text).join(' | '));
      for (const p of attendance) {
        assert.equal(p.body.channel, 'DUOFFICER1');
        assert.doesNotMatch(String(p.body.text), /Surname|Forename/);
        assert.match(JSON.stringify(p.body.blocks), /Forename\d Surname\d/, 'the DM itself names the pupil, as a personal chat does');
      }
      const rows = await store.db.selectFrom('alert_outbox').select('status').where('staff_user_id', '=', officer.id).execute();
      assert.ok(rows.every((r) => r.status === 'sent'), JSON.stringify(rows));
    });
  });
});
