import assert from 'node:assert/strict';
import { rememberConversationRef } from '../../../services/conversations/conversation-refs';
import { serviceUrlPolicyFor } from '../../../services/conversations/service-url-policy';
import { loadConfig } from '../../../services/config';
import { findStaffUser, unlinkStaffUser } from '../../../services/identity/staff-directory';
import { isTenantAllowed } from '../../../services/identity/tenant-policy';
import { forEachEngine } from '../../helpers/test-stores';

const AT = '2026-11-25T10:00:00.000Z';

describe('identity binding and conversation references (issue 13.3, 13.4)', () => {
  it('allows a tenant only when listed, case-insensitively; every tenant when no list', () => {
    assert.equal(isTenantAllowed('T-1', ['t-1']), true);
    assert.equal(isTenantAllowed('t-2', ['t-1']), false);
    assert.equal(isTenantAllowed(null, ['t-1']), false);
    assert.equal(isTenantAllowed(null, undefined), true);
  });

  forEachEngine((getStore) => {
    const addHead = async (aad: string | null = null) =>
      (
        await getStore()
          .db.insertInto('staff_user')
          .values({ aad_object_id: aad, email: 'head@school.example', name: 'Head', role: 'school_leader', scope: 'school:100001', created_at: 'x' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;

    it('binds by email only within an allowed tenant, auditing the binding', async () => {
      const db = getStore().db;
      const id = await addHead();
      const rules = { allowedTenants: ['tenant-la'], at: AT };
      assert.equal(await findStaffUser(db, { aadObjectId: 'aad-x', email: 'head@school.example', tenantId: 'tenant-other' }, rules), undefined);
      assert.equal((await db.selectFrom('staff_user').select('aad_object_id').where('id', '=', id).executeTakeFirstOrThrow()).aad_object_id, null);
      assert.equal((await db.selectFrom('audit_log').selectAll().execute()).length, 0);

      const user = await findStaffUser(db, { aadObjectId: 'aad-la', email: 'head@school.example', tenantId: 'TENANT-LA' }, rules);
      assert.equal(user?.aad_object_id, 'aad-la');
      const audit = await db.selectFrom('audit_log').selectAll().execute();
      assert.deepEqual(
        audit.map((a) => [a.action, a.subject_type, a.subject_ids, a.aad_object_id, a.at]),
        [['identity.bind', 'staff_user', String(id), 'aad-la', AT]],
      );
      // Bound for good: another identity with the same email does not get it.
      assert.equal(await findStaffUser(db, { aadObjectId: 'aad-2', email: 'head@school.example', tenantId: 'tenant-la' }, rules), undefined);
    });

    it('lets an admin unlink, audited, after which the right person can link again', async () => {
      const db = getStore().db;
      const id = await addHead('aad-wrong');
      const result = await unlinkStaffUser(db, ' Head@School.example ', { staffUserId: 99, at: AT });
      assert.deepEqual(result, { ok: true, name: 'Head', hadLink: true });
      const audit = await db.selectFrom('audit_log').selectAll().execute();
      assert.deepEqual(
        audit.map((a) => [a.action, a.staff_user_id, a.subject_ids, a.aad_object_id]),
        [['identity.unbind', 99, String(id), 'aad-wrong']],
      );
      assert.deepEqual(await unlinkStaffUser(db, 'nobody@x.example', { staffUserId: 99, at: AT }), { ok: false, reason: 'not_found' });
      const again = await findStaffUser(db, { aadObjectId: 'aad-right', email: 'head@school.example', tenantId: 't' }, { at: AT });
      assert.equal(again?.aad_object_id, 'aad-right');
    });

    it('stores a reference only for an allowed service URL, and changes one only on an authenticated turn from its user', async () => {
      const db = getStore().db;
      const policy = serviceUrlPolicyFor(loadConfig({ NODE_ENV: 'production' }));
      const ref = {
        conversationId: 'a:1',
        conversationType: 'personal' as const,
        tenantId: 't',
        aadObjectId: 'aad-1',
        teamId: null,
        channelId: null,
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        referenceJson: '{"v":1}',
      };
      const stored = async () => (await db.selectFrom('conversation_ref').select('service_url').executeTakeFirst())?.service_url;
      assert.equal(await rememberConversationRef(db, policy, { ...ref, serviceUrl: 'http://169.254.169.254/' }, AT, { authenticated: true }), 'refused_service_url');
      assert.equal(await stored(), undefined);
      assert.equal(await rememberConversationRef(db, policy, ref, AT, { authenticated: false }), 'saved');
      assert.equal(await rememberConversationRef(db, policy, ref, AT, { authenticated: false }), 'unchanged');
      // Auth off (local tools): the same user may refresh the reference, but not move it.
      assert.equal(await rememberConversationRef(db, policy, { ...ref, referenceJson: '{"v":1.5}' }, AT, { authenticated: false }), 'saved');
      const moved = { ...ref, serviceUrl: 'https://smba.trafficmanager.net/amer/', referenceJson: '{"v":2}' };
      assert.equal(await rememberConversationRef(db, policy, moved, AT, { authenticated: false }), 'refused_unauthenticated');
      assert.equal(await rememberConversationRef(db, policy, { ...moved, aadObjectId: 'aad-2' }, AT, { authenticated: true }), 'refused_other_user');
      assert.equal(await stored(), 'https://smba.trafficmanager.net/emea/');
      assert.equal(await rememberConversationRef(db, policy, moved, AT, { authenticated: true }), 'saved');
      assert.equal(await stored(), 'https://smba.trafficmanager.net/amer/');
    });
  });
});
