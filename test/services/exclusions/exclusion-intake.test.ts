import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import { authenticateApiSender, createApiSender, receiveExclusion } from '../../../services/exclusions/exclusion-intake';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, insertFixtureCounty } from '../../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');

describe('exclusion intake', () => {
  forEachEngine((getStore) => {
    it('stores only a hash of the key and finds the sender by key', async () => {
      const store = getStore();
      const { id, key } = await createApiSender(store.db, 'form', 'county', clock);
      const row = await store.db.selectFrom('api_sender').selectAll().executeTakeFirstOrThrow();
      assert.notEqual(row.key_hash, key);
      assert.ok(!row.key_hash.includes(key.slice(4, 20)));
      assert.equal((await authenticateApiSender(store.db, key))?.id, id);
      assert.equal(await authenticateApiSender(store.db, `${key}x`), undefined);
    });

    it('answers field errors, never a store error, for NULs and numbers past the integer range, on both stores', async () => {
      const store = getStore();
      await insertFixtureCounty(store);
      await createApiSender(store.db, 'form', 'county', clock);
      const sender = await store.db.selectFrom('api_sender').selectAll().executeTakeFirstOrThrow();
      const body = {
        school_urn: 2 ** 31,
        upn: `${makeUpn(925, 4001, 15, 2)}\u0000`,
        category: 'SU\u0000SP',
        start_date: '2026-11-24\u0000',
        sessions: 2 ** 53,
        reasons: ['PA\u0000'],
        notified_date: '\u0000',
        missed_public_exam: 'N\u0000',
      };
      const { result } = await receiveExclusion(store.db, clock, { sender, idempotencyKey: 'nul-key-0001', body });
      assert.equal(result.status, 400);
      assert.deepEqual(
        (result.body as { errors: { field: string }[] }).errors.map((e) => e.field),
        ['school_urn', 'upn', 'category', 'start_date', 'sessions', 'reasons', 'notified_date', 'missed_public_exam'],
      );
      const nulKey = await receiveExclusion(store.db, clock, { sender, idempotencyKey: 'nul\u0000key-0002', body: { ...body, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn } });
      assert.equal(nulKey.result.status, 400);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
    });

    it('records one exclusion when the same request arrives twice at once', async () => {
      const store = getStore();
      await insertFixtureCounty(store);
      await createApiSender(store.db, 'form', 'county', clock);
      const sender = await store.db.selectFrom('api_sender').selectAll().executeTakeFirstOrThrow();
      const body = {
        school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn,
        upn: makeUpn(925, 4001, 15, 2),
        category: 'PERM',
        start_date: '2026-11-24',
        reasons: 'PA',
      };
      const results = await Promise.all([1, 2, 3].map(() => receiveExclusion(store.db, clock, { sender, idempotencyKey: 'same-key-123', body })));
      const statuses = results.map((r) => r.result.status).sort();
      assert.deepEqual(statuses, [200, 200, 201]);
      const ids = new Set(results.map((r) => (r.result.body as { exclusion_id: number }).exclusion_id));
      assert.equal(ids.size, 1);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 1);
      assert.equal((await store.db.selectFrom('exclusion_intake').selectAll().execute()).length, 1);
    });
  });
});
