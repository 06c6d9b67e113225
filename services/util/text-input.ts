import { z } from 'zod';

/**
 * Text and numbers arriving from outside (chat messages, card submissions, API bodies, files) are
 * made safe for both stores here, once, at the edge. PostgreSQL refuses a NUL character in any text
 * value and an integer column stops at 2^31 - 1, while SQLite stores both: without this a bad value
 * fails only on PostgreSQL, as a 500 after the user's typing is lost.
 */

/** C0 control characters and DEL, except tab, line feed and carriage return (which typed text may hold). */
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** Every C0 control character and DEL: none belongs in an id, a name or a code. */
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
/** Lone UTF-16 surrogates cannot be encoded as UTF-8 (PostgreSQL would refuse them too). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The largest value of a PostgreSQL `integer` (and `serial`) column: every surrogate id. */
export const MAX_RECORD_ID = 2_147_483_647;

/** Typed text made storable: control characters other than tab and line breaks removed, lone surrogates replaced. */
export function cleanText(value: string): string {
  if (!needsCleaning(value)) return value;
  return value.replace(CONTROL_EXCEPT_LINE_BREAKS, '').replace(LONE_SURROGATE, '\ufffd');
}

function needsCleaning(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** True when the text holds any control character (tab and line breaks included). */
export function hasControlCharacters(value: string): boolean {
  return ANY_CONTROL.test(value);
}

const MAX_DEPTH = 20;

/**
 * A JSON value (a card's submitted data) with every string cleaned by cleanText, keys included.
 * Deeper than any card goes, nesting is cut off (replaced by null) rather than walked.
 */
export function cleanJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => cleanJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[cleanText(k)] = cleanJson(v, depth + 1);
  return out;
}

/**
 * A stored record's id from a card or a request: a whole number 1..2^31-1 (numbers or digit
 * strings, as Adaptive Card data arrives either way). Out of range is a field error, never a query.
 */
export function recordIdSchema(messages: { missing?: string; invalid?: string } = {}) {
  const invalid = messages.invalid ?? 'is not a valid record number';
  return z.coerce
    .number({ invalid_type_error: messages.missing ?? invalid })
    .int(invalid)
    .min(1, messages.missing ?? invalid)
    .max(MAX_RECORD_ID, invalid);
}
