import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { Engine } from '../store/engine';
import type { AlertOutboxRow, AlertOutboxTable } from '../store/tables/alerts';
import { BULK_KINDS, LEADING_KINDS, PRIORITY, URGENT_RULES } from './delivery-priority';
import { OR_TERMS_PER_QUERY } from '../store/batches';

/**
 * The delivery outbox: every proactive message (alerts, digests, reminders) is a row here. A worker
 * claims due rows (status 'sending', a lease, and a fresh claim_token), sends, then marks each
 * sent, due again, gone or failed. On PostgreSQL claims use FOR UPDATE SKIP LOCKED, so several
 * instances share the outbox without taking the same row; SQLite has one writer.
 *
 * Fencing: just before sending, the worker confirms in one UPDATE that the row still carries its
 * token and an unexpired lease (and extends the lease to cover the send); if not, another instance
 * has it and the send is skipped. Settling also requires the token, so a late answer is dropped.
 *
 * Fairness: a claim takes at most a few rows per subscriber (their conversation), round-robin
 * across subscribers, urgent before normal before bulk, and skips subscribers on hold (no send
 * slot soon), so one chat's backlog never keeps another person's alert waiting.
 *
 * At least once, honestly: a row is sent twice only if (a) the instance stalls for longer than the
 * lease (2 minutes by default) between its confirm and the connector receiving the post, or
 * between the post and marking the row sent, or (b) it crashes after Teams accepted the message
 * and before the row was marked (milliseconds). Teams offers no way to ask whether a message
 * arrived, so that row is sent again once its lease expires.
 */

/**
 * next_attempt_at for rows to send straight away. Rows are created on the app clock (which CLOCK_NOW
 * may pin for a demo) but delivered on real time, so "now" is written as a time always past.
 */
export const DUE_NOW = '1970-01-01T00:00:00.000Z';

export interface NewDelivery {
  dedupeKey: string;
  /** The alert; null for a message about something else (subjectId says what). */
  alertId: number | null;
  subscriberKey: string;
  staffUserId: number;
  /** null: the staff user's personal chat, resolved when sending. */
  conversationId: string | null;
  kind: string;
  /** When it may first be sent; DUE_NOW for straight away. */
  due: string;
  createdAt: string;
  /** PRIORITY.*; omitted: derived from kind and rule when claimed. */
  priority?: number;
  subjectId?: number;
}

/**
 * A pending outbox row, as every producer (rules, digest, assign, snooze, reminders) queues it: the
 * status (pending), attempts (0) and claim token (0) are the columns' defaults; the send and claim
 * columns start null. Every row has the same columns, as a multi-row insert needs.
 */
export function newOutboxRow(d: NewDelivery): Insertable<AlertOutboxTable> {
  return {
    dedupe_key: d.dedupeKey,
    alert_id: d.alertId,
    subscriber_key: d.subscriberKey,
    staff_user_id: d.staffUserId,
    conversation_id: d.conversationId,
    kind: d.kind,
    next_attempt_at: d.due,
    created_at: d.createdAt,
    priority: d.priority ?? null,
    subject_id: d.subjectId ?? null,
  };
}

/** What a worker holds after a claim: the row and the token that proves it still holds it. */
export type OutboxClaim = Pick<AlertOutboxRow, 'id' | 'claim_token'>;

export interface ClaimOptions {
  workerId: string;
  now: Date;
  leaseMs: number;
  limit: number;
  /** At most this many rows per subscriber (conversation) in one claim. */
  perSubscriber?: number;
}

/** Due: pending and past next_attempt_at, or claimed by a worker whose lease has run out. */
function dueCondition(now: string) {
  return sql<boolean>`((o.status = 'pending' and o.next_attempt_at <= ${now}) or (o.status = 'sending' and o.claim_expires_at <= ${now}))`;
}

/** The row's priority: its own, else bulk kinds, urgent rules, normal (delivery-priority.ts). */
const effectivePriority = sql<number>`coalesce(o.priority, case when o.kind in (${sql.join([...LEADING_KINDS])}) then ${sql.lit(PRIORITY.leading)} when o.kind in (${sql.join([...BULK_KINDS])}) then ${sql.lit(PRIORITY.bulk)} when o.kind = 'alert' and a.rule in (${sql.join([...URGENT_RULES])}) then ${sql.lit(PRIORITY.urgent)} else ${sql.lit(PRIORITY.normal)} end)`;

/**
 * Claims up to `limit` due rows, fairly: the first rows of every subscriber before anyone's second,
 * urgent before bulk, subscribers on hold skipped. Returns them in that order, each with a new token.
 */
