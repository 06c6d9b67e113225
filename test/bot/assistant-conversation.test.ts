import assert from 'node:assert/strict';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { messageActivity, TEST_USERS } from '../helpers/activities';
import { firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText } from '../helpers/card-check';
import { LINCOLN_SCHOOL, NOW, type ClusterFixture } from '../services/cluster/cluster-fixture';
import { CONTACT, DISCLOSURES, PLAIN_EXAMPLES, replyTexts, seedPlainLanguageCounty } from '../helpers/plain-language';

/**
 * Plain language over HTTP, with no language model: the examples reach the same cards as
 * the commands, the bot says what it understood, a disclosure gets the safeguarding route (and an
 * audit row without the text), and unclear text gets command buttons.
 */

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

  it("offers only commands the asker's role may use", async () => {
    const replies = await bot.say(messageActivity('what is the weather', { from: TEST_USERS.admin }));
    const buttons = replies[0].attachments[0].content.buttons as { value: string }[];
    assert.ok(buttons.length >= 2 && buttons.length <= 3);
    assert.ok(!buttons.some((b) => /^(alerts|my actions)/.test(b.value)), JSON.stringify(buttons));
  });
});
