import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import {
  LadderStatsForbidden,
  ladderStats,
  queryKey,
  recordLadderFeedback,
  recordLadderSearch,
  redactQuery,
} from '../../../services/ladder/ladder-feedback';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';

async function staff(store: Store, name: string): Promise<number> {
  const row = await store.db
    .insertInto('staff_user')
    .values({ aad_object_id: null, email: `${name}@school.example`, name, role: 'school_leader', scope: 'school:100001', created_at: '2026-09-01T00:00:00.000Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('ladder feedback', () => {
  it('counts the same question however it is typed', () => {
    assert.equal(queryKey('  Keeps walking OUT of lessons?? '), 'keeps walking out of lessons');
  });

  it('never stores anything shaped like a UPN', () => {
    const upn = makeUpn(925, 4001, 15, 7);
    assert.equal(redactQuery(`is ${upn} at risk`), 'is [UPN] at risk');
  });

  forEachEngine((getStore) => {
    const clock = fixedClock('2026-11-25T10:00:00Z');
    const since = '2026-09-01T00:00:00.000Z';

    it('stores who asked, the question, the rung and the verdict', async () => {
      const store = getStore();
      const sam = await staff(store, 'sam');
      await recordLadderFeedback(store.db, clock, { staffUserId: sam, query: 'PSP not working', entryId: 'step-3', verdict: 'yes' });
      const rows = await store.db.selectFrom('ladder_feedback').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.deepEqual(
        { ...rows[0], id: undefined },
        { id: undefined, at: '2026-11-25T10:00:00.000Z', staff_user_id: sam, query_text: 'PSP not working', query_key: 'psp not working', entry_id: 'step-3', verdict: 'yes' },
      );
    });

    it('refuses a verdict other than yes or no at the database', async () => {
      const store = getStore();
      await assert.rejects(
        store.db.insertInto('ladder_feedback').values({ at: 'x', staff_user_id: null, query_text: null, query_key: null, entry_id: null, verdict: 'maybe' as 'yes' }).execute(),
      );
    });

    it('gives LA managers the most asked questions and those that found nothing useful', async () => {
      const store = getStore();
      const sam = await staff(store, 'sam');
      const kim = await staff(store, 'kim');
      const search = (who: number, query: string, top: string | null, n: number) =>
        recordLadderSearch(store.db, clock, { staffUserId: who, query, topEntryId: top, matchCount: n });
      await search(sam, 'keeps walking out of lessons', 'step-2', 3);
      await search(kim, 'Keeps walking out of lessons?', 'step-2', 3);
      await search(kim, 'keeps walking out of lessons', 'step-2', 3);
      await search(sam, 'knife in bag', 'weapons', 2);
      await search(sam, 'zzzz', null, 0);
      await search(kim, 'zzzz', null, 0);
      await search(sam, 'older boy pressuring girl for photos', 'drugs', 3);
      await recordLadderFeedback(store.db, clock, { staffUserId: sam, query: 'older boy pressuring girl for photos', entryId: 'drugs', verdict: 'no' });
      await recordLadderFeedback(store.db, clock, { staffUserId: kim, query: 'knife in bag', entryId: 'weapons', verdict: 'yes' });
      // Before the window: not counted.
      await recordLadderSearch(store.db, fixedClock('2026-08-01T00:00:00Z'), { staffUserId: sam, query: 'old question', topEntryId: null, matchCount: 0 });

      const stats = await ladderStats(store.db, 'la_manager', since);
      assert.equal(stats.searches, 7);
      assert.equal(stats.feedbackYes, 1);
      assert.equal(stats.feedbackNo, 1);
      assert.deepEqual(stats.mostAsked[0], { query: 'keeps walking out of lessons', times: 3, topEntryId: 'step-2' });
      assert.deepEqual(stats.mostAsked[1], { query: 'zzzz', times: 2, topEntryId: null });
      assert.deepEqual(
        stats.foundNothingUseful.map((u) => [u.query, u.noMatch, u.saidNo]),
        [
          ['zzzz', 2, 0],
          ['older boy pressuring girl for photos', 0, 1],
        ],
      );
      assert.ok(!stats.foundNothingUseful.some((u) => u.query === 'knife in bag'), 'a yes is not unhelpful');
    });

    it('is for LA managers and admins only', async () => {
      const store = getStore();
      await assert.rejects(ladderStats(store.db, 'school_leader', since), LadderStatsForbidden);
      await assert.rejects(ladderStats(store.db, 'attendance_officer', since), LadderStatsForbidden);
      const empty = await ladderStats(store.db, 'admin', since);
      assert.deepEqual(empty.mostAsked, []);
      assert.equal(empty.searches, 0);
    });
  });
});
