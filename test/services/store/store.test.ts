import assert from 'node:assert/strict';
import { parseDatabaseUrl } from '../../../services/store/engine';
import { migrate } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { insertFixtureCounty } from '../../helpers/fixtures';

describe('store', () => {
  describe('DATABASE_URL', () => {
    it('defaults to the embedded SQLite file under data/', () => {
      assert.deepEqual(parseDatabaseUrl(undefined), { engine: 'sqlite', target: 'data/inclusion.sqlite' });
    });
    it('reads sqlite:<path> and postgres:// URLs', () => {
      assert.deepEqual(parseDatabaseUrl('sqlite:/tmp/x.sqlite'), { engine: 'sqlite', target: '/tmp/x.sqlite' });
      assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { engine: 'sqlite', target: ':memory:' });
      assert.equal(parseDatabaseUrl('postgresql://u@h/db').engine, 'postgres');
    });
    it('refuses anything else', () => {
      assert.throws(() => parseDatabaseUrl('mysql://h/db'), /sqlite: or postgres:/);
    });
  });

  forEachEngine((getStore) => {
    it('applies migrations once: running them again changes nothing', async () => {
      const store = getStore();
      await insertFixtureCounty(store);
      await migrate(store);
      const pupils = await store.db.selectFrom('pupil').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(pupils.n), 5);
    });

    it('keeps UPNs unique', async () => {
      const store = getStore();
      await insertFixtureCounty(store);
      const one = await store.db.selectFrom('pupil').selectAll().executeTakeFirstOrThrow();
      const { id: _id, ...copy } = one;
      await assert.rejects(store.db.insertInto('pupil').values(copy).execute());
    });

    it('enforces references (no enrolment at an unknown school)', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      await assert.rejects(
        store.db
          .insertInto('enrolment')
          .values({ pupil_id: county.pupils.noFlags, school_urn: 999999, start_date: '2026-09-01', end_date: null, registration: 'C' })
          .execute(),
      );
    });

    it('answers ping while open and fails after close', async () => {
      const store = getStore();
      await store.ping();
      await store.close();
      await assert.rejects(store.ping());
    });
  });
});
