import assert from 'node:assert/strict';
import { makeUpn } from '../../../services/domain/upn';
import { forEachEngine } from '../../helpers/test-stores';
import { insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { importFile, importOk, scratch } from './import-kit';

const PLACES = 'provider,hub,district,phase,commissioned places,transient places,contact';
const PLACEMENTS = 'upn,provider,hub,start_date,end_date,place_kind';
/** The fixture county's pupils (ehcPlan, senSupport, lookedAfter, noFlags, lincoln): all Year 9. */
const upn = (serial: number) => makeUpn(925, 4001, 15, serial);

describe('ap-places and ap-placements import', () => {
  const files = scratch();
  after(() => files.cleanup());

  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
    });

    const hubsFile = () =>
      files.csv([
        PLACES,
        'Fenland Learning Trust,Boston Hub,Boston,secondary,16,3,01205 000000',
        'Fenland Learning Trust,Boston Juniors,boston,Primary,8,2,',
        'Minster AP,Lincoln Hub,Lincoln,all through,16,2,ap@example.org',
      ]);

    it('imports hubs, changes nothing on a second run and updates a corrected row', async () => {
      const store = getStore();
      const file = hubsFile();
      const first = await importOk(store, 'ap-places', file);
      assert.deepEqual(first.counts, { inserted: 3, updated: 0, unchanged: 0, other: {} });
      const rows = await store.db.selectFrom('ap_hub').selectAll().orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.provider, r.hub, r.district_id, r.phase, r.commissioned_places, r.transient_places, r.contact]),
        [
          ['Fenland Learning Trust', 'Boston Hub', county.districtIds.Boston, 'secondary', 16, 3, '01205 000000'],
          ['Fenland Learning Trust', 'Boston Juniors', county.districtIds.Boston, 'primary', 8, 2, null],
          ['Minster AP', 'Lincoln Hub', county.districtIds.Lincoln, 'all_through', 16, 2, 'ap@example.org'],
        ],
      );
      const again = await importOk(store, 'ap-places', file);
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 3, other: {} });
      const corrected = await importOk(store, 'ap-places', files.csv([PLACES, 'fenland learning trust,boston hub,Boston,secondary,16,2,01205 000000']));
      assert.deepEqual(corrected.counts, { inserted: 0, updated: 1, unchanged: 0, other: {} });
      assert.equal((await store.db.selectFrom('ap_hub').selectAll().execute()).length, 3, 'matched regardless of case');
    });

    it('names the line and column of every problem and writes nothing', async () => {
      const store = getStore();
      const file = files.csv([
        PLACES,
        'Fenland Learning Trust,Boston Hub,Boston,secondary,16,3,',
        'Fenland Learning Trust,Boston Hub,Boston,secondary,16,3,',
        ',Skegness Hub,Atlantis,college,-1,two,',
        'Other,=cmd(),Boston,primary,0,0,',
      ]);
      const result = await importFile(store, 'ap-places', file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        `${file}:3: hub: the same value is already on line 2`,
        `${file}:4: provider: is empty`,
        `${file}:4: district: "Atlantis" is not a district in the store (import the schools file first)`,
        `${file}:4: phase: "college" is not primary, secondary or all_through`,
        `${file}:4: commissioned_places: "-1" is not a whole number of places from 0 to 500`,
        `${file}:4: transient_places: "two" is not a whole number of places from 0 to 500`,
        `${file}:5: hub: starts with =, +, - or @ (a spreadsheet would read it as a formula)`,
      ]);
      assert.equal((await store.db.selectFrom('ap_hub').selectAll().execute()).length, 0);
    });

    it('imports placements that fit, links a permanent exclusion and meets its day-6 duty; idempotent', async () => {
      const store = getStore();
      await importOk(store, 'ap-places', hubsFile());
      const pex = await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: 100001, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: '2026-11-23T10:00:00Z' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const file = files.csv([
        PLACEMENTS,
        `${upn(1)},Fenland Learning Trust,Boston Hub,2026-09-07,,commissioned`,
        `${upn(2)},Fenland Learning Trust,Boston Hub,2026-10-05,2026-11-27,transient`,
        `${upn(4)},fenland learning trust,boston hub,30/11/2026,,Transient`,
      ]);
      const result = await importOk(store, 'ap-placements', file);
      assert.deepEqual(result.counts, { inserted: 3, updated: 0, unchanged: 0, other: { 'permanent exclusions placed': 1 } });
      const placed = await store.db.selectFrom('exclusion_placement').selectAll().execute();
      assert.deepEqual(placed.map((p) => [p.exclusion_id, p.placed_on]), [[pex.id, '2026-11-30']]);
      const linked = await store.db.selectFrom('ap_placement').select(['pupil_id', 'exclusion_id', 'place_kind', 'end_date']).orderBy('id').execute();
      assert.deepEqual(linked[2], { pupil_id: county.pupils.noFlags, exclusion_id: pex.id, place_kind: 'transient', end_date: null });
      assert.ok((await store.db.selectFrom('alert_pending_pupil').select('pupil_id').execute()).some((p) => p.pupil_id === county.pupils.noFlags), 'the rules run again for the pupil');

      const again = await importOk(store, 'ap-placements', file);
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 3, other: {} }, 'the stored rows do not count against themselves');
    });

    it('refuses placements that do not fit, without echoing a UPN, and writes nothing', async () => {
      const store = getStore();
      await importOk(store, 'ap-places', files.csv([PLACES, 'Fenland Learning Trust,Boston Hub,Boston,secondary,1,1,', 'Fenland Learning Trust,Boston Juniors,Boston,primary,8,2,']));
      const file = files.csv([
        PLACEMENTS,
        `${upn(1)},Fenland Learning Trust,Boston Hub,2026-11-02,,commissioned`,
        `${upn(2)},Fenland Learning Trust,Boston Hub,2026-11-30,,commissioned`,
        `${upn(3)},Fenland Learning Trust,Boston Juniors,2026-11-30,,transient`,
        `${upn(4)},Fenland Learning Trust,Nowhere Hub,2026-11-30,,transient`,
        `K925200219109,Fenland Learning Trust,Boston Hub,2026-11-30,2026-11-01,weekly`,
        `${upn(5)},Fenland Learning Trust,Boston Hub,2026-11-30,2026-12-31,transient`,
      ]);
      const result = await importFile(store, 'ap-placements', file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        `${file}:3: place_kind: no commissioned place is free at Boston Hub for the whole placement (all 1 taken on at least one of its days)`,
        `${file}:4: hub: Boston Juniors takes primary pupils; this pupil is secondary`,
        `${file}:5: hub: no hub "Nowhere Hub" of provider "Fenland Learning Trust" (import the ap-places file first)`,
        `${file}:6: upn: is not a valid UPN (13 characters with a correct check letter)`,
        `${file}:6: end_date: is before the start date`,
        `${file}:6: place_kind: "weekly" is not commissioned or transient`,
      ]);
      for (const line of result.errors) for (let s = 1; s <= 5; s++) assert.ok(!line.includes(upn(s)), 'no UPN in a message');
      assert.equal((await store.db.selectFrom('ap_placement').selectAll().execute()).length, 0);
    });
  });
});
