import assert from 'node:assert/strict';
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
      const alert = await store.db
        .insertInto('exclusion_alert')
        .values({
          dedupe_key: 'permanent_exclusion:p1:x1:-',
          rule: 'permanent_exclusion',
          scope: 'pupil',
          pupil_id: county.pupils.noFlags,
          exclusion_id: null,
          school_urn: 100001,
          district_id: null,
          event_date: '2026-11-23',
          due_date: null,
          payload: '{}',
          created_at: '2026-11-25T09:00:00Z',
          status: 'open',
          acknowledged_by: null,
          acknowledged_at: null,
          assigned_to: null,
          assigned_at: null,
          snoozed_until: null,
          version: 1,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = {
        dedupe_key: 'permanent_exclusion:p1:x1:->user:1',
        alert_id: alert.id,
        subscriber_key: `user:${user.id}`,
        staff_user_id: user.id,
        conversation_id: null,
        kind: 'alert',
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: '2026-11-25T09:00:00Z',
        claimed_by: null,
        claim_expires_at: null,
        sent_at: null,
        sent_conversation_id: null,
        activity_id: null,
        last_status: null,
        last_error: null,
        created_at: '2026-11-25T09:00:00Z',
      };
      await store.db.insertInto('alert_outbox').values(row).execute();
      await assert.rejects(store.db.insertInto('alert_outbox').values(row).execute());
      const inserted = await store.db.insertInto('alert_outbox').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
      assert.equal(Number(inserted[0]?.numInsertedOrUpdatedRows ?? 0), 0);
      assert.equal((await store.db.selectFrom('alert_outbox').selectAll().execute()).length, 1);
    });
  });
});