export async function claimDue(db: Kysely<Database>, engine: Engine, options: ClaimOptions): Promise<AlertOutboxRow[]> {
  const now = options.now.toISOString();
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const perSubscriber = options.perSubscriber ?? 8;
  const candidates = await sql<{ id: number }>`
    select c.id from (
      select o.id, ${effectivePriority} as prio,
             row_number() over (partition by o.subscriber_key order by ${effectivePriority}, o.id) as rn
      from alert_outbox o
      left join exclusion_alert a on a.id = o.alert_id
      where ${dueCondition(now)}
        and not exists (select 1 from delivery_hold h where h.subscriber_key = o.subscriber_key and h.until > ${now})
    ) c
    where c.rn <= ${perSubscriber}
    order by c.prio, c.rn, c.id
    limit ${options.limit}`.execute(db);
  const ids = candidates.rows.map((r) => Number(r.id));
  if (ids.length === 0) return [];
  // The window function cannot lock rows; lock (and re-check) them here, skipping any another
  // instance is claiming at this moment.
  const lockable =
    engine === 'postgres'
      ? sql<number>`(select o.id from alert_outbox o where o.id in (${sql.join(ids)}) and ${dueCondition(now)} for update skip locked)`
      : sql<number>`(select o.id from alert_outbox o where o.id in (${sql.join(ids)}) and ${dueCondition(now)})`;
  const claimed = await db
    .updateTable('alert_outbox')
    .set((eb) => ({ status: 'sending', claimed_by: options.workerId, claim_expires_at: until, attempts: eb('attempts', '+', 1), claim_token: eb('claim_token', '+', 1) }))
    .where('id', 'in', lockable)
    .returningAll()
    .execute();
  const order = new Map(ids.map((id, i) => [id, i]));
  return claimed.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
}

/**
 * The fence: true only if the row is still claimed with this token and its lease has not run out;
 * the lease is extended to cover the send. Call it immediately before sending, and skip on false.
 */
export async function confirmClaim(db: Kysely<Database>, claim: OutboxClaim, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('alert_outbox')
    .set({ claim_expires_at: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', '=', claim.id)
    .where('claim_token', '=', claim.claim_token)
    .where('status', '=', 'sending')
    .where('claim_expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Only the holder of the current token may settle a row (a stale worker's late answer is dropped). */
function settle(db: Kysely<Database>, claim: OutboxClaim) {
  return db.updateTable('alert_outbox').where('id', '=', claim.id).where('claim_token', '=', claim.claim_token).where('status', '=', 'sending');
}

export async function markSent(db: Kysely<Database>, claim: OutboxClaim, at: string, conversationId: string, activityId: string | null, status: number): Promise<boolean> {
  const result = await settle(db, claim)
    .set({ status: 'sent', sent_at: at, sent_conversation_id: conversationId, activity_id: activityId, last_status: status, last_error: null, claimed_by: null, claim_expires_at: null })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markRetry(db: Kysely<Database>, claim: OutboxClaim, nextAttemptAt: string, status: number | null, error: string): Promise<void> {
  await settle(db, claim)
    .set({ status: 'pending', next_attempt_at: nextAttemptAt, last_status: status, last_error: error.slice(0, 300), claimed_by: null, claim_expires_at: null })
    .execute();
}

export async function markFinal(db: Kysely<Database>, claim: OutboxClaim, status: 'gone' | 'failed', httpStatus: number | null, error: string): Promise<void> {
  await settle(db, claim)
    .set({ status, last_status: httpStatus, last_error: error.slice(0, 300), claimed_by: null, claim_expires_at: null })
    .execute();
}

/** Puts claimed rows back at once, not counting an attempt (not sent: stopping, or no slot soon). */
export async function releaseClaims(db: Kysely<Database>, claims: readonly OutboxClaim[]): Promise<void> {
  for (let i = 0; i < claims.length; i += OR_TERMS_PER_QUERY) {
    const part = claims.slice(i, i + OR_TERMS_PER_QUERY);
    await db
      .updateTable('alert_outbox')
      .set((eb) => ({ status: 'pending', claimed_by: null, claim_expires_at: null, attempts: eb('attempts', '-', 1) }))
      .where((eb) => eb.or(part.map((c) => eb.and([eb('id', '=', c.id), eb('claim_token', '=', c.claim_token)]))))
      .where('status', '=', 'sending')
      .execute();
  }
}

/** Claims skip this subscriber's rows until `until` (ISO): its conversation has no slot sooner. */
export async function holdSubscriber(db: Kysely<Database>, subscriberKey: string, until: string): Promise<void> {
  await db
    .insertInto('delivery_hold')
    .values({ subscriber_key: subscriberKey, until })
    .onConflict((oc) => oc.column('subscriber_key').doUpdateSet({ until }))
    .execute();
}

/**
 * The next time a row becomes claimable (for the worker to sleep until), or null: a pending row's
 * next attempt or a claimed row's lease end, but never before its subscriber's hold ends.
 */
export async function nextDueAt(db: Kysely<Database>): Promise<string | null> {
  const result = await sql<{ next: string | null }>`
    select min(case when h.until > d.due then h.until else d.due end) as next
    from (
      select subscriber_key, case when status = 'pending' then next_attempt_at else claim_expires_at end as due
      from alert_outbox where status in ('pending', 'sending')
    ) d
    left join delivery_hold h on h.subscriber_key = d.subscriber_key`.execute(db);
  return result.rows[0]?.next ?? null;
}

/** Rows waiting now (due, ignoring holds): what "run until idle" still has to deliver. */
export async function dueIgnoringHolds(db: Kysely<Database>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('alert_outbox')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
