import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/database';

/**
 * Before any text goes to a language model: UPNs, dates and the names of pupils known to the store
 * are replaced with placeholders. The name look-up returns only which of the message's own words
 * are pupil names (no pupil record is read or shown to anyone), so it is not an audited read.
 */

const UPN = /\b[A-Za-z]\d{11}[0-9A-Za-z]\b/g;
const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATES = [
  /\b\d{4}-\d{1,2}-\d{1,2}\b/g,
  /\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/g,
  new RegExp(String.raw`\b\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:${MONTHS})\b(?:,? \d{4})?`, 'gi'),
  new RegExp(String.raw`\b(?:${MONTHS}) \d{1,2}(?:st|nd|rd|th)?\b(?:,? \d{4})?`, 'gi'),
];

const NAME_PLACEHOLDER = '[name]';
const UPN_PLACEHOLDER = '[UPN]';
const DATE_PLACEHOLDER = '[date]';

/** UPNs and dates replaced (no store needed). */
export function redactPatterns(text: string): string {
  let out = text.replace(UPN, UPN_PLACEHOLDER);
  for (const re of DATES) out = out.replace(re, DATE_PLACEHOLDER);
  return out;
}

/** Which of these words (lower case) are a pupil's forename or surname in the store. */
async function pupilNameWords(db: Kysely<Database>, words: readonly string[]): Promise<Set<string>> {
  if (words.length === 0) return new Set();
  const rows = await db
    .selectFrom('pupil')
    .select([sql<string>`lower(legal_forename)`.as('f'), sql<string>`lower(legal_surname)`.as('s'), sql<string | null>`lower(preferred_forename)`.as('p')])
    .where((eb) =>
      eb.or([
        eb(sql`lower(legal_forename)`, 'in', words),
        eb(sql`lower(legal_surname)`, 'in', words),
        eb(sql`lower(preferred_forename)`, 'in', words),
      ]),
    )
    .limit(500)
    .execute();
  const wanted = new Set(words);
  const found = new Set<string>();
  for (const r of rows) for (const w of [r.f, r.s, r.p]) if (w && wanted.has(w)) found.add(w);
  return found;
}

/**
 * The text with UPNs, dates and pupils' names replaced. `keep` are words never replaced (district
 * names: a place is not a child, and the model needs it to pick the meeting).
 */
export async function redactForModel(db: Kysely<Database>, text: string, keep: readonly string[] = []): Promise<string> {
  const out = redactPatterns(text);
  const kept = new Set(keep.flatMap((k) => k.toLowerCase().split(/\s+/)));
  const words = [...new Set((out.match(/[A-Za-z][A-Za-z'-]*[A-Za-z]/g) ?? []).map((w) => w.toLowerCase()).filter((w) => !kept.has(w)))].slice(0, 200);
  const names = await pupilNameWords(db, words);
  if (names.size === 0) return out;
  return out.replace(/[A-Za-z][A-Za-z'-]*[A-Za-z]/g, (w) => (names.has(w.toLowerCase()) ? NAME_PLACEHOLDER : w));
}
