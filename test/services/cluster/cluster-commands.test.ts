import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import {
  NO_PUPIL_MATCH,
  PUPIL_PROMPT,
  runActionStatus,
  runAgendaAction,
  runClusterCommand,
  runNominateAction,
  runPupilCommand,
  runReviewAction,
  type ClusterReply,
} from '../../../services/cluster/cluster-commands';
import type { ClusterDeps } from '../../../services/cluster/cluster-service-types';
import { forEachEngine } from '../../helpers/test-stores';
import { actorFor, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';

/** The cluster conversation's replies, without Teams: which reply each input gets. */
describe('cluster commands (services/cluster/cluster-commands.ts)', () => {
  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    let ctx: ClusterDeps;
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      await seedAttendance(getStore().db, fixture);
      ctx = { db: getStore().db, calendar: testCalendar(), clock: fixedClock(NOW) };
    });
    const actor = (key: string, chat: 'personal' | 'groupChat' = 'personal') => actorFor(fixture.staff[key]!, chat);
    const kindOf = (reply: ClusterReply) => reply.kind;

    it('asks which district, naming them, when none is given; a district outside the scope is a notice', async () => {
      const ask = await runClusterCommand(ctx, actor('officer'), 'cluster', 'own');
      assert.deepEqual(ask, {
        kind: 'message',
        message: 'Which district? For example **cluster Boston agenda**, **cluster Boston candidates** or **cluster Boston minutes**. Districts: Boston, Lincoln.',
      });
      const outside = await runClusterCommand(ctx, actor('officer'), 'cluster Lincoln agenda', 'own');
      assert.equal(outside.kind, 'notice');
      assert.deepEqual(
        await Promise.all(['cluster Boston', 'cluster boston minutes', 'cluster Boston candidates cohort ehcp'].map(async (t) => kindOf(await runClusterCommand(ctx, actor('officer'), t, 'own')))),
        ['agenda', 'minutes', 'candidates'],
      );
    });

    it('pupil: a prompt for nothing typed, a plain answer for no match, a list for several, the review for one', async () => {
      assert.deepEqual(await runPupilCommand(ctx, actor('manager'), '   ', 'own'), { kind: 'message', message: PUPIL_PROMPT });
      assert.deepEqual(await runPupilCommand(ctx, actor('manager'), ' Nobody Here ', 'own'), { kind: 'message', message: NO_PUPIL_MATCH });
      const several = await runPupilCommand(ctx, actor('manager'), 'Ca', 'own');
      assert.equal(several.kind, 'search');
      const one = await runPupilCommand(ctx, actor('officer'), 'Aisha Bell', 'shared');
      assert.ok(one.kind === 'review', one.kind);
      assert.equal(one.view.label, 'A.B.');
      assert.equal((await runPupilCommand(ctx, actor('admin'), 'Aisha', 'own')).kind, 'notice');
    });

    it('answers a button with missing or malformed data in words naming what is wrong, and reads nothing', async () => {
      assert.deepEqual(await runAgendaAction(ctx, actor('officer'), {}), { kind: 'message', message: 'That card is out of date: the card has no district.' });
      assert.deepEqual(await runReviewAction(ctx, actor('officer'), { district: 'Boston' }, { postInChat: false }), {
        kind: 'message',
        message: 'That card is out of date: the card has no pupil.',
      });
      assert.equal((await runNominateAction(ctx, actor('officer'), { district: 'Boston' })).kind, 'message');
      assert.equal((await runActionStatus(ctx, actor('officer'), {})).kind, 'notice');
      assert.deepEqual(await getStore().db.selectFrom('audit_log').select('id').execute(), []);
    });

    it('opens a review in the reader’s own view, or as the minimised copy to post in a chat', async () => {
      const pupilId = fixture.pupils.severe!.id;
      const own = await runReviewAction(ctx, actor('officer'), { district: 'Boston', pupilId }, { postInChat: false });
      assert.ok(own.kind === 'review', own.kind);
      assert.equal(own.view.label, 'Aisha Bell');
      const posted = await runReviewAction(ctx, actor('officer', 'groupChat'), { district: 'Boston', pupilId }, { postInChat: true });
      assert.ok(posted.kind === 'posted review', posted.kind);
      assert.equal(posted.message, 'The review of A.B. is posted below.');
      const refused = await runReviewAction(ctx, actor('lincolnMember', 'groupChat'), { district: 'Boston', pupilId }, { postInChat: true });
      assert.equal(refused.kind, 'message', 'a refusal while posting is answered in words, not a card');
    });
  });
});
