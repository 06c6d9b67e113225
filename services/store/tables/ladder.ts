import type { Generated, Selectable } from 'kysely';
import type { Flag } from '../database';

/**
 * Ladder usage tables (migration 0002). Ladder questions describe situations, not named pupils, but
 * the text is still the user's own: it stays in the store for `ladder stats` and is never logged.
 */

/** One row per ladder search (not per direct lookup by name), so stats can show what is asked. */
export interface LadderQueryTable {
  id: Generated<number>;
  at: string;
  staff_user_id: number | null;
  /** The question as asked (clipped), for showing back to LA managers. */
  query_text: string;
  /** Lower-case, spaces folded: what "the same question" means when counting. */
  query_key: string;
  /** Best match's entry id, or null when nothing matched. */
  top_entry_id: string | null;
  match_count: number;
}

export type LadderVerdict = 'yes' | 'no';

/** "Was this useful?" answers: who, on which question and rung, and what they said. */
export interface LadderFeedbackTable {
  id: Generated<number>;
  at: string;
  staff_user_id: number | null;
  /** The question the card came from; null when the rung was opened by name. */
  query_text: string | null;
  query_key: string | null;
  /** The rung or scenario judged; null for a results card with no match. */
  entry_id: string | null;
  verdict: LadderVerdict;
}

/** A school action on a rung's checklist, ticked or not, by one user for one situation (migration 0009). */
export interface LadderChecklistTickTable {
  staff_user_id: number;
  /** Hash of the question that led to the rung ('' when opened by name): the situation, never its text. */
  situation_key: string;
  entry_id: string;
  /** Hash of the action's text, so edited content never restores a tick onto a different action. */
  item_key: string;
  ticked: Flag;
  updated_at: string;
}

export type LadderQuery = Selectable<LadderQueryTable>;
export type LadderFeedback = Selectable<LadderFeedbackTable>;
