import assert from 'node:assert/strict';
import { VERBS } from '../../cards/verbs';
import { createLogger } from '../../services/logger';
import { TEST_USERS, executeActivity, mentionActivity, messageActivity, type TestUser } from '../helpers/activities';
import { firstCard, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard, cardText } from '../helpers/card-check';

/** Every Action.Execute in a card, with where it sits. */
function executes(card: unknown): { verb: string; title: string; data: Record<string, unknown> }[] {
  const out: { verb: string; title: string; data: Record<string, unknown> }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push({ verb: o.verb as string, title: o.title as string, data: (o.data ?? {}) as Record<string, unknown> });
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** Presses a button as Teams does and returns the card it was replaced with. */
async function press(bot: RunningBot, button: { verb: string; data: Record<string, unknown> }, from: TestUser = TEST_USERS.schoolLeader) {
  const { status, body } = await bot.post(executeActivity(button.verb, button.data, { from }));
  assert.equal(status, 200);
  assert.equal(body.statusCode, 200);
  assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(body));
  assertValidCard(body.value);
  return body.value;
}

describe('ladder conversation over HTTP', () => {
  let bot: RunningBot;
  const logLines: string[] = [];
  before(async () => {
    bot = await startBot({ logger: createLogger('debug', (line) => logLines.push(line)) });
  });
  after(async () => {
    await bot.close();
  });

  it('walks ladder -> rung -> next rung -> feedback, each button updating the card in place', async () => {
    const overview = firstCard(await bot.say(messageActivity('ladder', { from: TEST_USERS.schoolLeader })));
    assertValidCard(overview);
    assert.match(cardText(overview), /Part one: persistent misconduct/);

    const openStepOne = executes(overview).find((a) => a.verb === VERBS.ladderRung && a.data.id === 'step-1');
    assert.ok(openStepOne, 'the overview opens step one');
    const stepOne = await press(bot, openStepOne);
    assert.match(cardText(stepOne), /Step one: School-led assessment of needs/);

    const next = executes(stepOne).find((a) => a.title === 'Next rung ›');
    assert.ok(next);
    const stepTwo = await press(bot, next);
    assert.match(cardText(stepTwo), /Step two: Early intervention/);

    const yes = executes(stepTwo).find((a) => a.verb === VERBS.ladderFeedback && a.data.verdict === 'yes');
    assert.ok(yes, 'the rung card asks whether it was useful');
    const thanked = await press(bot, yes);
    assert.match(cardText(thanked), /Step two: Early intervention/);
    assert.match(cardText(thanked), /Thanks, glad it helped/);
    assert.equal(executes(thanked).filter((a) => a.verb === VERBS.ladderFeedback).length, 0);

    const rows = await bot.store.db.selectFrom('ladder_feedback').selectAll().execute();
    const leader = await bot.store.db.selectFrom('staff_user').select('id').where('name', '=', TEST_USERS.schoolLeader.name).executeTakeFirstOrThrow();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.staff_user_id, leader.id);
    assert.equal(rows[0]!.entry_id, 'step-2');
    assert.equal(rows[0]!.verdict, 'yes');
  });

  it('saves checklist ticks and shows them again when the same user reopens the rung for the same situation', async () => {
    const results = firstCard(await bot.say(messageActivity('ladder keeps walking out of lessons, PSP in place', { from: TEST_USERS.schoolLeader })));
    const open = executes(results).find((a) => a.verb === VERBS.ladderRung)!;
    const rung = await press(bot, open);
    const save = executes(rung).find((a) => a.verb === VERBS.ladderChecklist);
    assert.ok(save, 'the rung card has a save button for the checklist');
    const toggleIds = (JSON.stringify(rung).match(/"type":"Input\.Toggle","id":"(tick-[0-9a-f]+)"/g) ?? []).map((m) => m.slice(-18, -1));
    assert.ok(toggleIds.length >= 2);
    // Teams sends the button's data merged with every input's value.
    const inputs = Object.fromEntries(toggleIds.map((id, i) => [id, i === 0 ? 'true' : 'false']));
    const saved = await press(bot, { verb: save.verb, data: { ...save.data, ...inputs } });
    assert.match(cardText(saved), /Saved: 1 of \d+ done/);

    const reopened = await press(bot, open);
    assert.ok(JSON.stringify(reopened).includes(`"id":"${toggleIds[0]}","title"`), 'toggle present');
    assert.match(JSON.stringify(reopened), new RegExp(`"id":"${toggleIds[0]}","title":"[^"]*","value":"true"`), 'the tick is restored');
    const otherUser = await press(bot, open, TEST_USERS.manager);
    assert.doesNotMatch(JSON.stringify(otherUser), /"value":"true"/, 'another user sees their own (empty) checklist');
  });

  it('opens a rung by number or name', async () => {
    assert.match(cardText(firstCard(await bot.say(messageActivity('ladder 2', { from: TEST_USERS.schoolLeader })))), /Step two:/);
    assert.match(cardText(firstCard(await bot.say(messageActivity('Ladder step three', { from: TEST_USERS.schoolLeader })))), /Step three:/);
    assert.match(cardText(firstCard(await bot.say(messageActivity('ladder pre-ladder', { from: TEST_USERS.schoolLeader })))), /Pre-ladder:/);
  });

  it('answers a situation with the best matches and why, counts the search, and never logs the question', async () => {
    const question = 'Y8 keeps walkd out of lessons, looked after, second suspension this term';
    const card = firstCard(await bot.say(mentionActivity(`ladder ${question}`, { from: TEST_USERS.schoolLeader })));
    assertValidCard(card);
    const all = cardText(card);
    assert.match(all, /Best fit/);
    assert.match(all, /Matches: /);
    assert.match(all, /virtual school head/, 'situation points for a looked-after pupil');

    const open = executes(card).find((a) => a.verb === VERBS.ladderRung);
    const rung = await press(bot, open!);
    assert.match(cardText(rung), /For this situation/, 'the question travels with the button');

    const searches = await bot.store.db.selectFrom('ladder_query').selectAll().execute();
    assert.ok(searches.some((s) => s.query_text === question && s.match_count > 0));
    const logged = logLines.join('\n');
    assert.ok(!logged.includes('walkd'), 'question text must not be logged');
  });

  it('records "not useful" from a results card and redraws that card', async () => {
    const card = firstCard(await bot.say(messageActivity('ladder smashed a window', { from: TEST_USERS.schoolLeader })));
    const no = executes(card).find((a) => a.verb === VERBS.ladderFeedback && a.data.verdict === 'no');
    assert.ok(no);
    const redrawn = await press(bot, no);
    assert.match(cardText(redrawn), /best matches/);
    assert.match(cardText(redrawn), /We use this to improve/);
  });

  it('shows ladder stats to LA managers only', async () => {
    await bot.say(messageActivity('ladder zzzz qqqq', { from: TEST_USERS.schoolLeader }));
    const stats = firstCard(await bot.say(messageActivity('ladder stats', { from: TEST_USERS.manager })));
    assertValidCard(stats);
    assert.match(cardText(stats), /Most asked/);
    assert.match(cardText(stats), /“zzzz qqqq”/);
    assert.match(cardText(stats), /Since 1 September 2026/);

    const refused = firstCard(await bot.say(messageActivity('ladder stats', { from: TEST_USERS.schoolLeader })));
    assert.match(cardText(refused), /for LA managers/);
    assert.doesNotMatch(cardText(refused), /zzzz/);
  });

  it('answers an out-of-date or tampered button plainly', async () => {
    const gone = await press(bot, { verb: VERBS.ladderRung, data: { id: 'step-9' } });
    assert.match(cardText(gone), /out of date/);
    const bad = await press(bot, { verb: VERBS.ladderFeedback, data: { verdict: 'maybe' } });
    assert.match(cardText(bad), /out of date/);
    assert.equal((await bot.store.db.selectFrom('ladder_feedback').select('verdict').where('verdict', '=', 'maybe' as 'yes').execute()).length, 0);
  });

  it('someone not set up yet may use the ladder (no pupil data) and nothing else', async () => {
    const before = (await bot.store.db.selectFrom('ladder_feedback').select('id').execute()).length;
    const from = TEST_USERS.stranger;
    const overview = firstCard(await bot.say(messageActivity('ladder', { from })));
    assertValidCard(overview);
    assert.match(cardText(overview), /Part one: persistent misconduct/);
    const results = firstCard(await bot.say(mentionActivity('ladder keeps walking out of lessons', { from })));
    assertValidCard(results);
    const openStepOne = executes(overview).find((a) => a.verb === VERBS.ladderRung && a.data.id === 'step-1')!;
    assert.match(cardText(await press(bot, openStepOne, from)), /Step one: School-led assessment of needs/);
    // Feedback is stored without a staff user.
    const feedback = executes(await press(bot, openStepOne, from)).find((a) => a.verb === VERBS.ladderFeedback)!;
    await press(bot, feedback, from);
    const stored = await bot.store.db.selectFrom('ladder_feedback').select('staff_user_id').orderBy('id').execute();
    assert.equal(stored.length, before + 1);
    assert.equal(stored.at(-1)!.staff_user_id, null);
    // Everything else stays refused, with the same words as before.
    for (const text of ['ladder stats', 'cluster Boston minutes', 'my actions']) {
      const replies = await bot.say(messageActivity(text, { from }));
      assert.equal(replies.length, 1, text);
      assert.match(replies[0].text ?? '', /not set up to use the Inclusion Assistant/, text);
    }
    const { body } = await bot.post(executeActivity(VERBS.help, {}, { from }));
    assert.match(body.value, /not set up/);
  });
});
