import assert from 'node:assert/strict';
import { AGENDA_PAGE_SIZE, getClusterAgenda, type AgendaView } from '../../../services/cluster/cluster-agenda';
import { fixedClock } from '../../../services/clock';
import type { ClusterDeps, ClusterResult } from '../../../services/cluster/cluster-service-types';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_PRIMARY, BOSTON_SECONDARY, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';
import { actorOf } from '../../helpers/fixtures';

function view(result: ClusterResult<AgendaView>): AgendaView {
  if (!result.ok) assert.fail(`expected an agenda, got: ${result.message}`);
  return result.view;
}

describe('cluster agenda', () => {
  const calendar = testCalendar();
  const clock = fixedClock(NOW);

  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    let deps: ClusterDeps;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      await seedAttendance(getStore().db, fixture);
      deps = { db: getStore().db, calendar, clock };
    });

    it('lists severe absence first, then persistent absence with a multi-agency need, lowest attendance first', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'boston', view: 'own' }));
      assert.equal(agenda.district, 'Boston');
      assert.deepEqual(
        agenda.pupils.map((p) => [p.label, p.category]),
        [
          ['Aisha Bell', 'severe'],
          ['Ella Frost', 'persistent_need'], // 78.2%, looked after and worsening
          ['Ben Carter', 'persistent_need'], // 80.0%, social worker (CP)
        ],
      );
      const ella = agenda.pupils[1]!;
      assert.deepEqual(ella.needs, ['Looked after', 'Worsening']);
      assert.equal(ella.trendPoints, -42.9);
      assert.ok(ella.notes.includes('24 holiday sessions (G)'));
      assert.deepEqual(agenda.counts, { nominated: 0, carried: 0, need: 3, pool: 3, poolSevere: 1 });
      assert.equal(agenda.total, 3);
    });

    it('gives cluster and authority figures and the cohorts', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      const c = agenda.figures.cluster;
      // Six Boston pupils, 110 possible sessions each; 174 missed (106 + 22 + 22 + 24), 152 unauthorised.
      assert.deepEqual([c.pupils, c.sessions.possible, c.persistent, c.severe], [6, 660, 4, 1]);
      assert.equal(c.absenceRate, 174 / 660);
      assert.equal(c.unauthorisedRate, 152 / 660);
      const a = agenda.figures.authority;
      assert.deepEqual([a.pupils, a.sessions.possible, a.persistent, a.severe], [7, 770, 5, 2]);
      assert.equal(agenda.figures.england.persistentRate, 0.2);
      const ehcp = agenda.cohorts.find((x) => x.key === 'ehcp')!;
      assert.deepEqual([ehcp.measures.pupils, ehcp.measures.severe], [1, 1]);
      assert.equal(ehcp.england?.absenceRate, 0.124);
      const lac = agenda.cohorts.find((x) => x.key === 'looked_after')!;
      assert.deepEqual([lac.measures.pupils, lac.measures.persistent], [1, 1]);
      assert.equal(agenda.cohorts.find((x) => x.key === 'fsm')!.measures.persistentRate, 0);
    });

    it('names the meeting (proposed ten school days ahead), the schools and who is invited', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      assert.deepEqual(agenda.meeting, { date: '2026-12-09', stored: false });
      assert.deepEqual(agenda.schools.map((s) => s.urn).sort(), [BOSTON_SECONDARY, BOSTON_PRIMARY].sort());
      assert.deepEqual(agenda.invitees.map((i) => i.name).sort(), ['Bea Leader', 'Hana Health', 'Ola Officer']);
    });

    it('shows initials only on the shared view, reading no names at all', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' }));
      assert.deepEqual(agenda.pupils.map((p) => p.label), ['A.B.', 'E.F.', 'B.C.']);
      const text = JSON.stringify(agenda);
      for (const name of ['Aisha', 'Bell', 'Ella', 'Frost', 'Carter']) assert.ok(!text.includes(name), `${name} leaked`);
      assert.equal(agenda.nameMode, 'initials');
    });

    it('audits every list of pupils with their ids, minimised or not', async () => {
      await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' });
      await getClusterAgenda(deps, actorOf(fixture.staff.officer!, 'channel'), { district: 'Boston', view: 'shared' });
      const audit = await getStore().db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      assert.deepEqual(
        audit.map((a) => [a.action, a.command, a.subject_count, a.conversation_type]),
        [
          ['pupil.list', 'cluster agenda', 3, 'personal'],
          ['pupil.list.minimised', 'cluster agenda', 3, 'channel'],
        ],
      );
      const ids = [fixture.pupils.severe!.id, fixture.pupils.worsening!.id, fixture.pupils.paSocial!.id].sort((x, y) => x - y);
      assert.equal(audit[0]!.subject_ids, ids.join(','));
    });

    it('a cluster member of another district gets nothing about this district, and nothing is audited', async () => {
      const result = await getClusterAgenda(deps, actorOf(fixture.staff.lincolnMember!), { district: 'Boston', view: 'own' });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.kind, 'not_in_scope');
      assert.doesNotMatch(JSON.stringify(result), /Aisha|Bell|A\.B\./);
      assert.equal((await getStore().db.selectFrom('audit_log').selectAll().execute()).length, 0);
    });

    it('a school leader of a school in another district sees nothing of this cluster', async () => {
      const result = await getClusterAgenda(deps, actorOf(fixture.staff.lincolnLeader!), { district: 'Boston', view: 'own' });
      assert.equal(!result.ok && result.kind, 'not_in_scope');
    });

    it('a school leader in the district sees the cluster figures but only their own school\'s pupils', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.bostonLeader!), { district: 'Boston', view: 'own' }));
      assert.equal(agenda.access, 'schools');
      assert.deepEqual(agenda.pupils.map((p) => p.label), ['Aisha Bell', 'Ben Carter']);
      assert.equal(agenda.figures.cluster.pupils, 6);
    });

    it('an administrator sees figures and no pupils', async () => {
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.admin!), { district: 'Boston', view: 'own' }));
      assert.equal(agenda.pupilsShown, false);
      assert.deepEqual(agenda.pupils, []);
      assert.equal(agenda.figures.cluster.pupils, 6);
    });

    it('lists pupils with a carried-over action due by the meeting first, before the highest-need pupils', async () => {
      const db = getStore().db;
      const meeting = await db.insertInto('cluster_meeting').values({ district_id: fixture.bostonId, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
      await db
        .insertInto('cluster_action')
        .values({
          pupil_id: fixture.pupils.withAction!.id,
          school_urn: BOSTON_PRIMARY,
          meeting_id: meeting.id,
          description: 'Home visit',
          owner_id: fixture.staff.officer!.id,
          due_date: '2026-11-20',
          status: 'open',
          created_by: fixture.staff.officer!.id,
          created_at: NOW,
          closed_at: null,
          closed_by: null,
          overdue_notified_at: null,
        })
        .execute();
      const agenda = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      const first = agenda.pupils[0]!;
      assert.deepEqual([first.label, first.category, first.reason, first.openActions, first.nextDue, first.overdue], ['Finn Gray', 'action_due', 'carried', 1, '2026-11-20', true]);
      assert.deepEqual(agenda.pupils.slice(1).map((p) => p.label), ['Aisha Bell', 'Ella Frost', 'Ben Carter']);
      assert.equal(agenda.counts.carried, 1);
    });

    it('pages a large cluster', async () => {
      const db = getStore().db;
      // 25 more severely absent pupils at the Boston primary.
      for (let i = 0; i < 25; i++) {
        const p = await db
          .insertInto('pupil')
          .values({ upn: `X${String(i).padStart(12, '0')}`, legal_forename: 'Extra', legal_surname: `Pupil${i}`, preferred_forename: null, date_of_birth: '2016-01-01', nc_year: 3, sex: 'F', ethnicity: 'WBRI', sen_provision: 'N', looked_after: 0, social_worker: 'N', fsm: 0, youth_justice: 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db.insertInto('enrolment').values({ pupil_id: p.id, school_urn: BOSTON_PRIMARY, start_date: '2026-09-01', end_date: null, registration: 'C' }).execute();
        await db.insertInto('attendance_week').values({ pupil_id: p.id, school_urn: BOSTON_PRIMARY, week_start: '2026-11-16', marks: 'OOOOOOOOOO' }).execute();
      }
      const first = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' }));
      assert.equal(first.total, 28);
      assert.equal(first.pupils.length, AGENDA_PAGE_SIZE);
      const second = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own', from: AGENDA_PAGE_SIZE }));
      assert.equal(second.from, AGENDA_PAGE_SIZE);
      assert.equal(second.pupils.length, 28 - AGENDA_PAGE_SIZE);
      const all = [...first.pupils, ...second.pupils].map((p) => p.pupilId);
      assert.equal(new Set(all).size, 28, 'pages do not overlap');
      // Past the end (the list shrank since the card was drawn): back to the start.
      const past = view(await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own', from: 100 }));
      assert.equal(past.from, 0);
      // The two persistent-absence pupils come after every severe one.
      assert.deepEqual(second.pupils.slice(-2).map((p) => p.category), ['persistent_need', 'persistent_need']);
    });

    it('says which districts exist when the name is unknown', async () => {
      const result = await getClusterAgenda(deps, actorOf(fixture.staff.officer!), { district: 'Atlantis', view: 'own' });
      assert.equal(!result.ok && result.kind, 'unknown_district');
      assert.match(!result.ok ? result.message : '', /Districts: Boston, Lincoln/);
    });
  });
});
