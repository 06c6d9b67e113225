import assert from 'node:assert/strict';
import { forEachEngine } from '../../helpers/test-stores';
import { fixture, importFile, importOk, scratch, snapshot } from './import-kit';

describe('schools import', () => {
  const files = scratch();
  after(() => files.cleanup());

  forEachEngine((getStore) => {
    it('imports every school, mapping spellings, creating the districts and, in an empty store, the LA', async () => {
      const store = getStore();
      const result = await importOk(store, 'schools', fixture('schools.csv'), { laCode: '925', laName: 'Lincolnshire (test)' });
      assert.equal(result.rows, 5);
      assert.deepEqual(result.counts, {
        inserted: 5,
        updated: 0,
        unchanged: 0,
        other: { 'local authority created': 1, 'districts created': 3 },
      });
      const snap = await snapshot(store);
      assert.deepEqual(snap.local_authority, [{ code: '925', name: 'Lincolnshire (test)' }]);
      assert.deepEqual(snap.district.map((d) => [d.name, d.la_code]), [
        ['Boston', '925'],
        ['Lincoln', '925'],
        ['East Lindsey', '925'],
      ]);
      const districtOf = new Map(snap.district.map((d) => [d.id, d.name]));
      assert.deepEqual(
        snap.school.map((s) => [s.urn, s.name, s.phase, s.type, districtOf.get(s.district_id)]),
        [
          [990001, 'Fenside Primary School', 'primary', 'community', 'Boston'],
          [990002, 'Witham Bank Academy', 'secondary', 'academy', 'Boston'],
          [990003, 'Cathedral Hill Primary', 'primary', 'voluntary_aided', 'Lincoln'],
          [990004, 'Brayford Learning Centre, The', 'secondary', 'alternative_provision', 'Lincoln'],
          [990005, 'Marsh Lane Special School', 'all_through', 'special', 'East Lindsey'],
        ],
      );
    });

    it('uses the LA and districts already in the store, matching district names whatever their case', async () => {
      const store = getStore();
      await store.db.insertInto('local_authority').values({ code: '926', name: 'Elsewhere' }).execute();
      await store.db.insertInto('district').values({ name: 'Boston', la_code: '926' }).execute();
      const file = files.csv(['URN,Name,Phase,Type,District', '990001,Fenside Primary School,primary,community,BOSTON', '990002,Sea Lane School,primary,community,Skegness']);
      const result = await importOk(store, 'schools', file);
      assert.deepEqual(result.counts.other, { 'districts created': 1 });
      const snap = await snapshot(store);
      assert.deepEqual(snap.local_authority.map((la) => la.code), ['926']);
      assert.deepEqual(snap.district.map((d) => [d.name, d.la_code]), [
        ['Boston', '926'],
        ['Skegness', '926'],
      ]);
    });

    it('changes nothing when the same file is imported again, and updates only what changed', async () => {
      const store = getStore();
      await importOk(store, 'schools', fixture('schools.csv'));
      const before = await snapshot(store);
      const again = await importOk(store, 'schools', fixture('schools.csv'));
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 5, other: {} });
      assert.deepEqual(await snapshot(store), before);

      const renamed = files.csv(['urn,name,phase,type,district', '990001,Fenside Primary Academy,primary,academy,Boston', '990002,Witham Bank Academy,secondary,academy,Lincoln']);
      const result = await importOk(store, 'schools', renamed);
      assert.deepEqual(result.counts, { inserted: 0, updated: 2, unchanged: 0, other: {} });
      const snap = await snapshot(store);
      const lincoln = snap.district.find((d) => d.name === 'Lincoln')!.id;
      assert.deepEqual(snap.school.find((s) => s.urn === 990001)!.name, 'Fenside Primary Academy');
      assert.equal(snap.school.find((s) => s.urn === 990001)!.type, 'academy');
      assert.equal(snap.school.find((s) => s.urn === 990002)!.district_id, lincoln);
    });

    it('reports every bad row by line and column and changes nothing', async () => {
      const store = getStore();
      await importOk(store, 'schools', fixture('schools.csv'));
      const before = await snapshot(store);
      const file = fixture('schools-errors.csv');
      const result = await importFile(store, 'schools', file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        `${file}:3: urn: "99001" is not a URN (six digits)`,
        `${file}:4: name: is empty`,
        `${file}:5: phase: "junior" is not nursery, primary, middle, secondary, all_through or sixteen_plus`,
        `${file}:6: type: "grammar" is not community, voluntary_aided, voluntary_controlled, foundation, academy, free_school, special or alternative_provision`,
        `${file}:7: urn: the same value is already on line 2`,
        `${file}:8: row: has 3 fields; the header has 5`,
      ]);
      assert.deepEqual(result.counts, { inserted: 0, updated: 0, unchanged: 0, other: {} });
      assert.deepEqual(await snapshot(store), before);
    });

    it('refuses a file without a required column, naming it', async () => {
      const store = getStore();
      const file = files.csv(['urn,name,phase,district', '990001,Fenside,primary,Boston']);
      const result = await importFile(store, 'schools', file);
      assert.deepEqual(result.errors, [`${file}:1: header: missing column "type"`]);
      assert.deepEqual((await snapshot(store)).school, []);
    });
  });
});
