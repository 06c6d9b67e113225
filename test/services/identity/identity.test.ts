import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { recordAccess } from '../../../services/audit/audit-log';
import { markConversationGone, personalConversationFor, saveConversationRef } from '../../../services/conversations/conversation-refs';
import type { Actor } from '../../../services/identity/actor';
import { describeScope, formatScope, parseScope, ScopeSyntaxError } from '../../../services/identity/scope';
import { pupilInScope, schoolUrnsInScope } from '../../../services/identity/scope-query';
import { findStaffUser } from '../../../services/identity/staff-directory';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, insertFixtureCounty } from '../../helpers/fixtures';

describe('identity and scope', () => {
  describe('scope text', () => {
    it('reads county, districts and schools', () => {
      assert.deepEqual(parseScope('county'), { county: true, districts: [], schoolUrns: [] });
      assert.deepEqual(parseScope('district:Boston; school:100001;district:East Lindsey'), {
        county: false,
        districts: ['Boston', 'East Lindsey'],
        schoolUrns: [100001],
      });
    });
    it('round-trips through formatScope', () => {
      const scope = parseScope('district:Boston;school:100001');
      assert.deepEqual(parseScope(formatScope(scope)), scope);
    });
    for (const bad of ['', 'district:', 'school:12', 'school:abc', 'town:Boston', 'county;district:Boston']) {
      it(`refuses "${bad}" with a message`, () => {
        assert.throws(() => parseScope(bad), ScopeSyntaxError);
      });
    }
    it('describes a scope in plain words', () => {
      assert.equal(describeScope(parseScope('county')), 'the whole county');
      assert.equal(describeScope(parseScope('school:100001')), '1 school');
    });
  });

  forEachEngine((getStore) => {
    it('limits schools to the scope, in the query', async () => {
      const store = getStore();
      await insertFixtureCounty(store);
      assert.deepEqual(await schoolUrnsInScope(store.db, parseScope('district:Boston')), [100001, 100002]);
      assert.deepEqual(await schoolUrnsInScope(store.db, parseScope('school:200001')), [200001]);
      assert.equal((await schoolUrnsInScope(store.db, parseScope('county'))).length, 3);
    });

    it('limits pupils to those on roll in the scope on the day', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      const visible = async (scopeText: string, asOf: string) =>
        (
          await store.db
            .selectFrom('pupil')
            .select('pupil.id')
            .where(pupilInScope(parseScope(scopeText), asOf))
            .orderBy('pupil.id')
            .execute()
        ).map((r) => r.id);
      assert.equal((await visible('district:Boston', '2026-11-25')).length, 4);
      assert.deepEqual(await visible('district:Lincoln', '2026-11-25'), [county.lincolnPupil]);
      assert.deepEqual(await visible(`school:${FIXTURE_SCHOOLS.bostonPrimary.urn}`, '2026-11-25'), []);
      // Before the enrolments started nobody is on roll anywhere.
      assert.deepEqual(await visible('district:Boston', '2026-08-01'), []);
      // A pupil who left Boston for Lincoln is seen by Lincoln only from the move.
      await store.db.updateTable('enrolment').set({ end_date: '2026-10-31' }).where('pupil_id', '=', county.pupils.noFlags).execute();
      await store.db
        .insertInto('enrolment')
        .values({ pupil_id: county.pupils.noFlags, school_urn: 200001, start_date: '2026-11-02', end_date: null, registration: 'C' })
        .execute();
      assert.ok(!(await visible('district:Boston', '2026-11-25')).includes(county.pupils.noFlags));
      assert.ok((await visible('district:Lincoln', '2026-11-25')).includes(county.pupils.noFlags));
      assert.ok((await visible('district:Boston', '2026-10-15')).includes(county.pupils.noFlags));
    });

    it('finds a staff user by object id, else by email, and remembers the object id', async () => {
      const store = getStore();
      await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: null, email: 'head@school.example', name: 'Head', role: 'school_leader', scope: 'school:100001', created_at: 'x' })
        .execute();
      assert.equal(await findStaffUser(store.db, { aadObjectId: 'aad-1' }), undefined);
      const byEmail = await findStaffUser(store.db, { aadObjectId: 'aad-1', email: 'Head@School.example ' });
      assert.equal(byEmail?.name, 'Head');
      const byAad = await findStaffUser(store.db, { aadObjectId: 'aad-1' });
      assert.equal(byAad?.email, 'head@school.example');
    });

    it('keeps one reference per conversation and revives a gone one', async () => {
      const store = getStore();
      const ref = {
        conversationId: 'a:1',
        conversationType: 'personal' as const,
        tenantId: 't',
        aadObjectId: 'aad-1',
        teamId: null,
        channelId: null,
        serviceUrl: 'https://smba.example/',
        referenceJson: '{}',
      };
      await saveConversationRef(store.db, ref, '2026-11-25T09:00:00.000Z');
      await markConversationGone(store.db, 'a:1', '2026-11-25T09:05:00.000Z');
      assert.equal(await personalConversationFor(store.db, 'aad-1'), undefined);
      await saveConversationRef(store.db, { ...ref, serviceUrl: 'https://smba2.example/' }, '2026-11-25T10:00:00.000Z');
      const live = await personalConversationFor(store.db, 'aad-1');
      assert.equal(live?.service_url, 'https://smba2.example/');
      const all = await store.db.selectFrom('conversation_ref').selectAll().execute();
      assert.equal(all.length, 1);
    });

    it('audits pupil reads with ids only, never names or UPNs', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: 'aad-9', email: 'o@la.example', name: 'Officer', role: 'attendance_officer', scope: 'district:Boston', created_at: 'x' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const user = await findStaffUser(store.db, { aadObjectId: 'aad-9' });
      const actor: Actor = { user: user!, role: user!.role, scope: parseScope(user!.scope), aadObjectId: 'aad-9', conversationType: 'groupChat' };
      await recordAccess(store.db, fixedClock('2026-11-25T10:00:00Z'), {
        actor,
        action: 'pupil.list',
        command: 'cluster Boston agenda',
        pupilIds: [county.pupils.ehcPlan, county.pupils.noFlags, county.pupils.ehcPlan],
      });
      await recordAccess(store.db, fixedClock('2026-11-25T10:00:00Z'), { actor, action: 'pupil.list', command: 'x', pupilIds: [] });
      const rows = await store.db.selectFrom('audit_log').selectAll().execute();
      assert.equal(rows.length, 1, 'an empty read writes nothing');
      assert.equal(rows[0]!.subject_count, 2);
      assert.equal(rows[0]!.staff_user_id, user!.id);
      assert.equal(rows[0]!.conversation_type, 'groupChat');
      const upns = (await store.db.selectFrom('pupil').select('upn').execute()).map((p) => p.upn);
      const serialised = JSON.stringify(rows);
      for (const upn of upns) assert.ok(!serialised.includes(upn));
      assert.ok(!serialised.includes('Forename'));
    });
  });
});
