import assert from 'node:assert/strict';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { messageActivity, TEST_USERS, type TestUser } from '../helpers/activities';
import { firstCard, insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText } from '../helpers/card-check';
import { LINCOLN_SCHOOL, NOW, seedAttendance, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/**
 * Plain language over HTTP, with no language model: the examples reach the same cards as
 * the commands, the bot says what it understood, a disclosure gets the safeguarding route (and an
 * audit row without the text), and unclear text gets command buttons.
 */

export interface PlainExample {
  text: string;
  from: TestUser;
  /** The first line the bot says. */
  understood: RegExp;
  /** The card (or text) the command answers with. */
  answer: RegExp;
}

export const PLAIN_EXAMPLES: PlainExample[] = [
  {
    text: 'what should we do about a Y9 girl with an EHCP who has had three suspensions this term?',
    from: TEST_USERS.schoolLeader,
    understood: /^Looking that situation up on the ladder.*Next time you can type `ladder a Y9 girl with an EHCP who has had three suspensions this term`\.$/,
    answer: /Ladder: best matches/,
  },
  { text: "show me Boston's agenda", from: TEST_USERS.manager, understood: /^Showing the Boston agenda\. Next time you can type `cluster Boston`\.$/, answer: /Boston attendance cluster/ },
  {
    text: "what's in the minutes from the last Lincoln meeting",
    from: TEST_USERS.manager,
    understood: /Next time you can type `cluster Lincoln minutes`\./,
    answer: /Lincoln cluster minutes/,
  },
  { text: 'what are my overdue actions?', from: TEST_USERS.attendanceOfficer, understood: /Next time you can type `my actions`\./, answer: /My cluster actions/ },
  { text: 'any new permanent exclusions?', from: TEST_USERS.manager, understood: /Next time you can type `alerts list`\./, answer: /Open exclusion alerts/ },
  {
    text: 'subscribe me to alerts for South Holland',
    from: TEST_USERS.manager,
    understood: /Next time you can type `alerts subscribe district South Holland`\./,
    answer: /Subscribed: district South Holland/,
  },
  { text: 'who do I call about a child missing education?', from: TEST_USERS.schoolLeader, understood: /Next time you can type `ladder a child missing education`\./, answer: /Ladder: best matches|Ladder/ },
];

export const DISCLOSURES = ['she told me her stepdad hits her', "a Y6 boy has bruises he won't explain"];

export const CONTACT = "Children's Services front door 01234 567890";

/** Every reply's text and card text, in order. */
export function replyTexts(replies: any[]): string[] {
  return replies.map((r) => [r.text ?? '', ...(r.attachments ?? []).map((a: any) => (a.contentType === 'application/vnd.microsoft.card.adaptive' ? cardText(a.content) : JSON.stringify(a.content)))].join('\n'));
}

export async function seedPlainLanguageCounty(store: Store): Promise<ClusterFixture> {
  const fixture = await seedCounty(store.db, { staff: false });
  await seedAttendance(store.db, fixture);
  await store.db.insertInto('district').values({ name: 'South Holland', la_code: '925' }).execute();
  await insertStaff(store);
  return fixture;
}

describe('plain language over HTTP, without a model', () => {
  let store: Store;
  let fixture: ClusterFixture;
  let bot: RunningBot;

  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedPlainLanguageCounty(store);
    bot = await startBot({ store, clock: fixedClock(NOW), env: { SAFEGUARDING_CONTACT: CONTACT } });
  });
  after(async () => {
    await bot.close();
    await store.close();
  });

  for (const example of PLAIN_EXAMPLES) {
    it(`"${example.text}" says what it understood, then answers as the command does`, async () => {
      const replies = await bot.say(messageActivity(example.text, { from: example.from }));
      assert.ok(replies.length >= 2, `two replies expected, got ${JSON.stringify(replyTexts(replies))}`);
      assert.match(replies[0].text, example.understood);
      const rest = replyTexts(replies.slice(1)).join('\n');
      assert.match(rest, example.answer);
      for (const reply of replies.slice(1)) for (const a of reply.attachments ?? []) if (a.contentType === 'application/vnd.microsoft.card.adaptive') assertValidCard(a.content);
    });
  }

  it('gives the same card as the typed command', async () => {
    const typed = firstCard(await bot.say(messageActivity('cluster Boston', { from: TEST_USERS.manager })));
    const plain = firstCard(await bot.say(messageActivity("show me Boston's agenda", { from: TEST_USERS.manager })));
    assert.deepEqual(plain, typed);
  });

  it('keeps commands exactly as they were: no "next time" line', async () => {
    const replies = await bot.say(messageActivity('cluster Boston', { from: TEST_USERS.manager }));
    assert.equal(replies.length, 1);
    assert.match(cardText(firstCard(replies)), /Boston attendance cluster/);
  });

  it("leaves scope to the service: a Lincoln school leader asking for Boston's agenda sees none of its pupils", async () => {
    const replies = await bot.say(messageActivity('show me the Boston agenda', { from: TEST_USERS.schoolLeader }));
    assert.match(replies[0].text, /Next time you can type `cluster Boston`/);
    const all = replyTexts(replies).join('\n');
    const boston = Object.values(fixture.pupils).filter((p) => p.school !== LINCOLN_SCHOOL);
    assert.ok(boston.length > 0);
    for (const p of boston) assert.ok(!all.includes(p.surname), 'no Boston pupil shown');
  });

  for (const disclosure of DISCLOSURES) {
    it(`answers "${disclosure}" with the safeguarding route and the contact, and audits it without the text`, async () => {
      const before = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'safeguarding.redirect').execute();
      const replies = await bot.say(messageActivity(disclosure, { from: TEST_USERS.schoolLeader }));
      assert.equal(replies.length, 1);
      assert.match(replies[0].text, /designated safeguarding lead/);
      assert.ok(replies[0].text.includes(CONTACT), 'the configured contact');
      assert.match(replies[0].text, /999/);
      assert.doesNotMatch(replies[0].text, /Next time you can type/);
      const rows = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'safeguarding.redirect').execute();
      assert.equal(rows.length, before.length + 1);
      const row = rows[rows.length - 1]!;
      assert.equal(row.subject_count, 0);
      assert.equal(row.subject_ids, '');
      const everything = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      for (const word of disclosure.split(' ').filter((w) => w.length > 4)) assert.ok(!everything.includes(word), `audit holds no words of the message ("${word}")`);
    });
  }

  it('offers two or three commands as buttons for unclear text, never a bare "didn\'t understand"', async () => {
    const replies = await bot.say(messageActivity('what is the weather', { from: TEST_USERS.attendanceOfficer }));
    assert.equal(replies.length, 1);
    assert.doesNotMatch(replies[0].text, /didn't understand/);
    const hero = replies[0].attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.hero');
    assert.ok(hero, 'a card with buttons');
    const buttons = hero.content.buttons as { type: string; value: string }[];
    assert.ok(buttons.length >= 2 && buttons.length <= 3, `2-3 buttons, got ${buttons.length}`);
    for (const b of buttons) assert.equal(b.type, 'imBack');
    assert.ok(buttons.some((b) => b.value === 'help'));
    // Each button sends a command that works as typed.
    const pressed = await bot.say(messageActivity(buttons.find((b) => b.value !== 'help')!.value, { from: TEST_USERS.attendanceOfficer }));
    assert.ok(pressed.length >= 1);
    assert.doesNotMatch(replyTexts(pressed).join('\n'), /Next time you can type|I am not sure/);
  });
});
