import assert from 'node:assert/strict';
import { forEachEngine } from '../../helpers/test-stores';
import { fixture, importFile, importOk, scratch, snapshot } from './import-kit';

const HEADER = 'email,name,role,scope,aad_object_id';

describe('users import', () => {
  const files = scratch();
  after(() => files.cleanup());

  forEachEngine((getStore) => {
    beforeEach(async () => {
      await importOk(getStore(), 'schools', fixture('schools.csv'));
    });

    it('imports staff users with their role and a checked, canonical scope', async () => {
      const store = getStore();
      const result = await importOk(store, 'users', fixture('users.csv'));
      assert.deepEqual(result.counts, { inserted: 4, updated: 0, unchanged: 0, other: {} });
      const users = (await snapshot(store)).staff_user.map((u) => [u.email, u.name, u.role, u.scope, u.aad_object_id]);
      assert.deepEqual(users, [
        ['ann.officer@example.org', 'Ann Officer', 'attendance_officer', 'district:Boston', '00000000-0000-0000-0000-0000000000021'],
        ['sam.leader@example.org', 'Sam Leader', 'school_leader', 'school:990002', null],
        ['lee.manager@example.org', 'Lee Manager', 'la_manager', 'county', '00000000-0000-0000-0000-0000000000020'],
        ['cara.member@example.org', 'Cara Member', 'cluster_member', 'district:Lincoln;school:990001', null],
      ]);
    });

    it('changes nothing on re-import, and an empty aad_object_id keeps the one already recorded', async () => {
      const store = getStore();
      await importOk(store, 'users', fixture('users.csv'));
      // The bot records the object id when it first matches a user by email.
      await store.db.updateTable('staff_user').set({ aad_object_id: 'recorded-by-the-bot' }).where('email', '=', 'sam.leader@example.org').execute();
      const before = await snapshot(store);
      const again = await importOk(store, 'users', fixture('users.csv'));
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 4, other: {} });
      assert.deepEqual(await snapshot(store), before);
    });

    it('updates role and scope of an existing user, keeping when they were created', async () => {
      const store = getStore();
      await importOk(store, 'users', fixture('users.csv'));
      const created = (await snapshot(store)).staff_user.find((u) => u.email === 'sam.leader@example.org')!.created_at;
      const file = files.csv([HEADER, 'SAM.LEADER@example.org,Sam Leader,cluster_member,district:boston;school:990003,']);
      const result = await importOk(store, 'users', file, { clock: { now: () => new Date('2026-12-01T09:00:00Z') } });
      assert.deepEqual(result.counts, { inserted: 0, updated: 1, unchanged: 0, other: {} });
      const sam = (await snapshot(store)).staff_user.find((u) => u.email === 'sam.leader@example.org')!;
      assert.deepEqual([sam.role, sam.scope, sam.created_at], ['cluster_member', 'district:Boston;school:990003', created]);
    });

    it('links a youth justice worker to young people by UPN, replaces the links on re-import, and refuses unknown UPNs or links on other roles', async () => {
      const store = getStore();
      await importOk(store, 'pupils', fixture('pupils.csv'));
      const upns = (await store.db.selectFrom('pupil').select(['id', 'upn']).orderBy('id').execute()).slice(0, 2);
      const header = `${HEADER},youth_justice_upns`;
      const first = files.csv([header, `yj@example.org,Yan Worker,youth_justice_worker,district:Boston,,${upns[0]!.upn};${upns[1]!.upn}`]);
      const result = await importOk(store, 'users', first);
      assert.equal(result.counts.other['youth justice links'], 2);
      const links = async () => (await store.db.selectFrom('pupil_youth_justice_worker').select('pupil_id').orderBy('pupil_id').execute()).map((l) => l.pupil_id);
      assert.deepEqual(await links(), [upns[0]!.id, upns[1]!.id]);
      await importOk(store, 'users', files.csv([header, `yj@example.org,Yan Worker,youth_justice_worker,district:Boston,,${upns[1]!.upn}`]));
      assert.deepEqual(await links(), [upns[1]!.id]);
      const before = await links();
      const bad = files.csv([header, 'yj@example.org,Yan Worker,youth_justice_worker,district:Boston,,K925200219999', `ann@example.org,Ann,attendance_officer,district:Boston,,${upns[0]!.upn}`]);
      const refused = await importFile(store, 'users', bad);
      assert.deepEqual(refused.errors, [
        `${bad}:2: youth_justice_upns: UPN number 1 in the list is not a known pupil: import pupils first (npm run import -- pupils <file>)`,
        `${bad}:3: youth_justice_upns: is only for the youth_justice_worker role (leave it empty)`,
      ]);
      assert.deepEqual(await links(), before);
    });

    it('reports unknown districts and schools, bad scope syntax, roles, emails and repeated keys by line', async () => {
      const store = getStore();
      const before = await snapshot(store);
      const file = fixture('users-errors.csv');
      const result = await importFile(store, 'users', file);
      assert.deepEqual(result.errors, [
        `${file}:3: scope: unknown district "Grantham"`,
        `${file}:4: scope: scope item "region:north" is not district:<name> or school:<six-digit URN>`,
        `${file}:5: scope: unknown school 990099`,
        `${file}:6: role: "teacher" is not la_manager, attendance_officer, school_leader, cluster_member, youth_justice_worker or admin`,
        `${file}:7: email: the same value is already on line 2`,
        `${file}:8: email: is not an email address`,
        `${file}:9: aad_object_id: the same value is already on line 2`,
      ]);
      assert.deepEqual(await snapshot(store), before);
    });

    it('refuses an object id that already belongs to another user, and a county scope mixed with others', async () => {
      const store = getStore();
      await importOk(store, 'users', fixture('users.csv'));
      const file = files.csv([HEADER, 'new.person@example.org,New Person,admin,county,00000000-0000-0000-0000-0000000000020', 'other@example.org,Other,admin,county;district:Boston,']);
      const result = await importFile(store, 'users', file);
      assert.deepEqual(result.errors, [
        `${file}:2: aad_object_id: is already recorded for another user`,
        `${file}:3: scope: county cannot be combined with other scope items`,
      ]);
    });

    it('records a slack_user_id, keeps a recorded one when the column is empty, and refuses a bad or taken one by line', async () => {
      const store = getStore();
      const header = `${HEADER},slack_user_id`;
      await importOk(store, 'users', files.csv([header, 'ann.officer@example.org,Ann Officer,attendance_officer,district:Boston,,U012AB3CD', 'sam.leader@example.org,Sam Leader,school_leader,school:990002,,']));
      await store.db.updateTable('staff_user').set({ slack_user_id: 'W0RECORDED' }).where('email', '=', 'sam.leader@example.org').execute();
      const again = await importOk(store, 'users', files.csv([header, 'ann.officer@example.org,Ann Officer,attendance_officer,district:Boston,,', 'sam.leader@example.org,Sam Leader,school_leader,school:990002,,']));
      assert.deepEqual(again.counts, { inserted: 0, updated: 0, unchanged: 2, other: {} });
      const ids = (await snapshot(store)).staff_user.map((u) => [u.email, u.slack_user_id]);
      assert.deepEqual(ids, [['ann.officer@example.org', 'U012AB3CD'], ['sam.leader@example.org', 'W0RECORDED']]);
      const before = await snapshot(store);
      const file = files.csv([
        header,
        'new.one@example.org,New One,admin,county,,u-lowercase',
        'new.two@example.org,New Two,admin,county,,U012AB3CD',
        'new.three@example.org,New Three,admin,county,,U0NEW1',
        'new.four@example.org,New Four,admin,county,,U0NEW1',
      ]);
      const result = await importFile(store, 'users', file);
      assert.deepEqual(result.errors, [
        `${file}:2: slack_user_id: is not a Slack member id (U or W, then capital letters and digits, e.g. U012AB3CD)`,
        `${file}:3: slack_user_id: is already recorded for another user`,
        `${file}:5: slack_user_id: the same value is already on line 4`,
      ]);
      assert.deepEqual(await snapshot(store), before);
    });
  });
});
