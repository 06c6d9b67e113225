import assert from 'node:assert/strict';
import { ensureAttendanceSummaries, rebuildAttendanceSummaries } from '../../../services/attendance/attendance-summary';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { DEMO_SCHOOL_LEADER_URN, DEMO_USERS } from '../../../scripts/demo/demo-users';
import { deletionOrder } from '../../../scripts/demo/demo-writer';
import { isStoreEmpty, seedDemoCounty, StoreNotEmptyError, type SeedProgress } from '../../../scripts/demo/seed-demo-county';
import { DEMO_YOUTH_JUSTICE_DISTRICTS } from '../../../scripts/demo/demo-youth-justice';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine, testEngines } from '../../helpers/test-stores';

const calendar = loadCalendar();
const clock = fixedClock('2026-11-25T09:30:00Z');
const PUPILS = 2_000;

async function count(store: Store, table: 'pupil' | 'school' | 'district' | 'enrolment' | 'exclusion' | 'attendance_week' | 'staff_user' | 'audit_log' | 'local_authority') {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every seeded row, in a stable order, as plain JSON (numbers as numbers on both engines). */
async function snapshot(store: Store): Promise<string> {
  const db = store.db;
  const parts = {
    la: await db.selectFrom('local_authority').selectAll().orderBy('code').execute(),
    districts: await db.selectFrom('district').selectAll().orderBy('id').execute(),
    schools: await db.selectFrom('school').selectAll().orderBy('urn').execute(),
    pupils: await db.selectFrom('pupil').selectAll().orderBy('id').execute(),
    enrolments: await db.selectFrom('enrolment').selectAll().orderBy('id').execute(),
    exclusions: await db.selectFrom('exclusion').selectAll().orderBy('id').execute(),
    attendance: await db.selectFrom('attendance_week').selectAll().orderBy('pupil_id').orderBy('school_urn').orderBy('week_start').execute(),
    users: await db.selectFrom('staff_user').select(['aad_object_id', 'email', 'name', 'role', 'scope']).orderBy('email').execute(),
  };
  return JSON.stringify(parts);
}

describe('seeding the demo county', function () {
  this.timeout(180_000);

  forEachEngine((getStore) => {
    it('writes the county and reports counts that match the tables', async () => {
      const store = getStore();
      assert.equal(await isStoreEmpty(store), true);
      const progress: SeedProgress[] = [];
      const counts = await seedDemoCounty(store, { pupils: PUPILS, seed: 'test', clock, calendar, onProgress: (p) => progress.push(p) });
      assert.equal(await isStoreEmpty(store), false);
      assert.equal(counts.pupils, PUPILS);
      assert.equal(await count(store, 'pupil'), PUPILS);
      assert.equal(await count(store, 'local_authority'), 1);
      assert.equal(await count(store, 'district'), 7);
      assert.equal(await count(store, 'school'), counts.schools);
      assert.equal(await count(store, 'enrolment'), counts.enrolments);
      assert.equal(await count(store, 'exclusion'), counts.suspensions + counts.lunchtimeSuspensions + counts.permanentExclusions);
      assert.equal(await count(store, 'attendance_week'), counts.attendanceWeeks);
      assert.ok(counts.attendanceWeeks > PUPILS * 10, 'about twelve school weeks per pupil');
      assert.equal(counts.from, '2026-09-03');
      assert.equal(counts.to, '2026-11-24');
      if (store.sqlite) {
        // The SQLite path writes with foreign keys off for speed: every reference must still hold, and the setting comes back.
        assert.deepEqual(store.sqlite.prepare('pragma foreign_key_check').all(), []);
        assert.equal(store.sqlite.pragma('foreign_keys', { simple: true }), 1);
      }
      const la = await store.db.selectFrom('local_authority').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual(la, { code: '925', name: 'Lincolnshire (demo)' });
      const districts = (await store.db.selectFrom('district').select('name').orderBy('name').execute()).map((d) => d.name);
      assert.deepEqual(districts, ['Boston', 'East Lindsey', 'Lincoln', 'North Kesteven', 'South Holland', 'South Kesteven', 'West Lindsey']);
      // Progress covers every phase and ends at 100% of attendance.
      const phases = new Set(progress.map((p) => p.phase));
      for (const phase of ['plan', 'county', 'pupils', 'enrolments', 'exclusions', 'attendance', 'users'] as const) assert.ok(phases.has(phase), phase);
      const lastAttendance = progress.filter((p) => p.phase === 'attendance').pop()!;
      assert.equal(lastAttendance.done, lastAttendance.total);
    });

    it('writes the attendance summaries the cluster agenda reads, as a full rebuild would', async () => {
      const store = getStore();
      const counts = await seedDemoCounty(store, { pupils: 800, seed: 'summaries', clock, calendar });
      const read = () =>
        store.db.selectFrom('attendance_summary').selectAll().orderBy('pupil_id').orderBy('school_urn').execute();
      const seeded = await read();
      assert.ok(seeded.length >= counts.pupils);
      // Marked current: nothing to rebuild on first use.
      assert.equal((await ensureAttendanceSummaries(store.db, calendar, '2026-11-25', clock.now().toISOString())).mode, 'none');
      await rebuildAttendanceSummaries(store.db, calendar, '2026-11-25', clock.now().toISOString());
      assert.deepEqual(JSON.parse(JSON.stringify(seeded)), JSON.parse(JSON.stringify(await read())));
    });

    it('creates the Playground demo users with their roles and scopes', async () => {
      const store = getStore();
      await seedDemoCounty(store, { pupils: PUPILS, seed: 'test', clock, calendar });
      const users = await store.db.selectFrom('staff_user').selectAll().where('aad_object_id', 'is not', null).orderBy('aad_object_id').execute();
      assert.deepEqual(
        users.map((u) => [u.aad_object_id, u.role, u.scope, u.name]),
        [
          ['00000000-0000-0000-0000-0000000000020', 'la_manager', 'county', 'Alex Wilber'],
          ['00000000-0000-0000-0000-0000000000021', 'attendance_officer', 'district:Boston', 'Megan Bowen'],
          ['00000000-0000-0000-0000-0000000000022', 'school_leader', `school:${DEMO_SCHOOL_LEADER_URN}`, 'Adele Vance'],
          ['00000000-0000-0000-0000-0000000000023', 'cluster_member', 'district:Lincoln', 'Isaiah Langer'],
          ['00000000-0000-0000-0000-0000000000024', 'admin', 'county', 'Patti Fernandez'],
        ],
      );
      assert.ok(users.every((u) => u.email === u.email.toLowerCase() && u.email.endsWith('@example.com')));
      // The school leader's school is a Boston secondary with pupils on roll.
      const school = await store.db
        .selectFrom('school')
        .innerJoin('district', 'district.id', 'school.district_id')
        .select(['school.phase', 'district.name as district'])
        .where('school.urn', '=', DEMO_SCHOOL_LEADER_URN)
        .executeTakeFirstOrThrow();
      assert.deepEqual(school, { phase: 'secondary', district: 'Boston' });
      const onRoll = await store.db
        .selectFrom('enrolment')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('school_urn', '=', DEMO_SCHOOL_LEADER_URN)
        .where('end_date', 'is', null)
        .executeTakeFirstOrThrow();
      assert.ok(Number(onRoll.n) > 20);
      // Youth justice workers (issue 12), each linked to young people open to youth justice on roll in their district.
      const workers = await store.db.selectFrom('staff_user').selectAll().where('role', '=', 'youth_justice_worker').orderBy('email').execute();
      assert.equal(workers.length, DEMO_YOUTH_JUSTICE_DISTRICTS);
      const links = await store.db
        .selectFrom('pupil_youth_justice_worker as l')
        .innerJoin('pupil', 'pupil.id', 'l.pupil_id')
        .innerJoin('enrolment', 'enrolment.pupil_id', 'l.pupil_id')
        .innerJoin('school', 'school.urn', 'enrolment.school_urn')
        .innerJoin('district', 'district.id', 'school.district_id')
        .innerJoin('staff_user', 'staff_user.id', 'l.staff_user_id')
        .select(['pupil.youth_justice', 'district.name', 'staff_user.scope'])
        .where('enrolment.end_date', 'is', null)
        .execute();
      assert.ok(links.length >= 2, `${links.length} links`);
      assert.ok(links.every((l) => l.youth_justice === 1 && l.scope === `district:${l.name}`));
    });

    it('refuses a store that already has pupils and changes nothing', async () => {
      const store = getStore();
      await seedDemoCounty(store, { pupils: PUPILS, seed: 'test', clock, calendar });
      const before = await snapshot(store);
      await assert.rejects(seedDemoCounty(store, { pupils: 500, seed: 'other', clock, calendar }), (error: unknown) => {
        assert.ok(error instanceof StoreNotEmptyError);
        assert.match(error.message, /already holds case data \(2,000 pupils, \d+ schools\).*--force/);
        return true;
      });
      assert.equal(await snapshot(store), before);
    });

    it('with force, replaces the case data and keeps staff users and the audit log', async () => {
      const store = getStore();
      await seedDemoCounty(store, { pupils: PUPILS, seed: 'test', clock, calendar });
      await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: null, email: 'head@school.example', name: 'A Head', role: 'school_leader', scope: 'school:120001', created_at: '2026-11-01T00:00:00Z' })
        .execute();
      await store.db
        .insertInto('audit_log')
        .values({ at: '2026-11-20T10:00:00Z', staff_user_id: 1, aad_object_id: null, action: 'pupil.read', command: 'test', subject_type: 'pupil', subject_ids: '1', subject_count: 1, conversation_type: 'personal' })
        .execute();
      const oldUpns = new Set((await store.db.selectFrom('pupil').select('upn').execute()).map((p) => p.upn));
      const counts = await seedDemoCounty(store, { pupils: 600, seed: 'replacement', clock, calendar, force: true });
      assert.ok(counts.cleared.includes('pupil') && counts.cleared.includes('attendance_week'));
      assert.ok(!counts.cleared.includes('staff_user') && !counts.cleared.includes('audit_log'));
      assert.equal(await count(store, 'pupil'), 600);
      const upns = (await store.db.selectFrom('pupil').select('upn').execute()).map((p) => p.upn);
      assert.ok(upns.filter((u) => oldUpns.has(u)).length < 600, 'new pupils');
      assert.equal(await count(store, 'staff_user'), DEMO_USERS.length + DEMO_YOUTH_JUSTICE_DISTRICTS + 1);
      assert.equal(await count(store, 'audit_log'), 1);
      const summaries = await store.db.selectFrom('attendance_summary').select('pupil_id').distinct().execute();
      assert.ok(summaries.every((r) => r.pupil_id <= 600), 'summaries belong to the new county only');
      // The new county's ids start at 1, and rows added afterwards still get fresh ids (sequences moved on).
      const minId = await store.db.selectFrom('pupil').select((eb) => eb.fn.min('id').as('id')).executeTakeFirstOrThrow();
      assert.equal(Number(minId.id), 1);
      const inserted = await store.db
        .insertInto('enrolment')
        .values({ pupil_id: 1, school_urn: DEMO_SCHOOL_LEADER_URN, start_date: '2026-11-24', end_date: null, registration: 'C' })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.ok(inserted.id > counts.enrolments, `new id ${inserted.id}`);
    });

    it('leaves nothing behind when seeding fails part-way', async () => {
      const store = getStore();
      const onProgress = (p: SeedProgress) => {
        if (p.phase === 'attendance' && p.done > 0) throw new Error('interrupted');
      };
      await assert.rejects(seedDemoCounty(store, { pupils: PUPILS, seed: 'test', clock, calendar, onProgress }), /interrupted/);
      assert.equal(await isStoreEmpty(store), true);
      assert.equal(await count(store, 'attendance_week'), 0);
      assert.equal(await count(store, 'staff_user'), 0);
    });
  });

  for (const engine of testEngines()) {
    it(`gives identical rows for the same seed in two fresh stores (${engine.name})`, async () => {
      const first = await engine.open();
      const second = await engine.open();
      try {
        await seedDemoCounty(first, { pupils: PUPILS, seed: 'same', clock, calendar });
        await seedDemoCounty(second, { pupils: PUPILS, seed: 'same', clock, calendar });
        const a = await snapshot(first);
        assert.equal(await snapshot(second), a);
        assert.ok(a.length > 100_000);
      } finally {
        await first.close();
        await second.close();
      }
    });
  }

  it('deletes tables that reference case data before the tables they reference', () => {
    const order = deletionOrder([
      ['enrolment', 'pupil'],
      ['enrolment', 'school'],
      ['exclusion', 'pupil'],
      ['alert', 'exclusion'],
      ['alert_delivery', 'alert'],
      ['alert', 'staff_user'],
      ['attendance_week', 'pupil'],
      ['school', 'district'],
      ['district', 'local_authority'],
    ]);
    const at = (t: string) => order.indexOf(t);
    assert.ok(at('alert_delivery') < at('alert') && at('alert') < at('exclusion') && at('exclusion') < at('pupil'));
    assert.ok(at('enrolment') < at('school') && at('school') < at('district') && at('district') < at('local_authority'));
    assert.equal(at('staff_user'), -1);
  });
});
