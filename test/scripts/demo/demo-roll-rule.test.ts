import assert from 'node:assert/strict';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { seedDemoCounty } from '../../../scripts/demo/seed-demo-county';
import { enrolmentsByPupil, onRollForExclusion } from '../../../services/exclusions/exclusion-roll';
import { openStore } from '../../../services/store/open-store';

describe('the demo county and the roll rule', function () {
  this.timeout(120_000);

  it('records every exclusion at a school the pupil is on roll at (an AP excludes only once the placement has started)', async () => {
    const store = await openStore({ engine: 'sqlite', target: ':memory:' });
    try {
      await seedDemoCounty(store, { pupils: 5_000, seed: 'test', clock: fixedClock('2026-11-25T10:00:00Z'), calendar: loadCalendar() });
      const enrolments = await enrolmentsByPupil(store.db);
      const exclusions = await store.db.selectFrom('exclusion').select(['id', 'pupil_id', 'school_urn', 'start_date']).execute();
      assert.ok(exclusions.length > 100);
      const breaking = exclusions.filter((e) => !onRollForExclusion(enrolments.get(e.pupil_id) ?? [], e.school_urn, e.start_date));
      assert.deepEqual(breaking.map((e) => e.id), []);
    } finally {
      await store.close();
    }
  });
});
