import assert from 'node:assert/strict';
import { ALL_VERBS } from '../../cards/verbs';
import { TEST_USERS, executeActivity } from '../helpers/activities';
import { startBot, type RunningBot } from '../helpers/bot-harness';

/**
 * The verb registry is the contract between cards and handlers: every verb a card can carry must
 * be routed. An unrouted Action.Execute is answered 501 by the adapter; a routed one answers 200
 * even with empty data (a handler validates its input and says what is wrong).
 */
describe('card verb registry', () => {
  let bot: RunningBot;
  before(async () => {
    bot = await startBot();
  });
  after(async () => {
    await bot.close();
  });

  it('has no duplicate verbs', () => {
    assert.equal(new Set(ALL_VERBS).size, ALL_VERBS.length);
  });

  for (const verb of ALL_VERBS) {
    it(`routes "${verb}"`, async () => {
      const { status } = await bot.post(executeActivity(verb, {}, { from: TEST_USERS.admin }));
      assert.equal(status, 200);
    });
  }

  it('answers 501 for a verb nobody handles (so the checks above can fail)', async () => {
    const { status } = await bot.post(executeActivity('no.such.verb', {}, { from: TEST_USERS.admin }));
    assert.equal(status, 501);
  });
});
