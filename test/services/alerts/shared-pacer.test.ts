import assert from 'node:assert/strict';
import { SharedPacer } from '../../../services/alerts/shared-pacer';
import { TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS } from '../../../services/alerts/send-pacer';
import { forEachEngine } from '../../helpers/test-stores';

/** Two instances' pacers over one store book against the same windows (Teams counts per conversation and tenant, not per process). */
describe('shared send pacer', () => {
  const windows = (key: string) => (key.startsWith('tenant:') ? TEAMS_TENANT_WINDOWS : TEAMS_CONVERSATION_WINDOWS);

  forEachEngine((getStore) => {
    it('gives two instances one conversation budget: 7 in the first second between them, not 7 each', async () => {
      const store = getStore();
      const a = new SharedPacer(store.db, store.engine, windows);
      const b = new SharedPacer(store.db, store.engine, windows);
      const keys = ['conversation:x', 'tenant:t'];
      const slots: number[] = [];
      for (let i = 0; i < 6; i++) {
        slots.push(...(await a.reserve([keys], 0, 10_000)).map((r) => r.at));
        slots.push(...(await b.reserve([keys], 0, 10_000)).map((r) => r.at));
      }
      slots.sort((x, y) => x - y);
      assert.equal(slots.filter((t) => t < 1000).length, 7);
      assert.equal(slots[7], 1000, 'the 8th waits for the 1-second window');
      assert.ok(slots[8]! >= 2000, 'the 9th waits for the 2-second window');
    });

    it('books nothing past the horizon and shares a 429 pause', async () => {
      const store = getStore();
      const a = new SharedPacer(store.db, store.engine, windows);
      const b = new SharedPacer(store.db, store.engine, windows);
      const many = await a.reserve(Array.from({ length: 9 }, () => ['conversation:y', 'tenant:t']), 0, 1500);
      assert.deepEqual(many.map((r) => r.booked), [true, true, true, true, true, true, true, true, false]);
      assert.equal(many[8]!.at, 2000, 'reports when it could go');
      assert.equal((await store.db.selectFrom('send_slot').selectAll().where('bucket', '=', 'conversation:y').execute()).length, 8);
      await a.pause('conversation:z', 5000);
      const [later] = await b.reserve([['conversation:z', 'tenant:t']], 0, 10_000);
      assert.equal(later!.at, 5000, 'the other instance waits out the Retry-After too');
    });
  });
});
