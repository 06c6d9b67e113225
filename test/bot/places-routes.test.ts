import assert from 'node:assert/strict';
import { fixedClock } from '../../services/clock';
import { PLACES_REFUSAL } from '../../services/places/places-overview';
import '../../services/places/places-schema';
import { openStore, type Store } from '../../services/store/open-store';
import { TEST_USERS, messageActivity } from '../helpers/activities';
import { insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText } from '../helpers/card-check';
import { insertFixtureCounty } from '../helpers/fixtures';

const clock = fixedClock('2026-11-25T10:00:00Z');

describe('places over HTTP', () => {
  let store: Store;
  let bot: RunningBot;

  beforeEach(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    const county = await insertFixtureCounty(store);
    await insertStaff(store);
    await store.db
      .insertInto('ap_hub')
      .values({ provider: 'Test AP', hub: 'Boston Hub', district_id: county.districtIds.Boston, phase: 'secondary', commissioned_places: 16, transient_places: 3, contact: null, updated_at: '2026-11-01T00:00:00Z' })
      .execute();
    bot = await startBot({ store, clock });
  });
  afterEach(async () => {
    await bot.close();
    await store.close();
  });

  it('answers an LA manager with the places card and a school leader with a refusal', async () => {
    const [reply] = await bot.say(messageActivity('places', { from: TEST_USERS.manager }));
    const card = reply.attachments[0].content;
    assertValidCard(card);
    assert.match(cardText(card), /Boston Hub · Boston \(secondary\)/);
    const [refused] = await bot.say(messageActivity('places', { from: TEST_USERS.schoolLeader }));
    assert.equal(refused.text, PLACES_REFUSAL);
    assert.equal(refused.attachments, undefined);
  });
});
