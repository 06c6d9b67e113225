import assert from 'node:assert/strict';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { messageActivity, TEST_USERS, type TestUser } from '../helpers/activities';
import { firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { cardText } from '../helpers/card-check';
import { startFakeOpenAI, toolCall, type FakeOpenAI } from '../helpers/fake-openai';
import { CONTACT, DISCLOSURES, PLAIN_EXAMPLES, replyTexts, seedPlainLanguageCounty } from '../helpers/plain-language';
import { LINCOLN_SCHOOL, NOW, type ClusterFixture } from '../services/cluster/cluster-fixture';

/**
 * Plain language through a language model: the real `openai` client against a fake
 * OpenAI-compatible server on loopback. The model only chooses the tool; the command's own route
 * answers. Failures fall back to the local router, and the fake never sees a child's details or a
 * disclosure.
 */
describe('plain language over HTTP, with a model', () => {
  let store: Store;
  let fixture: ClusterFixture;
  let fake: FakeOpenAI;
  let bot: RunningBot;

  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedPlainLanguageCounty(store);
    fake = await startFakeOpenAI();
    bot = await startBot({
      store,
      clock: fixedClock(NOW),
      env: { SAFEGUARDING_CONTACT: CONTACT, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: 'fake-model', OPENAI_TIMEOUT_MS: '300' },
    });
  });
  after(async () => {
    await bot.close();
    await fake.close();
    await store.close();
  });

  /** Sends a message; returns the replies and the requests the fake received meanwhile. */
  async function ask(text: string, from: TestUser = TEST_USERS.manager) {
    const seen = fake.requests.length;
    const replies = await bot.say(messageActivity(text, { from }));
    return { replies, requests: fake.requests.slice(seen) };
  }

  for (const example of PLAIN_EXAMPLES) {
    it(`"${example.text}" goes through the model's tool call to the command's answer`, async () => {
      fake.queue(example.model);
      const { replies, requests } = await ask(example.text, example.from);
      assert.equal(requests.length, 1, 'one model call');
      assert.equal(requests[0].model, 'fake-model');
      assert.equal(requests[0].tools.length, 10);
      assert.ok(requests[0].tools.every((t: any) => t.type === 'function' && t.function.parameters.type === 'object'));
      assert.match(replies[0].text, /Next time you can type `/);
      assert.match(replyTexts(replies.slice(1)).join('\n'), example.answer);
    });
  }

  it("follows the model's choice (not the local router's), in the store's spelling of the district", async () => {
    fake.queue(toolCall('cluster_minutes', { district: 'BOSTON' }));
    const { replies } = await ask("show me Boston's agenda");
    assert.match(replies[0].text, /Next time you can type `cluster Boston minutes`/);
    assert.match(cardText(firstCard(replies)), /Boston cluster minutes/);
  });

  it('repairs a bad call once: the model is told what was wrong and its second call is used', async () => {
    fake.queue(toolCall('cluster_agenda', { district: 'Atlantis' }), toolCall('cluster_agenda', { district: 'Lincoln' }));
    const { replies, requests } = await ask('the agenda for the meeting up the road');
    assert.equal(requests.length, 2);
    const repair = requests[1].messages.at(-1);
    assert.equal(repair.role, 'tool');
    assert.match(repair.content, /district: "Atlantis" is not a district/);
    assert.match(replies[0].text, /Next time you can type `cluster Lincoln`/);
  });

  it('gives up after one repair round and lets the local router answer', async () => {
    fake.queue(toolCall('cluster_agenda', {}), toolCall('pupil_search', { name: 'x' }));
    const { replies, requests } = await ask("show me Boston's agenda");
    assert.equal(requests.length, 2, 'no third call');
    assert.match(replies[0].text, /^Showing the Boston agenda\. Next time you can type `cluster Boston`\.$/);
  });

  for (const status of [429, 500]) {
    it(`answers with the local router when the model answers ${status}`, async () => {
      fake.queue({ status });
      const { replies, requests } = await ask("what's in the minutes from the last Lincoln meeting");
      assert.equal(requests.length, 1, 'no retry');
      assert.match(replies[0].text, /Next time you can type `cluster Lincoln minutes`/);
      assert.match(cardText(firstCard(replies)), /Lincoln cluster minutes/);
    });
  }

  it('answers with the local router when the model does not answer in time', async () => {
    fake.queue({ hang: true });
    const { replies, requests } = await ask('any new permanent exclusions?');
    assert.equal(requests.length, 1);
    assert.match(replies[0].text, /Next time you can type `alerts list`/);
  });

  it('answers with the local router when the model answers in prose', async () => {
    fake.queue({ text: 'Sure! Here is the agenda...' });
    const { replies } = await ask('what are my overdue actions?', TEST_USERS.attendanceOfficer);
    assert.match(replies[0].text, /Next time you can type `my actions`/);
  });

  it("leaves scope to the service: the model's call for another district's agenda shows a school leader none of its pupils", async () => {
    fake.queue(toolCall('cluster_agenda', { district: 'Boston' }));
    const { replies } = await ask('which children from the other town are on the list', TEST_USERS.schoolLeader);
    const all = replyTexts(replies).join('\n');
    assert.match(all, /Next time you can type `cluster Boston`/);
    const boston = Object.values(fixture.pupils).filter((p) => p.school !== LINCOLN_SCHOOL);
    for (const p of boston) assert.ok(!all.includes(p.surname), 'no Boston pupil shown');
  });

  for (const disclosure of DISCLOSURES) {
    it(`never sends "${disclosure}" to the model: the safeguarding route answers`, async () => {
      fake.queue(toolCall('help', {}));
      const { replies, requests } = await ask(disclosure, TEST_USERS.schoolLeader);
      assert.equal(requests.length, 0, 'the fake received nothing');
      assert.match(replies[0].text, /designated safeguarding lead/);
      assert.ok(replies[0].text.includes(CONTACT));
    });
  }

  it("sends no pupil's name, UPN or date of birth to the model in anything it received during the run", async () => {
    const pupils = await store.db.selectFrom('pupil').select(['legal_forename', 'legal_surname', 'preferred_forename', 'upn', 'date_of_birth']).execute();
    const bell = pupils.find((p) => p.legal_surname === 'Bell')!;
    const [y, m, d] = bell.date_of_birth.split('-');
    fake.queue(toolCall('ladder_search', { situation: 'keeps walking out' }));
    fake.queue(toolCall('help', {}));
    await ask(`what should we do about ${bell.legal_forename} ${bell.legal_surname}, UPN ${bell.upn}, born ${bell.date_of_birth}, who keeps walking out`, TEST_USERS.attendanceOfficer);
    await ask(`is ${bell.legal_surname.toLowerCase()} (dob ${d}/${m}/${y}) on the boston list?`, TEST_USERS.attendanceOfficer);
    assert.ok(fake.rawBodies.length >= PLAIN_EXAMPLES.length + 2);
    const everything = fake.rawBodies.join('\n');
    assert.match(everything, /\[name\] \[name\], UPN \[UPN\], born \[date\]/, 'placeholders stand in for the details');
    for (const p of pupils) {
      for (const name of [p.legal_forename, p.legal_surname, p.preferred_forename].filter((n): n is string => !!n)) {
        assert.doesNotMatch(everything, new RegExp(`\\b${name}\\b`, 'i'), 'a pupil name reached the model');
      }
      assert.ok(!everything.includes(p.upn), 'a UPN reached the model');
      assert.ok(!everything.includes(p.date_of_birth), 'a date of birth reached the model');
    }
    for (const disclosure of DISCLOSURES) assert.ok(!everything.includes(disclosure), 'a disclosure reached the model');
  });
});
