import assert from 'node:assert/strict';
import { makeUpn } from '../../../services/domain/upn';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { importFile, importOk, scratch } from './import-kit';

const HEADER = 'school_urn,upn,category,start_date,sessions,reasons,notified_date';
const SCHOOL = FIXTURE_SCHOOLS.bostonSecondary.urn;
/** UPNs of the fixture county's pupils, in insertion order (ehcPlan, senSupport, lookedAfter, noFlags, lincoln). */
const upn = (serial: number) => makeUpn(925, 4001, 15, serial);

describe('exclusions import', () => {
  const files = scratch();
  after(() => files.cleanup());

  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
    });

    it('imports suspensions, lunchtimes and permanent exclusions and queues their pupils for the rules', async () => {
      const store = getStore();
      const file = files.csv([
        HEADER,
        `${SCHOOL},${upn(1)},SUSP,2026-11-16,4,PA;VA,2026-11-16`,
        `${SCHOOL},${upn(2)},FIXD,16/11/2026,3,DB,`,
        `${SCHOOL},${upn(3)},LUNC,2026-11-18,1,db,2026-11-18`,
        `${SCHOOL},${upn(4)},PERM,2026-11-23,,PP;OW;DM,2026-11-23`,
      ]);
      const result = await importOk(store, 'exclusions', file);
      assert.deepEqual(result.counts, { inserted: 4, updated: 0, unchanged: 0, other: { 'pupils queued for alert rules': 4 } });
      const rows = await store.db.selectFrom('exclusion').selectAll().orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.pupil_id, r.category, r.start_date, r.sessions, r.reasons, r.notified_date, r.source]),
        [
          [county.pupils.ehcPlan, 'SUSP', '2026-11-16', 4, 'PA;VA', '2026-11-16', 'import'],
          [county.pupils.senSupport, 'SUSP', '2026-11-16', 3, 'DB', null, 'import'],
          [county.pupils.lookedAfter, 'LUNC', '2026-11-18', 1, 'DB', '2026-11-18', 'import'],
          [county.pupils.noFlags, 'PERM', '2026-11-23', 0, 'PP;OW;DM', '2026-11-23', 'import'],
        ],
      );
      const queued = await store.db.selectFrom('alert_pending_pupil').select('pupil_id').orderBy('pupil_id').execute();
      assert.deepEqual(
        queued.map((q) => q.pupil_id),
        [county.pupils.ehcPlan, county.pupils.senSupport, county.pupils.lookedAfter, county.pupils.noFlags].sort((a, b) => a - b),
      );
    });

    it('changes nothing when the same file is imported again, and updates a corrected row', async () => {
      const store = getStore();
      const first = files.csv([HEADER, `${SCHOOL},${upn(1)},SUSP,2026-11-16,4,PA,2026-11-16`]);
      await importOk(store, 'exclusions', first);
      await store.db.deleteFrom('alert_pending_pupil').execute();
      const again = await importOk(store, 'exclusions', first);
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 1, other: {} });
      assert.equal((await store.db.selectFrom('alert_pending_pupil').selectAll().execute()).length, 0, 'nothing to re-evaluate');
      const corrected = files.csv([HEADER, `${SCHOOL},${upn(1)},SUSP,2026-11-16,6,PA,2026-11-16`]);
      const result = await importOk(store, 'exclusions', corrected);
      assert.deepEqual(result.counts, { inserted: 0, updated: 1, unchanged: 0, other: { 'pupils queued for alert rules': 1 } });
      assert.equal((await store.db.selectFrom('exclusion').select('sessions').executeTakeFirstOrThrow()).sessions, 6);
    });

    it('refuses a file with problems, naming line and column, without echoing UPNs, and writes nothing', async () => {
      const store = getStore();
      const file = files.csv([
        HEADER,
        `${SCHOOL},${upn(1)},SUSP,2026-11-16,4,PA,2026-11-16`,
        `999999,${upn(2)},SUSP,2026-11-16,4,PA,`,
        `${SCHOOL},A925400115999,SUSP,2026-11-16,4,PA,`,
        `${SCHOOL},${upn(3)},HOME,2026-11-31,0,PA;XX,2026-12-01`,
        `${SCHOOL},${upn(4)},SUSP,2026-11-16,4,PA;VA;DM;TH,`,
        `${SCHOOL},${upn(1)},SUSP,2026-11-16,2,PA,`,
      ]);
      const result = await importFile(store, 'exclusions', file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        `${file}:3: school_urn: unknown school 999999`,
        `${file}:4: upn: UPN check letter is wrong`,
        `${file}:5: category: "HOME" is not SUSP, FIXD, PERM or LUNC`,
        `${file}:5: start_date: is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)`,
        `${file}:5: sessions: must be between 1 and 380`,
        `${file}:5: reasons: unknown reason code "XX"`,
        `${file}:5: notified_date: is after today`,
        `${file}:6: reasons: has 4 codes; at most 3`,
        `${file}:7: start_date: the same value is already on line 2`,
      ]);
      for (const line of result.errors) assert.ok(!line.includes(upn(2).slice(1)) && !line.includes('A925400115999'), 'no UPN in messages');
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
    });

    it('refuses a row naming a pupil of another school, by line, and writes nothing', async () => {
      const store = getStore();
      await store.db.updateTable('enrolment').set({ end_date: '2026-10-26' }).where('pupil_id', '=', county.pupils.noFlags).execute();
      const file = files.csv([
        HEADER,
        `${SCHOOL},${upn(1)},SUSP,2026-11-16,4,PA,`,
        `${SCHOOL},${upn(5)},SUSP,2026-11-16,4,PA,`,
        `${SCHOOL},${upn(4)},SUSP,2026-11-16,4,PA,`,
        `${SCHOOL},${upn(4)},SUSP,2026-11-13,4,PA,`,
      ]);
      const result = await importFile(store, 'exclusions', file);
      assert.deepEqual(result.errors, [
        `${file}:3: upn: the pupil is not on roll at school ${SCHOOL} on the start date (nor left it at most 20 days before)`,
        `${file}:4: upn: the pupil is not on roll at school ${SCHOOL} on the start date (nor left it at most 20 days before)`,
      ]);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
    });

    it('refuses a permanent exclusion carrying a sessions count and a reason list with an empty code', async () => {
      const store = getStore();
      const file = files.csv([
        HEADER,
        `${SCHOOL},${upn(1)},PERM,2026-11-23,4,PP,2026-11-23`,
        `${SCHOOL},${upn(2)},SUSP,2026-11-16,4,PA;;VA,`,
        `${SCHOOL},${upn(3)},SUSP,2026-11-16,4,PA;,`,
        `${SCHOOL},${upn(4)},PERM,2026-11-23,,PP,2026-11-23`,
      ]);
      const result = await importFile(store, 'exclusions', file);
      assert.deepEqual(result.errors, [
        `${file}:2: sessions: must be empty for PERM (a permanent exclusion has no length in sessions)`,
        `${file}:3: reasons: has an empty code (between or after the ; separators)`,
        `${file}:4: reasons: has an empty code (between or after the ; separators)`,
      ]);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
    });

    it('refuses an unknown pupil without naming them', async () => {
      const store = getStore();
      const stranger = makeUpn(925, 4001, 15, 99);
      const file = files.csv([HEADER, `${SCHOOL},${stranger},SUSP,2026-11-16,4,PA,`]);
      const result = await importFile(store, 'exclusions', file);
      assert.deepEqual(result.errors, [`${file}:2: upn: unknown pupil (import the pupils file first)`]);
    });
  });
});
