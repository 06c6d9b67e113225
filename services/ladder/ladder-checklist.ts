import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../store/database';
import { queryKey, redactQuery } from './ladder-feedback';

/**
 * A rung's school actions as a personal checklist: ticks are saved per user, situation and rung,
 * and restored when the same user opens the same rung for the same situation. The situation is the
 * question that led there, kept only as a hash (it may describe a child); '' when opened by name.
 */

export interface ChecklistItem {
  /** Stable per action text: edited content never restores a tick onto a different action. */
  key: string;
  text: string;
  ticked: boolean;
}

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

function checklistItemKey(text: string): string {
  return hash(text.trim(), 12);
}

/** "The same situation": the same question, ignoring case, spacing and trailing punctuation. */
export function situationKey(query: string | undefined): string {
  const key = query ? queryKey(redactQuery(query)) : '';
  return key === '' ? '' : hash(key, 24);
}

export function checklistItems(actions: readonly string[], ticked: ReadonlySet<string> = new Set()): ChecklistItem[] {
  return actions.map((text) => {
    const key = checklistItemKey(text);
    return { key, text, ticked: ticked.has(key) };
  });
}

export interface ChecklistOwner {
  staffUserId: number;
  entryId: string;
  query?: string;
}

export async function loadChecklistTicks(db: Kysely<Database>, owner: ChecklistOwner): Promise<Set<string>> {
  const rows = await db
    .selectFrom('ladder_checklist_tick')
    .select('item_key')
    .where('staff_user_id', '=', owner.staffUserId)
    .where('situation_key', '=', situationKey(owner.query))
    .where('entry_id', '=', owner.entryId)
    .where('ticked', '=', 1)
    .execute();
  return new Set(rows.map((r) => r.item_key));
}

/** Replaces the user's ticks on this rung for this situation with `items` (all or nothing). */
export async function saveChecklistTicks(
  db: Kysely<Database>,
  clock: Clock,
  owner: ChecklistOwner,
  items: readonly { key: string; ticked: boolean }[],
): Promise<void> {
  const situation = situationKey(owner.query);
  const at = clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('ladder_checklist_tick')
      .where('staff_user_id', '=', owner.staffUserId)
      .where('situation_key', '=', situation)
      .where('entry_id', '=', owner.entryId)
      .execute();
    if (items.length === 0) return;
    await trx
      .insertInto('ladder_checklist_tick')
      .values(
        items.map((item) => ({
          staff_user_id: owner.staffUserId,
          situation_key: situation,
          entry_id: owner.entryId,
          item_key: item.key,
          ticked: item.ticked ? (1 as const) : (0 as const),
          updated_at: at,
        })),
      )
      .execute();
  });
}
