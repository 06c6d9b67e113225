import assert from 'node:assert/strict';
import type { ActionExecute } from '../../cards/adaptive-card';
import { ALL_VERBS, VERBS } from '../../cards/verbs';

/**
 * A button's verb is typed as the registry's `Verb`: a card with a verb nobody routes must not
 * compile. The `@ts-expect-error` lines are the test; `npm test` type-checks this file first, and
 * tsc fails if one of them stops being an error (i.e. if `verb` went back to a plain string).
 */
describe('card verb type', () => {
  it('accepts a registered verb and refuses any other string at compile time', () => {
    const known: ActionExecute = { type: 'Action.Execute', title: 'Help', verb: VERBS.help };
    // @ts-expect-error 'no.such.verb' is not in cards/verbs.ts
    const unknown: ActionExecute = { type: 'Action.Execute', title: 'Nothing', verb: 'no.such.verb' };
    const typed: string = 'help.show';
    // @ts-expect-error a string only known at run time is not a Verb either
    const widened: ActionExecute = { type: 'Action.Execute', title: 'Help', verb: typed };

    assert.ok(ALL_VERBS.includes(known.verb));
    // At run time nothing stops a cast; the registry test (test/bot/verbs.test.ts) covers routing.
    assert.ok(!ALL_VERBS.includes(unknown.verb));
    assert.ok(ALL_VERBS.includes(widened.verb));
  });
});
