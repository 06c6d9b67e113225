import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { runAttendanceRules, type AttendanceRunDeps } from '../../../services/attendance/attendance-alerts';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { openStore, type Store } from '../../../services/store/open-store';
import { generateDemoCounty } from '../../../scripts/demo/demo-county';

/**
 * The whole-county run on a SQLite file goes to worker processes (attendance-rule-workers.ts); the
 * bot's thread evaluates an in-memory store itself. Both must find exactly the same alerts: a
 * small demo county in a file, evaluated both ways.
 */

const calendar = loadCalendar();
const TODAY = '2026-12-18';
const clock = fixedClock(`${TODAY}T18:00:00.000Z`);

async function loadCounty(store: Store, pupils: number) {
  const county = generateDemoCounty({ pupils, seed: 'worker-test', today: TODAY, calendar });
  const db = store.db;
  await db.insertInto('local_authority').values(county.localAuthority).execute();
  await db.insertInto('district').values(county.districts).execute();
  for (let i = 0; i < county.schools.length; i += 200) await db.insertInto('school').values(county.schools.slice(i, i + 200)).execute();
  for (let i = 0; i < county.pupils.length; i += 200) await db.insertInto('pupil').values(county.pupils.slice(i, i + 200)).execute();
  for (let i = 0; i < county.enrolments.length; i += 400) await db.insertInto('enrolment').values(county.enrolments.slice(i, i + 400)).execute();
  const insertWeek = store.sqlite!.prepare('insert into attendance_week (pupil_id, school_urn, week_start, marks) values (?, ?, ?, ?)');
  for (const batch of county.attendanceBatches(2000)) {
    store.sqlite!.transaction(() => {
      for (const r of batch.rows) insertWeek.run(r.pupil_id, r.school_urn, r.week_start, r.marks);
    })();
  }
  // Youth justice links travel to the workers too: a worker for a handful of youth justice pupils.
  const worker = await db
    .insertInto('staff_user')
    .values({ aad_object_id: 'aad-yj', email: 'yj@example.org', name: 'yj', role: 'youth_justice_worker', scope: 'la', created_at: '2026-09-01T00:00:00Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const yj = county.pupils.filter((p) => p.youth_justice === 1).slice(0, 5);
  if (yj.length) await db.insertInto('pupil_youth_justice_worker').values(yj.map((p) => ({ pupil_id: p.id, staff_user_id: worker.id }))).execute();
  await claimGoLive(db, fixedClock('2026-09-01T07:00:00Z'));
  return county;
}

async function storedAlerts(store: Store) {
  return store.db.selectFrom('exclusion_alert').select(['dedupe_key', 'rule', 'pupil_id', 'school_urn', 'event_date', 'case_key', 'payload']).where('scope', '=', 'attendance').orderBy('dedupe_key').execute();
}

async function forgetAlerts(store: Store) {
  await store.db.deleteFrom('alert_outbox').execute();
  await store.db.deleteFrom('exclusion_alert').execute();
}

describe('attendance rules in worker processes (SQLite file)', function () {
  // Worker processes load the rules under tsx here: allow for a slow, shared machine.
  this.timeout(60_000);
  let dir: string;
  let store: Store;
  let deps: AttendanceRunDeps;
  let schoolUrns: number[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ia-rule-workers-'));
    store = await openStore({ engine: 'sqlite', target: join(dir, 'county.sqlite') }, { readWorkers: 1 });
    const county = await loadCounty(store, 5000);
    schoolUrns = county.schools.map((s) => s.urn);
    deps = { db: store.db, sqlite: store.sqlite, calendar, clock };
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => forgetAlerts(store));

  it('the workers find exactly the alerts the bot’s own thread finds, and on a re-run store nothing new', async () => {
    assert.equal(store.sqlite!.memory, false);
    const inThread = await runAttendanceRules({ ...deps, ruleWorkers: 0 });
    const expected = await storedAlerts(store);
    assert.ok(inThread.alerts > 20, `${inThread.alerts} alerts: the county must give the rules something to find`);
    assert.ok(new Set(expected.map((a) => a.rule)).size >= 4);
    await forgetAlerts(store);

    const inWorkers = await runAttendanceRules({ ...deps, ruleWorkers: 2 });
    assert.deepEqual(inWorkers, inThread);
    assert.deepEqual(await storedAlerts(store), expected);

    // The workers leave out alerts already stored, yet the run still counts every alert found.
    const again = await runAttendanceRules({ ...deps, ruleWorkers: 2 });
    assert.deepEqual(again, { ...inThread, newAlerts: 0, queuedDeliveries: 0 });
    assert.deepEqual(await storedAlerts(store), expected);
  });

  it('a run for many schools (a county-wide import) finds the same alerts in a worker as on the bot’s thread', async () => {
    const some = schoolUrns.filter((_, i) => i % 6 !== 0);
    assert.ok(some.length >= 20);
    const inThread = await runAttendanceRules({ ...deps, ruleWorkers: 0 }, some);
    const expected = await storedAlerts(store);
    assert.ok(inThread.alerts > 10 && inThread.evaluatedPupils > 0);
    await forgetAlerts(store);
    const inWorker = await runAttendanceRules({ ...deps, ruleWorkers: 2 }, some);
    assert.deepEqual(inWorker, inThread);
    assert.deepEqual(await storedAlerts(store), expected);
  });
});
