import assert from 'node:assert/strict';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { newOutboxRow } from '../../../services/alerts/outbox';
import { forEachEngine } from '../../helpers/test-stores';
import { insertFixtureCounty } from '../../helpers/fixtures';

describe('migration 0004: alerts and outbox', () => {
  forEachEngine((getStore) => {
    it('stores a new alert with the defaults an alert starts with, and returns only the ones this call inserted', async () => {
      const db = getStore().db;
      const fields = { rule: 'disproportionality', scope: 'district', event_date: '2026-11-23', payload: '{}', created_at: '2026-11-25T09:00:00Z' };
      const first = await insertNewAlerts(db, [{ ...fields, dedupe_key: 'a' }]);
      const second = await insertNewAlerts(db, [
        { ...fields, dedupe_key: 'a', payload: '{"changed":true}' },
        { ...fields, dedupe_key: 'b', case_key: 'alert:b' },
      ]);
      assert.deepEqual([...first.keys()], ['a']);
      assert.deepEqual([...second.keys()], ['b'], 'a stored key is left alone and not returned');
      const rows = await db.selectFrom('exclusion_alert').selectAll().orderBy('dedupe_key').execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.id, first.get('a'));
      assert.equal(rows[0]!.payload, '{}', 'the first stored alert is kept as it was');
      for (const row of rows) {
        assert.deepEqual(
          [row.status, row.version, row.acknowledged_by, row.acknowledged_at, row.assigned_to, row.assigned_at, row.snoozed_until, row.pupil_id, row.due_date],
          ['open', 1, null, null, null, null, null, null, null],
        );
      }
      assert.deepEqual(rows.map((r) => r.case_key), ['', 'alert:b']);
    });

    it('creates the alert tables and keeps outbox rows unique per alert and subscriber', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      const user = await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: 'aad-1', email: 'm@example.org', name: 'Manager', role: 'la_manager', scope: 'county', created_at: '2026-11-25T09:00:00Z' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const alertKey = 'permanent_exclusion:p1:x1:-';
      const alertIds = await insertNewAlerts(store.db, [
        { dedupe_key: alertKey, rule: 'permanent_exclusion', scope: 'pupil', pupil_id: county.pupils.noFlags, school_urn: 100001, event_date: '2026-11-23', payload: '{}', created_at: '2026-11-25T09:00:00Z' },
      ]);
      const alert = { id: alertIds.get(alertKey)! };
      const row = newOutboxRow({
        dedupeKey: 'permanent_exclusion:p1:x1:->user:1',
        alertId: alert.id,
        subscriberKey: `user:${user.id}`,
        staffUserId: user.id,
        conversationId: null,
        kind: 'alert',
        due: '2026-11-25T09:00:00Z',
        createdAt: '2026-11-25T09:00:00Z',
      });
      await store.db.insertInto('alert_outbox').values(row).execute();
      await assert.rejects(store.db.insertInto('alert_outbox').values(row).execute());
      const inserted = await store.db.insertInto('alert_outbox').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
      assert.equal(Number(inserted[0]?.numInsertedOrUpdatedRows ?? 0), 0);
      assert.equal((await store.db.selectFrom('alert_outbox').selectAll().execute()).length, 1);
    });
  });
});
