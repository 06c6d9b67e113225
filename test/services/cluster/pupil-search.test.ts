import assert from 'node:assert/strict';
import type { ClusterDeps } from '../../../services/cluster/cluster-service-types';
import { findPupils, nameTokens, PUPIL_SEARCH_LIMIT } from '../../../services/cluster/pupil-search';
import { nominatePupil } from '../../../services/cluster/cluster-nominations';
import { getPupilReview } from '../../../services/cluster/pupil-review';
import { fixedClock } from '../../../services/clock';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_SECONDARY, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';
import { actorOf } from '../../helpers/fixtures';

describe('finding a pupil (pupil <name or UPN>)', () => {
  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    let deps: ClusterDeps;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      deps = { db: getStore().db, calendar: testCalendar(), clock: fixedClock(NOW) };
    });

    const found = async (staff: string, query: string, view: 'own' | 'shared' = 'own') => {
      const result = await findPupils(deps, actorOf(fixture.staff[staff]!, view === 'own' ? 'personal' : 'groupChat'), { query, view });
      if (!result.ok) assert.fail(result.message);
      return result.view;
    };

    it('finds by name words (any order, start of a name) and by UPN, with the school and district to open the review', async () => {
      const byName = await found('manager', 'bell aisha');
      assert.deepEqual(byName.matches.map((m) => [m.pupilId, m.label, m.district]), [[fixture.pupils.severe!.id, 'Aisha Bell', 'Boston']]);
      const byUpn = await found('manager', fixture.pupils.lincolnSevere!.upn.toLowerCase());
      assert.deepEqual(byUpn.matches.map((m) => [m.label, m.schoolName, m.district]), [['Gina Hale', 'Lincoln Test Academy', 'Lincoln']]);
      const prefix = await found('manager', 'Ca');
      assert.deepEqual(prefix.matches.map((m) => m.label), ['Ben Carter', 'Cara Dunn']);
    });

    it('finds only pupils the role and scope allow: officer their district, school leader their school, admin none', async () => {
      assert.equal((await found('officer', 'Gina Hale')).matches.length, 0, 'a Lincoln pupil is outside a Boston officer\'s scope');
      assert.equal((await found('lincolnMember', 'Gina Hale')).matches.length, 1);
      assert.equal((await found('bostonLeader', 'Ella Frost')).matches.length, 0, 'another Boston school\'s pupil');
      assert.equal((await found('bostonLeader', 'Aisha')).matches.length, 1);
      const admin = await findPupils(deps, actorOf(fixture.staff.admin!), { query: 'Aisha', view: 'own' });
      assert.equal(!admin.ok && admin.kind, 'not_in_scope');
      const left = await getStore().db.updateTable('enrolment').set({ end_date: '2026-10-01' }).where('pupil_id', '=', fixture.pupils.severe!.id).execute();
      assert.ok(left.length);
      assert.equal((await found('manager', 'Aisha Bell')).matches.length, 0, 'a pupil no longer on roll is not found');
    });

    it('shows initials in a shared chat, audits the ids found and never records what was typed', async () => {
      const shared = await found('officer', 'Aisha', 'shared');
      assert.deepEqual(shared.matches.map((m) => m.label), ['A.B.']);
      assert.equal(shared.nameMode, 'initials');
      const audit = await getStore().db.selectFrom('audit_log').selectAll().execute();
      assert.deepEqual(audit.map((a) => [a.action, a.command, a.subject_ids]), [['pupil.search.minimised', 'pupil', String(fixture.pupils.severe!.id)]]);
      assert.doesNotMatch(JSON.stringify(audit), /Aisha/);
    });

    it('lists at most a screenful and says there are more; rejects a query too short, naming the field', async () => {
      for (let i = 0; i < PUPIL_SEARCH_LIMIT + 2; i++) {
        const p = await getStore().db
          .insertInto('pupil')
          .values({ upn: `Y${String(i).padStart(12, '0')}`, legal_forename: 'Sam', legal_surname: `Smith${i}`, preferred_forename: null, date_of_birth: '2016-01-01', nc_year: 3, sex: 'F', ethnicity: 'WBRI', sen_provision: 'N', looked_after: 0, social_worker: 'N', fsm: 0, youth_justice: 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        await getStore().db.insertInto('enrolment').values({ pupil_id: p.id, school_urn: fixture.pupils.good!.school, start_date: '2026-09-01', end_date: null, registration: 'C' }).execute();
      }
      const many = await found('manager', 'sam smith');
      assert.equal(many.matches.length, PUPIL_SEARCH_LIMIT);
      assert.equal(many.more, true);
      const short = await findPupils(deps, actorOf(fixture.staff.manager!), { query: 'a', view: 'own' });
      assert.match(!short.ok ? short.message : '', /^Name or UPN: give at least two letters/);
      assert.deepEqual(nameTokens("O'Brien-Smith 50%_x"), ["o'brien-smith", 'x'], 'no LIKE wildcards pass through');
    });

    it('the review found opens with the pupil\'s exclusion alerts (read-only, newest first) and their nomination', async () => {
      const db = getStore().db;
      await seedAttendance(db, fixture);
      const pupil = fixture.pupils.severe!.id;
      for (const [i, status] of (['acknowledged', 'open'] as const).entries()) {
        await db
          .insertInto('exclusion_alert')
          .values({ dedupe_key: `t${i}`, rule: 'permanent_exclusion', scope: 'pupil', pupil_id: pupil, exclusion_id: null, school_urn: BOSTON_SECONDARY, district_id: fixture.bostonId, event_date: '2026-11-0' + (i + 1), due_date: '2026-12-0' + (i + 1), payload: '{}', created_at: `2026-11-1${i}T09:00:00.000Z`, status, version: 1 })
          .execute();
      }
      await nominatePupil(deps, actorOf(fixture.staff.bostonLeader!), { district: 'Boston', pupilId: pupil, reason: 'Not seen since October' });
      const review = await getPupilReview(deps, actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: pupil, view: 'own' });
      if (!review.ok) assert.fail(review.message);
      assert.deepEqual(review.view.alerts.map((a) => [a.title, a.status, a.createdOn]), [
        ['New permanent exclusion', 'open', '2026-11-11'],
        ['New permanent exclusion', 'acknowledged', '2026-11-10'],
      ]);
      assert.deepEqual(review.view.nomination, { byName: 'Bea Leader', reason: 'Not seen since October' });
      const shared = await getPupilReview(deps, actorOf(fixture.staff.officer!, 'groupChat'), { district: 'Boston', pupilId: pupil, view: 'shared' });
      assert.deepEqual(shared.ok && shared.view.nomination, { byName: 'Bea Leader', reason: '' }, 'the reason is free text: own view only');
    });
  });
});
