import assert from 'node:assert/strict';
import { placesCard } from '../../../cards/places-card';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { Actor } from '../../../services/identity/actor';
import { parseScope } from '../../../services/identity/scope';
import { PLACES_REFUSAL, placesOverview } from '../../../services/places/places-overview';
import '../../../services/places/places-schema';
import type { ConversationType, Role } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { assertValidCard, cardText } from '../../helpers/card-check';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';

/** Tuesday 1 December: the permanent exclusion of Monday 23 November had day 6 yesterday. */
const NOW = '2026-12-01T10:00:00.000Z';
const calendar = loadCalendar();

describe('places command', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    const ctx = () => ({ db: getStore().db, clock: fixedClock(NOW), calendar });

    async function actor(role: Role, scope: string, conversationType: ConversationType = 'personal'): Promise<Actor> {
      const user = await getStore()
        .db.insertInto('staff_user')
        .values({ aad_object_id: `aad-${role}-${scope}`, email: `${role}.${scope.replace(/\W/g, '')}@example.org`, name: role, role, scope, created_at: NOW })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { user, role, scope: parseScope(scope), aadObjectId: user.aad_object_id, conversationType };
    }

    async function hub(store: Store, name: string, districtId: number, commissioned: number, transient: number) {
      return (
        await store.db
          .insertInto('ap_hub')
          .values({ provider: 'Test AP', hub: name, district_id: districtId, phase: 'secondary', commissioned_places: commissioned, transient_places: transient, contact: null, updated_at: NOW })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    }

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      const boston = await hub(store, 'Boston Hub', county.districtIds.Boston, 2, 1);
      const lincoln = await hub(store, 'Lincoln Hub', county.districtIds.Lincoln, 16, 2);
      const place = (hubId: number, pupilId: number, kind: 'commissioned' | 'transient', start: string, end: string | null) =>
        store.db.insertInto('ap_placement').values({ hub_id: hubId, pupil_id: pupilId, place_kind: kind, start_date: start, end_date: end, exclusion_id: null, source: 'test', created_at: NOW }).execute();
      await place(boston, county.pupils.ehcPlan, 'commissioned', '2026-09-07', null);
      await place(boston, county.pupils.senSupport, 'commissioned', '2026-09-07', '2027-03-31');
      await place(boston, county.pupils.lookedAfter, 'transient', '2026-11-02', '2026-12-04');
      await place(lincoln, county.lincolnPupil, 'transient', '2026-11-16', '2026-12-08');
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: NOW })
        .execute();
    });

    it('shows an LA manager occupancy per hub, who is due to leave and who waits past day 6, by name in a personal chat, audited', async () => {
      const manager = await actor('la_manager', 'county');
      const result = await placesOverview(ctx(), manager);
      assert.ok(result.ok);
      const view = result.view;
      assert.deepEqual(
        view.hubs.map((h) => [h.hub, h.free]),
        [
          ['Boston Hub', { commissioned: 0, transient: 0 }],
          ['Lincoln Hub', { commissioned: 16, transient: 1 }],
        ],
      );
      assert.deepEqual(
        view.leaving!.map((l) => [l.hub, l.kind, l.lastDay]),
        [
          ['Boston Hub', 'transient', '2026-12-04'],
          ['Lincoln Hub', 'transient', '2026-12-08'],
        ],
      );
      assert.equal(view.leavingCount, 2, 'the commissioned place ending in March is not due yet');
      assert.equal(view.waitingCount, 1);
      assert.deepEqual(
        view.waiting!.map((w) => [w.schoolName, w.daySix, w.schoolDaysPast]),
        [[FIXTURE_SCHOOLS.bostonSecondary.name, '2026-11-30', 1]],
      );
      const names = await getStore().db.selectFrom('pupil').select(['id', 'legal_forename', 'preferred_forename', 'legal_surname']).execute();
      const nameOf = (id: number) => {
        const p = names.find((n) => n.id === id)!;
        return `${p.preferred_forename ?? p.legal_forename} ${p.legal_surname}`;
      };
      assert.deepEqual(view.leaving!.map((l) => l.label), [nameOf(county.pupils.lookedAfter), nameOf(county.lincolnPupil)]);
      assert.equal(view.waiting![0]!.label, nameOf(county.pupils.noFlags));
      const audit = await getStore().db.selectFrom('audit_log').select(['action', 'command', 'subject_ids']).execute();
      assert.deepEqual(audit, [{ action: 'pupil.list', command: 'places', subject_ids: [county.pupils.lookedAfter, county.lincolnPupil, county.pupils.noFlags].sort((a, b) => a - b).join(',') }]);
      const card = placesCard(view);
      assertValidCard(card);
      const text = cardText(card);
      assert.match(text, /Boston Hub · Boston \(secondary\)/);
      assert.match(text, /commissioned 2 of 2 · transient 1 of 1 · \*\*full\*\*/);
      assert.match(text, /day 6 was Mon 30 Nov 2026, 1 school day ago/);
    });

    it('keeps an officer to their district, initials outside a personal chat', async () => {
      const officer = await actor('attendance_officer', 'district:Lincoln', 'channel');
      const result = await placesOverview(ctx(), officer);
      assert.ok(result.ok);
      assert.deepEqual(result.view.hubs.map((h) => h.hub), ['Lincoln Hub']);
      assert.equal(result.view.leaving!.length, 1);
      assert.match(result.view.leaving![0]!.label, /^[A-Z]{2}$/);
      assert.equal(result.view.waitingCount, 0, 'the Boston exclusion is outside Lincoln');
    });

    it('gives administrators the figures only, and refuses school leaders and cluster members', async () => {
      const admin = await actor('admin', 'county');
      const result = await placesOverview(ctx(), admin);
      assert.ok(result.ok);
      assert.equal(result.view.leaving, null);
      assert.equal(result.view.waiting, null);
      assert.equal(result.view.leavingCount, 2);
      assert.equal(result.view.waitingCount, 1);
      const shown = cardText(placesCard(result.view));
      for (const p of await getStore().db.selectFrom('pupil').select(['legal_surname']).execute()) assert.ok(!shown.includes(p.legal_surname), 'no pupil on the card');
      for (const [role, scope] of [
        ['school_leader', `school:${FIXTURE_SCHOOLS.bostonSecondary.urn}`],
        ['cluster_member', 'district:Boston'],
      ] as const) {
        assert.deepEqual(await placesOverview(ctx(), await actor(role, scope)), { ok: false, message: PLACES_REFUSAL });
      }
      assert.deepEqual(await getStore().db.selectFrom('audit_log').selectAll().execute(), [], 'no pupil read');
    });
  });
});
