import assert from 'node:assert/strict';
import { ensureAttendanceSummaries, rebuildAttendanceSummaries, summaryWindow } from '../../../services/attendance/attendance-summary';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_SECONDARY, NOW, TODAY, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from '../cluster/cluster-fixture';

describe('attendance summaries', () => {
  const calendar = testCalendar();

  it('summaryWindow: year to date to the Friday of this week, trend over the last 12 school weeks', () => {
    const w = summaryWindow(calendar, TODAY);
    assert.equal(w.academicYear, '2026/27');
    assert.deepEqual(w.period, { from: '2026-09-01', to: '2026-11-27' });
    assert.deepEqual(w.recentWeeks, ['2026-10-12', '2026-10-19', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    assert.deepEqual(w.previousWeeks, ['2026-08-31', '2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05']);
  });

  it('summaryWindow: early in the year the previous window reaches back into the summer term', () => {
    const w = summaryWindow(calendar, '2026-09-16');
    assert.equal(w.recentWeeks[w.recentWeeks.length - 1], '2026-09-14');
    assert.ok(w.previousWeeks.every((week) => week < '2026-08-01'), 'previous window in the summer term');
    assert.ok(w.readFrom < '2026-07-01');
  });

  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db, { staff: false });
      await seedAttendance(getStore().db, fixture);
    });

    async function summaryOf(key: string) {
      return getStore().db.selectFrom('attendance_summary').selectAll().where('pupil_id', '=', fixture.pupils[key]!.id).executeTakeFirstOrThrow();
    }

    it('computes each pupil\'s year-to-date measures, band and trend', async () => {
      const result = await rebuildAttendanceSummaries(getStore().db, calendar, TODAY, NOW);
      assert.deepEqual([result.mode, result.rows], ['full', 7]);
      const severe = await summaryOf('severe');
      assert.deepEqual([severe.possible, severe.present, severe.unauthorised, severe.band], [110, 4, 106, 'severe']);
      assert.equal(severe.unexplained, 106);
      assert.equal(severe.not_attending, 1);
      const social = await summaryOf('paSocial');
      assert.deepEqual([social.possible, social.unauthorised, social.band, social.trend], [110, 22, 'persistent', 'steady']);
      const plain = await summaryOf('paPlain');
      assert.deepEqual([plain.authorised, plain.illness, plain.band], [22, 22, 'persistent']);
      const worse = await summaryOf('worsening');
      // Recent window: 56 possible, 32 attended (57.1%); previous: 54 of 54 (100%).
      assert.deepEqual([worse.recent_possible, worse.recent_attended, worse.previous_possible, worse.previous_attended], [56, 32, 54, 54]);
      assert.equal(worse.trend_points, -42.9);
      assert.equal(worse.trend, 'worsening');
      assert.equal(worse.holiday, 24);
      const good = await summaryOf('good');
      assert.deepEqual([good.possible, good.band, good.trend], [110, 'none', 'steady']);
    });

    it('ensureAttendanceSummaries builds once, then only re-summarises stale pupils', async () => {
      const db = getStore().db;
      assert.equal((await ensureAttendanceSummaries(db, calendar, TODAY, NOW)).mode, 'full');
      const unchanged = await ensureAttendanceSummaries(db, calendar, TODAY, NOW);
      assert.equal(unchanged.mode, 'none');
      const before = unchanged.stamp;
      // An import changed the good pupil's Monday to unauthorised absence and marked it stale.
      await db
        .updateTable('attendance_week')
        .set({ marks: 'OO/\\/\\....' })
        .where('pupil_id', '=', fixture.pupils.good!.id)
        .where('week_start', '=', '2026-11-23')
        .execute();
      await db.insertInto('attendance_summary_stale').values({ pupil_id: fixture.pupils.good!.id, school_urn: BOSTON_SECONDARY }).execute();
      const stale = await ensureAttendanceSummaries(db, calendar, TODAY, NOW);
      assert.deepEqual([stale.mode, stale.rows], ['stale', 1]);
      // The stamp moves on even with a pinned clock, so cached figures are recomputed.
      assert.ok(stale.stamp > before, `${stale.stamp} after ${before}`);
      assert.equal((await summaryOf('good')).unauthorised, 2);
      assert.equal((await db.selectFrom('attendance_summary_stale').selectAll().execute()).length, 0);
    });

    it('concurrent requests share one rebuild', async () => {
      const db = getStore().db;
      const results = await Promise.all([1, 2, 3].map(() => ensureAttendanceSummaries(db, calendar, TODAY, NOW)));
      assert.deepEqual(results.map((r) => r.mode).sort(), ['full', 'none', 'none']);
      assert.equal((await db.selectFrom('attendance_summary').selectAll().execute()).length, 7);
    });

    it('rebuilds everything when the week moves on', async () => {
      const db = getStore().db;
      await ensureAttendanceSummaries(db, calendar, TODAY, NOW);
      const next = await ensureAttendanceSummaries(db, calendar, '2026-12-01', NOW);
      assert.equal(next.mode, 'full');
      assert.equal((await summaryOf('good')).as_of, '2026-12-04');
    });
  });
});
