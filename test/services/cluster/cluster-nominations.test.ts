import assert from 'node:assert/strict';
import { getClusterAgenda, type AgendaView } from '../../../services/cluster/cluster-agenda';
import { getClusterCandidates, type CandidatesView } from '../../../services/cluster/cluster-candidates';
import { nominatePupil } from '../../../services/cluster/cluster-nominations';
import type { ClusterDeps, ClusterResult } from '../../../services/cluster/cluster-service-types';
import { fixedClock } from '../../../services/clock';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_PRIMARY, BOSTON_SECONDARY, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';
import { actorOf } from '../../helpers/fixtures';

function ok<T>(result: ClusterResult<T>): T {
  if (!result.ok) assert.fail(`expected a view, got: ${result.message}`);
  return result.view;
}

/** Adds `n` severely absent pupils at a school (absent every session of the week before today's). */
async function addSevere(db: ClusterDeps['db'], n: number, school: number, extra: { looked_after?: 0 | 1 } = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = await db
      .insertInto('pupil')
      .values({ upn: `X${school}${String(i).padStart(6, '0')}`, legal_forename: 'Extra', legal_surname: `Pupil${school}x${i}`, preferred_forename: null, date_of_birth: '2016-01-01', nc_year: 3, sex: 'F', ethnicity: 'WBRI', sen_provision: 'N', looked_after: extra.looked_after ?? 0, social_worker: 'N', fsm: 0, youth_justice: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('enrolment').values({ pupil_id: p.id, school_urn: school, start_date: '2026-09-01', end_date: null, registration: 'C' }).execute();
    await db.insertInto('attendance_week').values({ pupil_id: p.id, school_urn: school, week_start: '2026-11-16', marks: i % 2 ? 'OOOOOOOOOO' : 'OOOOOOOO/\\' }).execute();
    ids.push(p.id);
  }
  return ids;
}

describe('cluster agenda size, nominations and the candidate pool', () => {
  const calendar = testCalendar();
  const clock = fixedClock(NOW);

  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    let deps: ClusterDeps;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      await seedAttendance(getStore().db, fixture);
      deps = { db: getStore().db, calendar, clock, agendaSize: 5 };
    });

    it('lists a meeting\'s worth of pupils, not the whole pool, and says how big the pool is', async () => {
      await addSevere(getStore().db, 12, BOSTON_PRIMARY);
      const agenda: AgendaView = ok(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      assert.equal(agenda.total, 5);
      assert.equal(agenda.pupils.length, 5);
      assert.equal(agenda.agendaSize, 5);
      assert.deepEqual(agenda.counts, { nominated: 0, carried: 0, need: 5, pool: 15, poolSevere: 13 });
      assert.ok(agenda.pupils.every((p) => p.category === 'severe' && p.reason === 'need'));
      // The default is 30.
      const wide = ok(await getClusterAgenda({ db: deps.db, calendar, clock }, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      assert.equal(wide.total, 15);
      assert.equal(wide.agendaSize, 30);
    });

    it('puts nominated pupils first, even one the criteria would leave off, then the highest-need ones up to the size', async () => {
      await addSevere(getStore().db, 12, BOSTON_PRIMARY);
      const officer = actorOf(fixture.staff.officer!);
      const good = fixture.pupils.good!.id; // 100% attendance: never in the pool
      const nominated = ok(await nominatePupil(deps, officer, { district: 'Boston', pupilId: good, reason: 'Parent asked for help' }));
      assert.equal(nominated.added, true);
      assert.deepEqual(nominated.meeting, { date: '2026-12-09', stored: true });
      const again = ok(await nominatePupil(deps, officer, { district: 'Boston', pupilId: good }));
      assert.equal(again.added, false, 'a second press changes nothing');

      const agenda = ok(await getClusterAgenda(deps, officer, { district: 'Boston', view: 'own' }));
      assert.equal(agenda.total, 5);
      const first = agenda.pupils[0]!;
      assert.deepEqual([first.pupilId, first.reason, first.category, first.nomination], [good, 'nominated', 'nominated', { byName: 'Ola Officer', reason: 'Parent asked for help' }]);
      assert.deepEqual(agenda.counts, { nominated: 1, carried: 0, need: 4, pool: 15, poolSevere: 13 });
      // The shared view does not carry the nominator's free text.
      const shared = ok(await getClusterAgenda(deps, actorOf(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' }));
      assert.deepEqual(shared.pupils[0]!.nomination, { byName: 'Ola Officer', reason: '' });
      const audit = await deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'pupil.nominate').execute();
      assert.deepEqual(audit.map((a) => [a.subject_ids, a.command]), [[String(good), 'cluster nominate']]);
    });

    it('a school leader may nominate only their own school\'s pupils, and a refused nomination writes nothing', async () => {
      const leader = actorOf(fixture.staff.bostonLeader!); // leads BOSTON_SECONDARY
      const other = ok(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' })).pupils.find((p) => p.schoolUrn === BOSTON_PRIMARY)!;
      const refused = await nominatePupil(deps, leader, { district: 'Boston', pupilId: other.pupilId });
      assert.equal(!refused.ok && refused.kind, 'not_found');
      assert.equal((await deps.db.selectFrom('cluster_nomination').selectAll().execute()).length, 0);
      assert.equal((await deps.db.selectFrom('cluster_meeting').selectAll().execute()).length, 0, 'no meeting row half-written');
      const own = ok(await nominatePupil(deps, leader, { district: 'Boston', pupilId: fixture.pupils.good!.id }));
      assert.equal(own.added, true);
      const admin = await nominatePupil(deps, actorOf(fixture.staff.admin!), { district: 'Boston', pupilId: fixture.pupils.good!.id });
      assert.equal(!admin.ok && admin.kind, 'not_in_scope');
    });

    it('leaves off pupils reviewed at an earlier meeting this term', async () => {
      const db = deps.db;
      const meeting = await db.insertInto('cluster_meeting').values({ district_id: fixture.bostonId, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
      await db
        .insertInto('pupil_review')
        .values({ meeting_id: meeting.id, pupil_id: fixture.pupils.severe!.id, school_urn: BOSTON_SECONDARY, barriers: 'x', outcome: 'y', lead_practitioner: '', recorded_by: fixture.staff.officer!.id, recorded_at: NOW })
        .execute();
      const agenda = ok(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      assert.deepEqual(agenda.pupils.map((p) => p.label), ['Ella Frost', 'Ben Carter']);
      assert.equal(agenda.counts.pool, 3, 'still in the pool');
    });

    it('the pool is paged, ranked like the agenda and filterable by school and cohort, marking who is on the agenda', async () => {
      await addSevere(getStore().db, 12, BOSTON_PRIMARY);
      await addSevere(getStore().db, 2, BOSTON_SECONDARY, { looked_after: 1 });
      const officer = actorOf(fixture.staff.officer!);
      const all: CandidatesView = ok(await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own' }));
      assert.equal(all.total, 17);
      assert.equal(all.pupils.length, 15);
      assert.deepEqual(all.pupils.slice(0, 5).map((p) => p.onAgenda), [true, true, true, true, true]);
      assert.ok(all.pupils.slice(5).every((p) => !p.onAgenda));
      const next = ok(await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', from: 15 }));
      assert.equal(next.pupils.length, 2);
      assert.deepEqual(next.pupils.map((p) => p.category), ['persistent_need', 'persistent_need']);

      const secondary = ok(await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', school: 'grammar' }));
      assert.equal(secondary.filters.school?.urn, BOSTON_SECONDARY);
      assert.ok(secondary.pupils.every((p) => p.schoolUrn === BOSTON_SECONDARY));
      assert.equal(secondary.total, 4); // Aisha Bell, Ben Carter and the two added

      const lac = ok(await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', cohort: 'looked after' }));
      assert.equal(lac.filters.cohort?.key, 'looked_after');
      assert.equal(lac.total, 3); // Ella Frost and the two added
      const both = ok(await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', school: String(BOSTON_SECONDARY), cohort: 'lac' }));
      assert.equal(both.total, 2);

      const badSchool = await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', school: 'test school' });
      assert.match(!badSchool.ok ? badSchool.message : '', /matches 2 schools/);
      const badCohort = await getClusterCandidates(deps, officer, { district: 'Boston', view: 'own', cohort: 'left handed' });
      assert.match(!badCohort.ok ? badCohort.message : '', /Cohorts: ehcp/);
    });

    it('the period ends on the last day with marks; a week with no marks yet sends it back to the week before', async () => {
      await deps.db.updateTable('attendance_week').set({ marks: '..........' }).where('week_start', '=', '2026-11-23').execute();
      // (With the fixture's marks it is Wednesday 25 November: see the card tests.)
      assert.equal(ok(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' })).asOf, '2026-11-20');
    });

    it('a school leader\'s pool holds only their school; an administrator gets none', async () => {
      const pool = ok(await getClusterCandidates(deps, actorOf(fixture.staff.bostonLeader!), { district: 'Boston', view: 'own' }));
      assert.deepEqual(pool.pupils.map((p) => p.label), ['Aisha Bell', 'Ben Carter']);
      const admin = await getClusterCandidates(deps, actorOf(fixture.staff.admin!), { district: 'Boston', view: 'own' });
      assert.equal(!admin.ok && admin.kind, 'not_in_scope');
    });
  });
});
