import assert from 'node:assert/strict';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { fixedClock } from '../../services/clock';
import { seedDemoCounty } from '../../scripts/demo/seed-demo-county';
import { openStore, type Store } from '../../services/store/open-store';
import { messageActivity, TEST_USERS } from '../helpers/activities';
import { startBot, type RunningBot } from '../helpers/bot-harness';
import { startFakeOpenAI, toolCall, type FakeOpenAI } from '../helpers/fake-openai';
import { DISCLOSURES, PLAIN_EXAMPLES } from '../helpers/plain-language';

/**
 * The privacy check over a (small) demo county, its Playground users asking the examples,
 * disclosures, and questions that name real pupils of the county: no request the fake model
 * received holds any pupil's name, UPN or date of birth.
 */
describe('plain language with a model over the demo county: no child data reaches the model', () => {
  const clock = fixedClock('2026-11-25T10:00:00Z');
  let store: Store;
  let fake: FakeOpenAI;
  let bot: RunningBot;

  before(async function () {
    this.timeout(120_000);
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    await seedDemoCounty(store, { pupils: 800, seed: 'assistant-privacy', clock, calendar: loadCalendar() });
    fake = await startFakeOpenAI();
    bot = await startBot({ store, clock, env: { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.baseURL, OPENAI_TIMEOUT_MS: '2000' } });
  });
  after(async () => {
    await bot?.close();
    await fake?.close();
    await store?.close();
  });

  it('sends placeholders, never a pupil name, UPN or date of birth', async function () {
    this.timeout(120_000);
    const pupils = await store.db.selectFrom('pupil').select(['legal_forename', 'legal_surname', 'preferred_forename', 'upn', 'date_of_birth']).orderBy('id').execute();
    const asked: string[] = PLAIN_EXAMPLES.map((e) => e.text);
    for (const p of pupils.slice(0, 10)) {
      const [y, m, d] = p.date_of_birth.split('-');
      asked.push(`what should we do about ${p.legal_forename} ${p.legal_surname} (${p.upn}, born ${d}/${m}/${y}) who keeps walking out of lessons`);
      asked.push(`is ${(p.preferred_forename ?? p.legal_forename).toLowerCase()} ${p.legal_surname.toUpperCase()} born ${p.date_of_birth} on the agenda`);
    }
    asked.push(...DISCLOSURES);
    for (const text of asked) {
      fake.queue(toolCall('help', {}));
      await bot.say(messageActivity(text, { from: TEST_USERS.attendanceOfficer }));
    }
    // Every non-disclosure reached the fake; no disclosure did.
    assert.equal(fake.rawBodies.length, asked.length - DISCLOSURES.length);
    const everything = fake.rawBodies.join('\n');
    assert.match(everything, /\[name\] \[name\] \(\[UPN\], born \[date\]\)/);
    const names = new Set(pupils.flatMap((p) => [p.legal_forename, p.legal_surname, p.preferred_forename]).filter((n): n is string => !!n));
    for (const name of names) assert.doesNotMatch(everything, new RegExp(`\\b${name.replace(/[^A-Za-z'-]/g, '.')}\\b`, 'i'), `a pupil name reached the model`);
    for (const p of pupils) {
      assert.ok(!everything.includes(p.upn), 'a UPN reached the model');
      assert.ok(!everything.includes(p.date_of_birth), 'a date of birth reached the model');
    }
    for (const disclosure of DISCLOSURES) assert.ok(!everything.includes(disclosure), 'a disclosure reached the model');
  });
});
