import assert from 'node:assert/strict';
import { getMyActions } from '../../../services/cluster/cluster-actions';
import { getMinutes } from '../../../services/cluster/cluster-minutes';
import { overdueNoticeFor, queueOverdueReminders } from '../../../services/cluster/overdue-reminders';
import type { ClusterDeps } from '../../../services/cluster/cluster-service-types';
import { getPupilReview, type OwnerChoice } from '../../../services/cluster/pupil-review';
import { checkReview } from '../../../services/cluster/pupil-review-form';
import { saveReview, updateActionStatus } from '../../../services/cluster/pupil-review-writes';
import { fixedClock } from '../../../services/clock';
import { forEachEngine } from '../../helpers/test-stores';
import { actorFor, BOSTON_SECONDARY, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';

describe('pupil review, minutes and follow-up', () => {
  const calendar = testCalendar();
  const clock = fixedClock(NOW);

  describe('checkReview', () => {
    const owners: OwnerChoice[] = [{ id: 7, name: 'Ola Officer', role: 'attendance_officer' }];
    const form = { district: 'Boston', pupilId: 1, barriers: '', leadPractitioner: '', outcome: '', actionWhat: '', actionOwner: '', actionDue: '' };
    it('names each bad field of an action', () => {
      const r = checkReview({ ...form, actionWhat: 'Home visit', actionOwner: '99', actionDue: '2026-11-01' }, owners, '2026-11-25');
      assert.deepEqual(r, { ok: false, errors: { actionOwner: 'choose an owner from the list', actionDue: 'must be today or later' } });
      const r2 = checkReview({ ...form, actionOwner: '7', actionDue: '2026-12-01' }, owners, '2026-11-25');
      assert.deepEqual(r2, { ok: false, errors: { actionWhat: 'say what was agreed' } });
      const r3 = checkReview({ ...form, actionWhat: 'x', actionOwner: '7', actionDue: '2028-01-01' }, owners, '2026-11-25');
      assert.deepEqual(r3, { ok: false, errors: { actionDue: 'must be within a year' } });
      const r4 = checkReview({ ...form, actionWhat: 'x', actionOwner: '7', actionDue: '1/12/2026' }, owners, '2026-11-25');
      assert.deepEqual(r4, { ok: false, errors: { actionDue: 'must be a date (YYYY-MM-DD)' } });
    });
    it('needs something to record', () => {
      assert.deepEqual(checkReview(form, owners, '2026-11-25'), { ok: false, errors: { barriers: 'record barriers, an outcome or an agreed action' } });
    });
    it('accepts a full review', () => {
      const r = checkReview({ ...form, barriers: ' Anxiety about PE ', leadPractitioner: 'School SENCo', actionWhat: 'Early help assessment', actionOwner: '7', actionDue: '2026-12-09' }, owners, '2026-11-25');
      assert.deepEqual(r, { ok: true, review: { barriers: 'Anxiety about PE', leadPractitioner: 'School SENCo', outcome: '', action: { what: 'Early help assessment', ownerId: 7, due: '2026-12-09' } } });
    });
  });

  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    let deps: ClusterDeps;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      await seedAttendance(getStore().db, fixture);
      deps = { db: getStore().db, calendar, clock };
    });

    it('shows a pupil\'s weeks, codes, flags and owners to choose from', async () => {
      const result = await getPupilReview(deps, actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.paSocial!.id, view: 'own' });
      assert.ok(result.ok);
      const v = result.view;
      assert.equal(v.label, 'Ben Carter');
      assert.deepEqual(v.flags, ['Social worker (CP)']);
      assert.equal(v.band, 'persistent');
      assert.equal(v.weeks.length, 12);
      assert.deepEqual(v.weeks[1], { weekStart: '2026-09-07', possible: 10, attended: 8, codes: ['N', 'N', '/', '\\', '/', '\\', '/', '\\', '/', '\\'] });
      assert.deepEqual(v.codes.find((c) => c.code === 'N'), { code: 'N', meaning: 'Reason not yet provided', sessions: 22, counts: 'unauthorised' });
      // Invitees who can see this pupil: the officer, the Boston cluster member and the leader of the pupil's school.
      assert.deepEqual(v.owners.map((o) => o.name).sort(), ['Bea Leader', 'Hana Health', 'Ola Officer']);
      const audit = await getStore().db.selectFrom('audit_log').selectAll().execute();
      assert.deepEqual(audit.map((a) => [a.action, a.subject_ids]), [['pupil.read', String(fixture.pupils.paSocial!.id)]]);
    });

    it('refuses a pupil outside the actor\'s scope with the same words as an unknown one', async () => {
      const other = await getPupilReview(deps, actorFor(fixture.staff.bostonLeader!), { district: 'Boston', pupilId: fixture.pupils.worsening!.id, view: 'own' });
      const missing = await getPupilReview(deps, actorFor(fixture.staff.bostonLeader!), { district: 'Boston', pupilId: 999999, view: 'own' });
      assert.equal(!other.ok && other.kind, 'not_found');
      assert.equal(!other.ok && !missing.ok && other.message === missing.message, true);
      // A Lincoln pupil asked for under Boston is not found either.
      const wrongDistrict = await getPupilReview(deps, actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.lincolnSevere!.id, view: 'own' });
      assert.equal(!wrongDistrict.ok && wrongDistrict.kind, 'not_found');
    });

    it('records a review and an action, then shows them on the review, the minutes and the owner\'s actions', async () => {
      const officer = actorFor(fixture.staff.officer!);
      const pupilId = fixture.pupils.severe!.id;
      const saved = await saveReview(
        deps,
        officer,
        { district: 'Boston', pupilId: String(pupilId), barriers: 'Anxiety; transport', leadPractitioner: 'School SENCo', outcome: 'Early help offered', actionWhat: 'Early help assessment', actionOwner: String(fixture.staff.bostonMember!.id), actionDue: '2026-12-02' },
        'own',
      );
      assert.ok(saved.ok && saved.view.saved);
      const review = saved.ok ? saved.view.view : undefined;
      assert.deepEqual(review?.actions.map((a) => [a.description, a.ownerName, a.dueDate, a.status, a.meetingDate]), [['Early help assessment', 'Hana Health', '2026-12-02', 'open', '2026-12-09']]);
      assert.equal(review?.reviews[0]?.barriers, 'Anxiety; transport');

      const minutes = await getMinutes(deps, officer, { district: 'Boston', view: 'own' });
      assert.ok(minutes.ok);
      assert.equal(minutes.view.meetingDate, '2026-12-09');
      assert.deepEqual(minutes.view.totals, { reviewed: 1, actions: 1, open: 1, done: 0, overdue: 0 });
      assert.deepEqual(minutes.view.pupils.map((p) => [p.label, p.leadPractitioner, p.outcome, p.actions.map((a) => a.description)]), [['Aisha Bell', 'School SENCo', 'Early help offered', ['Early help assessment']]]);

      // Shared minutes: initials, and the free text stays out.
      const shared = await getMinutes(deps, actorFor(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' });
      assert.ok(shared.ok);
      assert.deepEqual(shared.view.pupils.map((p) => [p.label, p.barriers, p.outcome]), [['A.B.', '', '']]);

      const mine = await getMyActions(deps, actorFor(fixture.staff.bostonMember!), 'own');
      assert.deepEqual(mine.actions.map((a) => [a.label, a.description, a.dueDate, a.overdue, a.district]), [['Aisha Bell', 'Early help assessment', '2026-12-02', false, 'Boston']]);
      assert.deepEqual((await getMyActions(deps, officer, 'own')).actions, []);

      // Saving again for the same meeting updates the one review and adds a second action.
      await saveReview(deps, officer, { district: 'Boston', pupilId, outcome: 'Parenting support agreed', actionWhat: 'Review attendance plan', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-12-09' }, 'own');
      const reviews = await getStore().db.selectFrom('pupil_review').selectAll().execute();
      assert.equal(reviews.length, 1);
      assert.deepEqual([reviews[0]!.barriers, reviews[0]!.outcome], ['Anxiety; transport', 'Parenting support agreed']);
      assert.equal((await getStore().db.selectFrom('cluster_action').selectAll().execute()).length, 2);
    });

    it('the minutes count what was recorded for an administrator, without listing pupils; other meetings and districts stay out', async () => {
      const officer = actorFor(fixture.staff.officer!);
      await saveReview(deps, officer, { district: 'Boston', pupilId: fixture.pupils.severe!.id, barriers: 'Transport', actionWhat: 'Bus pass', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-12-02' }, 'own');
      // An action only (no review) for a second pupil counts as reviewed too.
      await saveReview(deps, officer, { district: 'Boston', pupilId: fixture.pupils.paSocial!.id, actionWhat: 'Call home', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-12-03' }, 'own');
      await saveReview(deps, actorFor(fixture.staff.lincolnMember!), { district: 'Lincoln', pupilId: fixture.pupils.lincolnSevere!.id, barriers: 'Elsewhere' }, 'own');

      const admin = await getMinutes(deps, actorFor(fixture.staff.admin!), { district: 'Boston', view: 'own' });
      assert.ok(admin.ok);
      assert.deepEqual(admin.view.totals, { reviewed: 2, actions: 2, open: 2, done: 0, overdue: 0 });
      assert.deepEqual(admin.view.pupils, []);
      const manager = await getMinutes(deps, actorFor(fixture.staff.manager!), { district: 'Boston', view: 'own' });
      assert.ok(manager.ok);
      assert.deepEqual(manager.view.totals, { reviewed: 2, actions: 2, open: 2, done: 0, overdue: 0 });
      assert.deepEqual(manager.view.pupils.map((p) => [p.label, p.actions.length]).sort(), [['Aisha Bell', 1], ['Ben Carter', 1]]);
      // The school leader sees only their own school's pupils, and counts to match.
      const leader = await getMinutes(deps, actorFor(fixture.staff.bostonLeader!), { district: 'Boston', view: 'own' });
      assert.ok(leader.ok);
      assert.equal(leader.view.totals.reviewed, leader.view.pupils.length);
    });

    it('returns the form\'s problems by field and saves nothing', async () => {
      const result = await saveReview(deps, actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, actionWhat: 'Visit', actionOwner: String(fixture.staff.lincolnMember!.id), actionDue: '2026-11-01' }, 'own');
      assert.ok(result.ok);
      assert.deepEqual(result.ok && result.view.errors, { actionOwner: 'choose an owner from the list', actionDue: 'must be today or later' });
      assert.equal((await getStore().db.selectFrom('cluster_action').selectAll().execute()).length, 0);
      assert.equal((await getStore().db.selectFrom('cluster_meeting').selectAll().execute()).length, 0);
      const bad = await saveReview(deps, actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: 'abc' }, 'own');
      assert.equal(!bad.ok && bad.kind, 'invalid');
      assert.match(!bad.ok ? bad.message : '', /^Pupil: /);
    });

    it('another district\'s member cannot record anything for this district\'s pupils', async () => {
      const result = await saveReview(deps, actorFor(fixture.staff.lincolnMember!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, barriers: 'x' }, 'own');
      assert.equal(!result.ok && result.kind, 'not_in_scope');
      assert.equal((await getStore().db.selectFrom('pupil_review').selectAll().execute()).length, 0);
    });

    it('marks an action done; it leaves "my actions"', async () => {
      const officer = actorFor(fixture.staff.officer!);
      await saveReview(deps, officer, { district: 'Boston', pupilId: fixture.pupils.severe!.id, actionWhat: 'Call home', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-11-30' }, 'own');
      const action = await getStore().db.selectFrom('cluster_action').selectAll().executeTakeFirstOrThrow();
      const denied = await updateActionStatus(deps, actorFor(fixture.staff.lincolnMember!), { district: 'Boston', actionId: action.id, status: 'done' }, 'own');
      assert.equal(denied.ok, false);
      const done = await updateActionStatus(deps, officer, { district: 'Boston', actionId: action.id, status: 'done' }, 'own');
      assert.ok(done.ok);
      assert.equal(done.ok && done.view.actions[0]!.status, 'done');
      assert.deepEqual((await getMyActions(deps, officer, 'own')).actions, []);
    });

    it('queues one reminder per overdue action for its owner, once, rendered from the action as it stands', async () => {
      const db = getStore().db;
      const meeting = await db.insertInto('cluster_meeting').values({ district_id: fixture.bostonId, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
      const base = { school_urn: BOSTON_SECONDARY, meeting_id: meeting.id, status: 'open' as const, created_by: fixture.staff.officer!.id, created_at: NOW, closed_at: null, closed_by: null, overdue_notified_at: null };
      const actions = await db
        .insertInto('cluster_action')
        .values([
          { ...base, pupil_id: fixture.pupils.severe!.id, description: 'Overdue A', owner_id: fixture.staff.officer!.id, due_date: '2026-11-20' },
          { ...base, pupil_id: fixture.pupils.paSocial!.id, description: 'Overdue B', owner_id: fixture.staff.bostonMember!.id, due_date: '2026-11-24' },
          { ...base, pupil_id: fixture.pupils.paSocial!.id, description: 'Due today', owner_id: fixture.staff.officer!.id, due_date: '2026-11-25' },
          { ...base, pupil_id: fixture.pupils.paSocial!.id, description: 'Done late', owner_id: fixture.staff.officer!.id, due_date: '2026-11-01', status: 'done' as const },
        ])
        .returning('id')
        .execute();
      const [a, b] = actions.map((r) => r.id);
      assert.deepEqual(await queueOverdueReminders(db, clock), { queued: 2 });
      assert.deepEqual(await queueOverdueReminders(db, clock), { queued: 0 }, 'once per action');
      const rows = await db.selectFrom('alert_outbox').select(['kind', 'subject_id', 'staff_user_id', 'alert_id', 'conversation_id', 'status']).orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.kind, r.subject_id, r.staff_user_id, r.alert_id, r.conversation_id, r.status]),
        [
          ['cluster_overdue', a, fixture.staff.officer!.id, null, null, 'pending'],
          ['cluster_overdue', b, fixture.staff.bostonMember!.id, null, null, 'pending'],
        ],
      );
      const notice = await overdueNoticeFor(db, a!);
      assert.deepEqual([notice?.description, notice?.pupilInitials, notice?.ownerName], ['Overdue A', 'A.B.', 'Ola Officer']);
      await db.updateTable('cluster_action').set({ status: 'done' }).where('id', '=', b!).execute();
      assert.equal(await overdueNoticeFor(db, b!), null, 'closed before the reminder went: nothing to send');
    });
  });
});
