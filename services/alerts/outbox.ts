import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { Engine } from '../store/engine';
import './alert-schema';
import type { AlertOutboxRow } from './alert-schema';

/**
 * The delivery outbox. A worker claims due rows (status 'sending' with a lease), sends, then marks
 * each sent, due again, gone or failed. A row whose worker died keeps its lease until it expires and
 * is then claimed again, so a restart loses nothing. On PostgreSQL claims use FOR UPDATE SKIP
 * LOCKED, so several instances share the outbox without taking the same row; SQLite has one writer
 * and the single UPDATE ... RETURNING is atomic.
 *
 * Exactly once: a row marked sent is never sent again. The one window left is a crash after Teams
 * accepted a message and before the row was marked (milliseconds); Teams offers no way to ask
 * whether a message arrived, so that row would be sent again after its lease expires.
 */

/**
 * next_attempt_at for rows to send straight away. Rows are created on the app clock (which CLOCK_NOW
 * may pin for a demo) but delivered on real time, so "now" is written as a time always past.
 */
export const DUE_NOW = '1970-01-01T00:00:00.000Z';

export interface NewDelivery {
  dedupeKey: string;
  alertId: number;
  subscriberKey: string;
  staffUserId: number;
  /** null: the staff user's personal chat, resolved when sending. */
  conversationId: string | null;
  kind: string;
  /** When it may first be sent; DUE_NOW for straight away. */
  due: string;
  createdAt: string;
}

/** A pending outbox row, as every producer (rules, digest, assign, snooze) queues it. */
export function newOutboxRow(d: NewDelivery) {
  return {
    dedupe_key: d.dedupeKey,
    alert_id: d.alertId,
    subscriber_key: d.subscriberKey,
    staff_user_id: d.staffUserId,
    conversation_id: d.conversationId,
    kind: d.kind,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: d.due,
    claimed_by: null,
    claim_expires_at: null,
    sent_at: null,
    sent_conversation_id: null,
    activity_id: null,
    last_status: null,
    last_error: null,
    created_at: d.createdAt,
  };
}

export interface ClaimOptions {
  workerId: string;
  now: Date;
  leaseMs: number;
  limit: number;
}

export async function claimDue(db: Kysely<Database>, engine: Engine, options: ClaimOptions): Promise<AlertOutboxRow[]> {
  const now = options.now.toISOString();
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  let due = db
    .selectFrom('alert_outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('claim_expires_at', '<=', now)]),
      ]),
    )
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit);
  if (engine === 'postgres') due = due.forUpdate().skipLocked();
  return db
    .updateTable('alert_outbox')
    .set((eb) => ({ status: 'sending', claimed_by: options.workerId, claim_expires_at: until, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** Only the worker holding the claim may settle a row (a stale worker's late answer is dropped). */
function settle(db: Kysely<Database>, id: number, workerId: string) {
  return db.updateTable('alert_outbox').where('id', '=', id).where('claimed_by', '=', workerId).where('status', '=', 'sending');
}

export async function markSent(db: Kysely<Database>, id: number, workerId: string, at: string, conversationId: string, activityId: string | null, status: number): Promise<boolean> {
  const result = await settle(db, id, workerId)
    .set({ status: 'sent', sent_at: at, sent_conversation_id: conversationId, activity_id: activityId, last_status: status, last_error: null, claimed_by: null, claim_expires_at: null })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markRetry(db: Kysely<Database>, id: number, workerId: string, nextAttemptAt: string, status: number | null, error: string): Promise<void> {
  await settle(db, id, workerId)
    .set({ status: 'pending', next_attempt_at: nextAttemptAt, last_status: status, last_error: error.slice(0, 300), claimed_by: null, claim_expires_at: null })
    .execute();
}

export async function markFinal(db: Kysely<Database>, id: number, workerId: string, status: 'gone' | 'failed', httpStatus: number | null, error: string): Promise<void> {
  await settle(db, id, workerId)
    .set({ status, last_status: httpStatus, last_error: error.slice(0, 300), claimed_by: null, claim_expires_at: null })
    .execute();
}

/** Puts claimed rows back at once (a worker stopping cleanly before sending them). */
export async function releaseClaims(db: Kysely<Database>, ids: readonly number[], workerId: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('alert_outbox')
    .set((eb) => ({ status: 'pending', claimed_by: null, claim_expires_at: null, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', [...ids])
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

/** The next time a pending row becomes due (for the worker to sleep until), or null. */
export async function nextDueAt(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('alert_outbox')
    .select((eb) => eb.fn.min<string>('next_attempt_at').as('next'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const expiring = await db
    .selectFrom('alert_outbox')
    .select((eb) => eb.fn.min<string>('claim_expires_at').as('next'))
    .where('status', '=', 'sending')
    .executeTakeFirst();
  const candidates = [row?.next, expiring?.next].filter((v): v is string => typeof v === 'string');
  return candidates.length ? candidates.sort()[0]! : null;
}

export async function outboxCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db.selectFrom('alert_outbox').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
