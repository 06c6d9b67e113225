import assert from 'node:assert/strict';
import { runPupilRules } from '../../services/alerts/alert-runner';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { fixedClock } from '../../services/clock';
import { mayListPupils } from '../../services/cluster/cluster-access';
import { FEATURES, ROLE_POLICY, mayReadPupils, type Feature } from '../../services/identity/role-policy';
import type { Role } from '../../services/store/database';
import { openStore, type Store } from '../../services/store/open-store';
import { TEST_USERS, executeActivity, messageActivity, type TestUser } from '../helpers/activities';
import { insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../helpers/fixtures';

/**
 * The role policy as a matrix: every role, each with a scope that covers the excluded pupil, asks
 * for each alert feature over HTTP. Where the policy says "pupils" the pupil's name appears (personal
 * chat); where it says "figures" no name, no flag and no pupil-level read (audit) happens.
 */

const clock = fixedClock('2026-11-25T10:00:00Z');
const calendar = loadCalendar();
const BOSTON_MEMBER: TestUser = { id: '29:boston-member', aadObjectId: '00000000-0000-0000-0000-0000000000031', name: 'Hana Health' };

const WHO: readonly [Role, TestUser, string][] = [
  ['la_manager', TEST_USERS.manager, 'county'],
  ['attendance_officer', TEST_USERS.attendanceOfficer, 'district:Boston'],
  ['school_leader', TEST_USERS.schoolLeader, `school:${FIXTURE_SCHOOLS.bostonSecondary.urn}`],
  ['cluster_member', BOSTON_MEMBER, 'district:Boston'],
  ['admin', TEST_USERS.admin, 'county'],
];

/** Pupil-level facts a figures-only role must never receive: cohort flags as the cards word them. */
const FLAGS = /Looked after|Social worker|EHC plan|FSM|free school meals/;

describe('role policy: who sees pupil-level alert data', () => {
  let store: Store;
  let bot: RunningBot;
  let county: FixtureCounty;
  let alertId: number;
  let pupilName: string;

  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    county = await insertFixtureCounty(store);
    await insertStaff(
      store,
      WHO.map(([role, user, scope]) => ({ user, role, scope })),
    );
    await store.db
      .insertInto('exclusion')
      .values({ pupil_id: county.pupils.lookedAfter, school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: '2026-11-23T12:00:00Z' })
      .execute();
    await runPupilRules({ db: store.db, calendar, clock });
    alertId = (await store.db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'pex_governors_review').executeTakeFirstOrThrow()).id;
    const pupil = await store.db.selectFrom('pupil').select(['legal_forename', 'legal_surname']).where('id', '=', county.pupils.lookedAfter).executeTakeFirstOrThrow();
    pupilName = `${pupil.legal_forename} ${pupil.legal_surname}`;
    bot = await startBot({ store, clock });
  });
  after(async () => {
    await bot.close();
    await store.close();
  });

  async function ask(feature: Feature, from: TestUser): Promise<string> {
    if (feature === 'alert_card' || feature === 'alert_timeline') {
      const { status, body } = await bot.post(executeActivity(feature === 'alert_card' ? 'alert.refresh' : 'alert.timeline', { alertId }, { from }));
      assert.equal(status, 200);
      return JSON.stringify(body);
    }
    const replies = await bot.say(messageActivity(feature === 'alerts_list' ? 'alerts list' : 'alerts digest', { from }));
    return JSON.stringify(replies);
  }

  const ALERT_FEATURES: Feature[] = ['alert_card', 'alert_timeline', 'alerts_list', 'alert_digest'];
  for (const [role, user] of WHO) {
    for (const feature of ALERT_FEATURES) {
      const access = ROLE_POLICY[role][feature];
      it(`${role} x ${feature}: ${access}`, async () => {
        const before = await store.db.selectFrom('audit_log').select('id').where('staff_user_id', 'in', store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', user.aadObjectId)).execute();
        const text = await ask(feature, user);
        const after = await store.db
          .selectFrom('audit_log')
          .select('id')
          .where('staff_user_id', 'in', store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', user.aadObjectId))
          .execute();
        if (access === 'pupils') {
          assert.ok(text.includes(pupilName), 'the pupil is named in a personal chat');
          assert.ok(after.length > before.length, 'the pupil-level read is audited');
        } else {
          assert.ok(!text.includes(pupilName), 'no pupil name');
          assert.ok(!FLAGS.test(text), `no pupil flags: ${text.match(FLAGS)?.[0]}`);
          assert.equal(after.length, before.length, 'nothing pupil-level was read');
        }
      });
    }
  }

  it('is one policy: the cluster pages follow the same table', () => {
    for (const [role] of WHO) {
      assert.equal(mayListPupils(role), mayReadPupils(role, 'cluster_agenda'), `${role} cluster agenda`);
      assert.equal(mayListPupils(role), mayReadPupils(role, 'review_card'), `${role} review card`);
    }
    assert.deepEqual(
      FEATURES.filter((f) => mayReadPupils('admin', f)),
      [],
      'administrators see figures only, everywhere',
    );
  });
});
