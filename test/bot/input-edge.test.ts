import assert from 'node:assert/strict';
import { VERBS } from '../../cards/verbs';
import { fixedClock } from '../../services/clock';
import type { Store } from '../../services/store/open-store';
import { executeActivity, messageActivity, TEST_USERS } from '../helpers/activities';
import { firstCard, insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { cardText } from '../helpers/card-check';
import { forEachEngine } from '../helpers/test-stores';
import { NOW, seedAttendance, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/**
 * Hostile input at the conversation edge behaves the same on SQLite and PostgreSQL: a NUL in typed
 * text is removed (PostgreSQL refuses it), an id past PostgreSQL's integer range is a clear message,
 * and an activity whose ids carry control characters is dropped before anything is stored.
 */
describe('conversation input edge', () => {
  forEachEngine((getStore) => {
    let store: Store;
    let bot: RunningBot;
    let fixture: ClusterFixture;
    let officerId: number;
    const from = TEST_USERS.attendanceOfficer;

    beforeEach(async () => {
      store = getStore();
      fixture = await seedCounty(store.db, { staff: false });
      await seedAttendance(store.db, fixture);
      await insertStaff(store, [
        { user: TEST_USERS.manager, role: 'la_manager', scope: 'county' },
        { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' },
      ]);
      officerId = (await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', from.aadObjectId).executeTakeFirstOrThrow()).id;
      bot = await startBot({ store, clock: fixedClock(NOW) });
    });
    afterEach(async () => {
      await bot.close();
    });

    it('saves a typed review holding a NUL, without the NUL and without losing the text', async () => {
      const pupilId = fixture.pupils.severe!.id;
      const response = await bot.post(
        executeActivity(
          VERBS.clusterReviewSave,
          {
            district: 'Bos\u0000ton',
            pupilId,
            barriers: 'Anxiety\u0000 about transport\nand mornings',
            outcome: 'Family\u0000 agreed',
            actionWhat: 'Early help\u0000 assessment',
            actionOwner: String(officerId),
            actionDue: '2026-12-02',
          },
          { from },
        ),
      );
      assert.equal(response.status, 200);
      assert.match(cardText(response.body.value), /Saved by Ola Officer/);
      const review = await store.db.selectFrom('pupil_review').select(['barriers', 'outcome']).where('pupil_id', '=', pupilId).executeTakeFirstOrThrow();
      assert.deepEqual(review, { barriers: 'Anxiety about transport\nand mornings', outcome: 'Family agreed' });
      const action = await store.db.selectFrom('cluster_action').select('description').executeTakeFirstOrThrow();
      assert.equal(action.description, 'Early help assessment');
    });

    it('answers a command holding a NUL like the same command without it', async () => {
      const agenda = firstCard(await bot.say(messageActivity('cluster Bos\u0000ton', { from })));
      assert.match(cardText(agenda), /Boston attendance cluster/);
      const ladder = await bot.post(messageActivity('ladder walks\u0000 out of lessons', { from }));
      assert.equal(ladder.status, 200);
      const queries = await store.db.selectFrom('ladder_query').selectAll().execute();
      assert.ok(queries.every((q) => !JSON.stringify(q).includes('\\u0000')));
    });

    it('gives a clear message, not a server error, for a card id of 2^31 or more', async () => {
      const huge = 2 ** 31;
      const review = await bot.post(executeActivity(VERBS.clusterReview, { district: 'Boston', pupilId: huge }, { from }));
      assert.equal(review.status, 200);
      assert.match(JSON.stringify(review.body), /pupil number is not valid/);
      const save = await bot.post(executeActivity(VERBS.clusterReviewSave, { district: 'Boston', pupilId: String(huge), barriers: 'typed text' }, { from }));
      assert.equal(save.status, 200);
      assert.match(cardText(save.body.value), /Pupil: is not a valid record number/);
      const status = await bot.post(executeActivity(VERBS.clusterActionStatus, { district: 'Boston', pupilId: fixture.pupils.severe!.id, actionId: huge, status: 'done' }, { from }));
      assert.equal(status.status, 200);
      assert.match(JSON.stringify(status.body), /actionId: is not a valid record number/);
      for (const verb of [VERBS.alertAcknowledge, VERBS.alertTimeline, VERBS.alertRefresh]) {
        const pressed = await bot.post(executeActivity(verb, { alertId: huge }, { from: TEST_USERS.manager }));
        assert.equal(pressed.status, 200, verb);
        assert.match(JSON.stringify(pressed.body), /not valid|out of date/, verb);
      }
      const ack = await bot.post(executeActivity(VERBS.alertAcknowledge, { alertId: huge }, { from: TEST_USERS.manager }));
      assert.match(JSON.stringify(ack.body), /alertId: is not a valid record number/);
    });

    it('drops an activity whose conversation id holds a NUL, storing nothing, on both stores', async () => {
      const response = await bot.post(messageActivity('help', { from, conversationId: 'conv-\u0000-evil' }));
      assert.ok(response.status < 500, `status ${response.status}`);
      assert.deepEqual(response.body?.activities ?? [], []);
      const refs = await store.db.selectFrom('conversation_ref').select('conversation_id').execute();
      assert.deepEqual(refs, []);
      // The same user in an ordinary conversation is answered.
      assert.ok((await bot.say(messageActivity('help', { from }))).length > 0);
    });
  });
});
