import assert from 'node:assert/strict';
import { runAssistantEval, EVAL_DISTRICTS } from '../../../services/assistant/assistant-eval';
import { routeLocally, situationOf } from '../../../services/assistant/local-router';
import { isSafeguardingConcern } from '../../../services/assistant/safeguarding';

const ctx = { districts: EVAL_DISTRICTS, ownDistricts: [] as string[] };

describe('local intent router', () => {
  it('reaches at least 90% top-1 on the tuning set (data/assistant/eval.yaml)', async () => {
    const result = await runAssistantEval('data/assistant/eval.yaml');
    assert.ok(result.total >= 100, `at least 100 requests, found ${result.total}`);
    assert.ok(result.top1 / result.total >= 0.9, `top-1 ${result.top1}/${result.total}; misses: ${JSON.stringify(result.misses, null, 1)}`);
  });

  it('stays useful on the held-out set it was never tuned on (at least 75%)', async () => {
    const result = await runAssistantEval('data/assistant/eval-holdout.yaml');
    assert.ok(result.top1 / result.total >= 0.75, `held-out top-1 ${result.top1}/${result.total}`);
  });

  it('finds the district named in any case, possessive or not, longest name first', () => {
    assert.deepEqual(routeLocally("show me south holland's agenda", ctx), { kind: 'call', call: { tool: 'cluster_agenda', args: { district: 'South Holland' } } });
    assert.deepEqual(routeLocally('BOSTON MINUTES', ctx), { kind: 'call', call: { tool: 'cluster_minutes', args: { district: 'Boston' } } });
  });

  it("uses the asker's own district when none is named, and offers districts when they have none", () => {
    assert.deepEqual(routeLocally('minutes of our last meeting', { ...ctx, ownDistricts: ['Lincoln'] }), { kind: 'call', call: { tool: 'cluster_minutes', args: { district: 'Lincoln' } } });
    const unclear = routeLocally('minutes of our last meeting', ctx);
    assert.equal(unclear.kind, 'unclear');
    assert.ok(unclear.kind === 'unclear' && unclear.suggestions.some((s) => s.tool === 'cluster_minutes'));
  });

  it('reads "send" as the verb when it asks for something, and SEND the needs otherwise', () => {
    assert.deepEqual(routeLocally('please send me alerts', ctx), { kind: 'call', call: { tool: 'alerts_subscribe', args: {} } });
    assert.deepEqual(routeLocally('send me alerts about pupils with SEND in Boston', ctx), { kind: 'call', call: { tool: 'alerts_subscribe', args: { district: 'Boston', types: ['send'] } } });
  });

  it('offers two or three likely commands for unclear text', () => {
    for (const text of ['what is the weather', 'thanks', 'hmm']) {
      const result = routeLocally(text, ctx);
      assert.equal(result.kind, 'unclear', text);
      assert.ok(result.kind === 'unclear' && result.suggestions.length >= 2 && result.suggestions.length <= 3);
    }
  });

  it('keeps the situation and drops the question around it', () => {
    assert.equal(situationOf('What should we do about a Y9 girl with an EHCP?'), 'a Y9 girl with an EHCP');
    assert.equal(situationOf('who do I call about a child missing education?'), 'a child missing education');
    assert.equal(situationOf('Y8 keeps walking out'), 'Y8 keeps walking out');
  });
});

describe('safeguarding check', () => {
  it('reads disclosures and concerns as such', () => {
    for (const text of ['she told me her stepdad hits her', "a Y6 boy has bruises he won't explain", 'he said his dad locks him in', 'I think she is self-harming', 'boy in Y9 scared to go home', 'mum’s boyfriend hurts her'])
      assert.ok(isSafeguardingConcern(text), text);
  });
  it('reads exploitation described by what is happening as a concern', () => {
    for (const text of ['made to carry drugs for older men', 'a Y9 boy has been selling weed for some lads from out of town', 'her older boyfriend buys her phones', 'he keeps going missing at weekends', 'pupil sent nude pictures to a classmate'])
      assert.ok(isSafeguardingConcern(text), text);
  });
  it('does not take behaviour questions or requests for one', () => {
    for (const text of ['Y10 boy assaulted a member of staff', 'pupil kicked a door and swore', 'Y10 caught with cannabis in school, third incident', 'please send me alerts', "show me Boston's agenda", 'any new permanent exclusions?', 'Y8 keeps walking out of lessons', 'girl in year 6 fighting at lunchtimes'])
      assert.ok(!isSafeguardingConcern(text), text);
  });
});
