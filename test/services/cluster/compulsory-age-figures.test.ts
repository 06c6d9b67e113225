import assert from 'node:assert/strict';
import { rebuildAttendanceSummaries } from '../../../services/attendance/attendance-summary';
import { computeFigures } from '../../../services/cluster/cluster-figures';
import { forEachEngine } from '../../helpers/test-stores';
import { NOW, seedAttendance, seedCounty, testCalendar, TODAY } from './cluster-fixture';

/**
 * Issue 9 item 10: rates compared with England cover Year 1 to Year 11 (DfE publishes persistent and
 * severe absence for pupils aged 5 to 15); Reception and sixth form are counted apart.
 */
describe('cluster figures: compulsory school age only in the compared rates', () => {
  forEachEngine((getStore) => {
    it('moves a severely absent sixth former and a Reception pupil out of the compared figures into their own line', async () => {
      const db = getStore().db;
      const fixture = await seedCounty(db, { staff: false });
      await seedAttendance(db, fixture);
      await db.updateTable('pupil').set({ nc_year: 12 }).where('id', '=', fixture.pupils.severe!.id).execute();
      await db.updateTable('pupil').set({ nc_year: 0 }).where('id', '=', fixture.pupils.withAction!.id).execute();
      await rebuildAttendanceSummaries(db, testCalendar(), TODAY, NOW);
      const figures = await computeFigures(db, '2026/27');
      const boston = figures.byDistrict.get(fixture.bostonId)!;
      // Boston: six pupils; the Y12 severe one and the Reception one are outside Years 1-11.
      assert.equal(boston.all.pupils, 4);
      assert.equal(boston.all.severe, 0, 'the only severely absent Boston pupil is in the sixth form');
      assert.equal(boston.outsideCompulsory.pupils, 2);
      assert.equal(boston.outsideCompulsory.severe, 1);
      assert.equal(figures.authorityOutsideCompulsory.pupils, 2);
      assert.equal(figures.authority.pupils, 5, 'four in Boston and Lincoln’s Year 9');
    });
  });
});
