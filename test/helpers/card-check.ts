import assert from 'node:assert/strict';
import { CARD_SIZE_LIMIT_BYTES, type AdaptiveCard } from '../../cards/adaptive-card';

// The package's CommonJS entry fails on Node 20; its UMD bundle parses and validates without a DOM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

export interface CardProblems {
  parse: string[];
  validation: string[];
}

/** Parses a card with the Adaptive Cards library and returns every problem it reports. */
function cardProblems(json: unknown): CardProblems {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const parse: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    parse.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  const results = card.validateProperties();
  const validation = results.validationEvents.map((e: { event: number; message: string }) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
  return { parse, validation };
}

/**
 * A card a user would see correctly: parses and validates cleanly, version 1.5, no unresolved
 * template fields, under the 28 KB size we design for.
 */
export function assertValidCard(json: unknown): asserts json is AdaptiveCard {
  const card = json as AdaptiveCard;
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.5');
  const problems = cardProblems(json);
  assert.deepEqual(problems, { parse: [], validation: [] }, 'the adaptivecards library reported problems');
  const serialised = JSON.stringify(json);
  assert.ok(!serialised.includes('${'), 'card has an unresolved ${...} field');
  assert.ok(!serialised.includes('undefined'), 'card shows the word "undefined"');
  const size = Buffer.byteLength(serialised, 'utf16le');
  assert.ok(size <= CARD_SIZE_LIMIT_BYTES, `card is ${size} bytes, over ${CARD_SIZE_LIMIT_BYTES}`);
}

/** Every string in a card, for "does this card mention X" assertions. */
export function cardText(json: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(json);
  return out.join('\n');
}

/** Every Action.Execute verb in a card, including refresh and nested show-cards. */
export function cardVerbs(json: unknown): string[] {
  const verbs: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute' && typeof o.verb === 'string') verbs.push(o.verb);
      Object.values(o).forEach(walk);
    }
  };
  walk(json);
  return verbs;
}
