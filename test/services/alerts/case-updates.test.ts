import assert from 'node:assert/strict';
import { cardsQueuedToday, claimGoLive, noteFirstContact } from '../../../services/alerts/alert-cases';
import { acknowledgeAlert, recordPlacement } from '../../../services/alerts/alert-actions';
import { runPupilRules, storeAlerts, type AlertRunnerDeps } from '../../../services/alerts/alert-runner';
import { CASE_UPDATE_KIND } from '../../../services/alerts/case-updates';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { ExclusionAlert } from '../../../services/exclusions/alert-types';
import { closeExclusionAlerts } from '../../../services/exclusions/exclusion-outcomes';
import { parseScope } from '../../../services/identity/scope';
import type { StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, type FixtureCounty, insertExclusion, insertFixtureCounty, insertStaffUser } from '../../helpers/fixtures';

const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const NOW = '2026-11-25T10:00:00.000Z';
const calendar = loadCalendar();

describe('case cards updated in place', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let deps: AlertRunnerDeps;
    let manager: StaffUser;

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      deps = { db: store.db, calendar, clock: fixedClock(NOW), cardsPerDay: 5 };
      manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
      await claimGoLive(store.db, fixedClock('2026-11-01T09:00:00Z'));
      await noteFirstContact(store.db, deps.clock, manager.id, 5);
    });

    /** A further duty on the same case, as the rules would store it (same exclusion: same case key). */
    async function newDutyOn(store: Store, exclusionId: number, tag: string) {
      const base = await store.db.selectFrom('exclusion_alert').select('payload').where('exclusion_id', '=', exclusionId).orderBy('id').executeTakeFirstOrThrow();
      const alert = { ...(JSON.parse(base.payload) as ExclusionAlert), rule: 'pex_no_placement', dedupeKey: `test-duty:${tag}` } as ExclusionAlert;
      return storeAlerts(deps, [alert]);
    }

    const rowsOf = (store: Store, kind: string) => store.db.selectFrom('alert_outbox').selectAll().where('kind', '=', kind).where('subscriber_key', '=', `user:${manager.id}`).orderBy('id').execute();

    it('queues one update per sent card when a duty is added or closed, never for a card still waiting, and never against the budget', async () => {
      const store = getStore();
      const pex = await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-23', sessions: 0 });
      const waitingPex = await insertExclusion(store, { pupilId: county.pupils.noFlags, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-24', sessions: 0 });
      await runPupilRules(deps);
      const cards = await rowsOf(store, 'alert');
      assert.equal(cards.length, 2, 'one card per case');
      const caseOf = async (alertId: number | null) => (await store.db.selectFrom('exclusion_alert').select('exclusion_id').where('id', '=', alertId!).executeTakeFirstOrThrow()).exclusion_id;
      const sent = (await caseOf(cards[0]!.alert_id)) === pex.id ? cards[0]! : cards[1]!;
      // The first card went out (as markSent records it); the other is still waiting.
      await store.db.updateTable('alert_outbox').set({ status: 'sent', sent_at: NOW, sent_conversation_id: 'conv-manager', activity_id: 'activity-7' }).where('id', '=', sent.id).execute();

      const added = await newDutyOn(store, pex.id, 'a');
      assert.equal(added.newAlerts, 1);
      let updates = await rowsOf(store, CASE_UPDATE_KIND);
      assert.equal(updates.length, 1, 'exactly one update');
      assert.equal(updates[0]!.subject_id, sent.id, 'pointing at the sent card');
      assert.equal(updates[0]!.conversation_id, 'conv-manager', 'in the conversation the card was posted in');
      assert.equal(updates[0]!.status, 'pending');
      assert.equal(added.queuedDeliveries, 1, 'the update counts as queued (the worker is woken)');

      // A second change before the update goes: still one.
      await newDutyOn(store, pex.id, 'b');
      await closeExclusionAlerts(store.db, { exclusions: [{ id: pex.id, pupilId: county.pupils.lookedAfter }], source: 'test', now: NOW, staffUserId: manager.id, auditAction: 'exclusion.outcome', detail: 'test' });
      updates = await rowsOf(store, CASE_UPDATE_KIND);
      assert.equal(updates.length, 1, 'collapsed into the one pending update');

      // A change to the case whose card has not been sent yet queues nothing: it is drawn fresh when sent.
      await newDutyOn(store, waitingPex.id, 'c');
      assert.equal((await rowsOf(store, CASE_UPDATE_KIND)).length, 1);

      // Updates are not new cards.
      assert.equal((await cardsQueuedToday(store.db, deps.clock, [`user:${manager.id}`])).get(`user:${manager.id}`), 2);

      // Once the update has gone, a later change (here, duties closed by an outcome) re-arms the same row.
      await store.db.updateTable('alert_outbox').set({ status: 'sent' }).where('id', '=', updates[0]!.id).execute();
      await newDutyOn(store, pex.id, 'd');
      assert.equal(await store.db.selectFrom('alert_outbox').select('status').where('id', '=', updates[0]!.id).executeTakeFirstOrThrow().then((r) => r.status), 'pending');
      await store.db.updateTable('alert_outbox').set({ status: 'sent' }).where('id', '=', updates[0]!.id).execute();
      const closed = await closeExclusionAlerts(store.db, { exclusions: [{ id: pex.id, pupilId: county.pupils.lookedAfter }], source: 'test', now: NOW, staffUserId: manager.id, auditAction: 'exclusion.outcome', detail: 'test' });
      assert.ok(closed > 0);
      updates = await rowsOf(store, CASE_UPDATE_KIND);
      assert.equal(updates.length, 1);
      assert.equal(updates[0]!.status, 'pending', 'closing duties updates the card too');
    });

    it('queues an update when a duty is met by a placement or the case is acknowledged from a card', async () => {
      const store = getStore();
      const pex = await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-23', sessions: 0 });
      await runPupilRules(deps);
      const [sent] = await rowsOf(store, 'alert');
      await store.db.updateTable('alert_outbox').set({ status: 'sent', sent_at: NOW, sent_conversation_id: 'conv-manager', activity_id: 'activity-9' }).where('id', '=', sent!.id).execute();
      const ctx = { db: store.db, clock: deps.clock, calendar };
      const actor = { user: manager, role: manager.role, scope: parseScope(manager.scope), aadObjectId: manager.aad_object_id, conversationType: 'personal' as const };
      const alert = await store.db.selectFrom('exclusion_alert').select('id').where('exclusion_id', '=', pex.id).orderBy('id').executeTakeFirstOrThrow();

      const placed = await recordPlacement(ctx, actor, { alertId: alert.id, placedOn: '2026-11-30' });
      assert.ok(placed.ok, 'placement recorded');
      let updates = await rowsOf(store, CASE_UPDATE_KIND);
      assert.equal(updates.length, 1, 'the placement updates the sent card');
      assert.equal(updates[0]!.subject_id, sent!.id);

      await store.db.updateTable('alert_outbox').set({ status: 'sent' }).where('id', '=', updates[0]!.id).execute();
      const acknowledged = await acknowledgeAlert(ctx, actor, { alertId: alert.id });
      assert.ok(acknowledged.ok);
      updates = await rowsOf(store, CASE_UPDATE_KIND);
      assert.equal(updates.length, 1);
      assert.equal(updates[0]!.status, 'pending', 'acknowledging the case updates the sent card');
    });
  });
});
