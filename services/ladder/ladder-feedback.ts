import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database, Role } from '../store/database';
import type { LadderVerdict } from '../store/tables/ladder';

/**
 * Ladder usage: each search and each "Was this useful?" answer, and the summary LA managers use to
 * improve their content (`ladder stats`). Query text is stored here and shown to managers; it is
 * never written to logs.
 */

/** Longest question stored; longer text is cut. */
const MAX_STORED_QUERY = 500;

/** What "the same question" means when counting: case, spaces and trailing punctuation ignored. */
export function queryKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/[\s?.!]+$/, '')
    .trim()
    .slice(0, MAX_STORED_QUERY);
}

/**
 * Ladder questions are about situations, not named pupils, but a UPN typed by mistake must not be
 * kept: anything shaped like one (a letter and 12 more characters, digits with an optional final
 * letter) is replaced before storing.
 */
export function redactQuery(text: string): string {
  return text
    .replace(/\b[A-Za-z]\d{11}[A-Za-z0-9]\b/g, '[UPN]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_STORED_QUERY);
}

export interface RecordSearch {
  staffUserId: number | null;
  query: string;
  topEntryId: string | null;
  matchCount: number;
}

export async function recordLadderSearch(db: Kysely<Database>, clock: Clock, search: RecordSearch): Promise<void> {
  const text = redactQuery(search.query);
  if (text === '') return;
  await db
    .insertInto('ladder_query')
    .values({
      at: clock.now().toISOString(),
      staff_user_id: search.staffUserId,
      query_text: text,
      query_key: queryKey(text),
      top_entry_id: search.topEntryId,
      match_count: search.matchCount,
    })
    .execute();
}

export interface RecordFeedback {
  staffUserId: number | null;
  query: string | null;
  entryId: string | null;
  verdict: LadderVerdict;
}

export async function recordLadderFeedback(db: Kysely<Database>, clock: Clock, feedback: RecordFeedback): Promise<void> {
  const text = feedback.query ? redactQuery(feedback.query) : '';
  await db
    .insertInto('ladder_feedback')
    .values({
      at: clock.now().toISOString(),
      staff_user_id: feedback.staffUserId,
      query_text: text || null,
      query_key: text ? queryKey(text) : null,
      entry_id: feedback.entryId,
      verdict: feedback.verdict,
    })
    .execute();
}

export interface AskedQuestion {
  /** The most recent wording of the question. */
  query: string;
  times: number;
  /** The entry the latest search put first, or null when it found nothing. */
  topEntryId: string | null;
}

export interface UnhelpfulQuestion {
  query: string;
  /** Searches that found nothing at all. */
  noMatch: number;
  /** "No" answers to "Was this useful?". */
  saidNo: number;
  /** "Yes" answers, for balance. */
  saidYes: number;
}

export interface LadderStats {
  since: string;
  searches: number;
  feedbackYes: number;
  feedbackNo: number;
  mostAsked: AskedQuestion[];
  foundNothingUseful: UnhelpfulQuestion[];
}

/** Who may see everyone's ladder questions: the authority's managers (and admins). */
function mayReadLadderStats(role: Role): boolean {
  return role === 'la_manager' || role === 'admin';
}

export class LadderStatsForbidden extends Error {
  constructor() {
    super('ladder stats are for LA managers');
    this.name = 'LadderStatsForbidden';
  }
}

/**
 * The most asked questions and those that found nothing useful since `since` (an ISO instant).
 * The role check is here, not in the handler, so no caller can skip it.
 */
export async function ladderStats(db: Kysely<Database>, role: Role, since: string, limit = 10): Promise<LadderStats> {
  if (!mayReadLadderStats(role)) throw new LadderStatsForbidden();

  const totals = await db
    .selectFrom('ladder_query')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  const verdicts = await db
    .selectFrom('ladder_feedback')
    .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
    .where('at', '>=', since)
    .groupBy('verdict')
    .execute();

  const asked = await db
    .selectFrom('ladder_query')
    .select(['query_key', (eb) => eb.fn.countAll<number>().as('times'), (eb) => eb.fn.max('at').as('last_at')])
    .where('at', '>=', since)
    .groupBy('query_key')
    .orderBy('times', 'desc')
    .orderBy('last_at', 'desc')
    .orderBy('query_key')
    .limit(limit)
    .execute();
  const latest = await latestWording(db, asked.map((a) => a.query_key), since);

  const noMatch = await db
    .selectFrom('ladder_query')
    .select(['query_key', (eb) => eb.fn.countAll<number>().as('n')])
    .where('at', '>=', since)
    .where('match_count', '=', 0)
    .groupBy('query_key')
    .execute();
  const feedback = await db
    .selectFrom('ladder_feedback')
    .select([
      'query_key',
      sql<number>`sum(case when verdict = 'no' then 1 else 0 end)`.as('no'),
      sql<number>`sum(case when verdict = 'yes' then 1 else 0 end)`.as('yes'),
    ])
    .where('at', '>=', since)
    .where('query_key', 'is not', null)
    .groupBy('query_key')
    .execute();

  const unhelpful = new Map<string, UnhelpfulQuestion>();
  for (const row of noMatch) unhelpful.set(row.query_key, { query: row.query_key, noMatch: Number(row.n), saidNo: 0, saidYes: 0 });
  for (const row of feedback) {
    const key = row.query_key!;
    const entry = unhelpful.get(key) ?? { query: key, noMatch: 0, saidNo: 0, saidYes: 0 };
    entry.saidNo = Number(row.no);
    entry.saidYes = Number(row.yes);
    unhelpful.set(key, entry);
  }
  // Unhelpful: it found nothing, or more people said no than yes.
  const nothingUseful = [...unhelpful.values()]
    .filter((u) => u.noMatch > 0 || u.saidNo > u.saidYes)
    .sort((a, b) => b.noMatch + b.saidNo - (a.noMatch + a.saidNo) || a.query.localeCompare(b.query))
    .slice(0, limit);
  const wording = await latestWording(db, nothingUseful.map((u) => u.query), since);

  return {
    since,
    searches: Number(totals.n),
    feedbackYes: Number(verdicts.find((v) => v.verdict === 'yes')?.n ?? 0),
    feedbackNo: Number(verdicts.find((v) => v.verdict === 'no')?.n ?? 0),
    mostAsked: asked.map((a) => ({
      query: latest.get(a.query_key)?.text ?? a.query_key,
      times: Number(a.times),
      topEntryId: latest.get(a.query_key)?.top ?? null,
    })),
    foundNothingUseful: nothingUseful.map((u) => ({ ...u, query: wording.get(u.query)?.text ?? u.query })),
  };
}

/** The latest wording (and best match) for each question key; feedback-only keys fall back to feedback text. */
async function latestWording(db: Kysely<Database>, keys: string[], since: string): Promise<Map<string, { text: string; top: string | null }>> {
  const out = new Map<string, { text: string; top: string | null }>();
  if (keys.length === 0) return out;
  const rows = await db
    .selectFrom('ladder_query')
    .select(['query_key', 'query_text', 'top_entry_id', 'at', 'id'])
    .where('query_key', 'in', keys)
    .where('at', '>=', since)
    .orderBy('at')
    .orderBy('id')
    .execute();
  for (const r of rows) out.set(r.query_key, { text: r.query_text, top: r.top_entry_id });
  const missing = keys.filter((k) => !out.has(k));
  if (missing.length) {
    const fb = await db
      .selectFrom('ladder_feedback')
      .select(['query_key', 'query_text'])
      .where('query_key', 'in', missing)
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const r of fb) if (r.query_key && r.query_text) out.set(r.query_key, { text: r.query_text, top: null });
  }
  return out;
}
