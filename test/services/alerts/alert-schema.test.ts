import assert from 'node:assert/strict';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { newOutboxRow } from '../../../services/alerts/outbox';
import { forEachEngine } from '../../helpers/test-stores';
import { insertFixtureCounty } from '../../helpers/fixtures';

describe('migration 0004: alerts and outbox', () => {
  forEachEngine((getStore) => {
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
