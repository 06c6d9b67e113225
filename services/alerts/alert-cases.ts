import { sql, type Kysely, type SqlBool } from 'kysely';
import { todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import type { ExclusionAlert } from '../exclusions/alert-types';
import type { Database } from '../store/database';
import { SubscriptionIndex, type EffectiveSubscription } from './alert-routing';
import { insertNewAlerts } from './new-alerts';
import { metByPlacementSql, rankingDueDateSql } from './due-state';
import { DUE_NOW, holdSubscriber, newOutboxRow } from './outbox';
import { effectiveSubscriptions, loadGeography, personalSubscriberKey } from './subscriptions';
import { IDS_PER_QUERY, ROWS_PER_INSERT } from '../store/batches';

/**
 * Cases and the daily card budget (issue 8). Every duty arising from one pupil's exclusion shares a
 * case key; a recipient gets ONE card per case (the card lists every duty; once sent, it is updated in
 * place as duties are met or added, see case-updates.ts), at most `cardsPerDay` case cards a day, and the
 * rest folded into one "what is open now" summary card. Nothing is pushed to a subscriber before it
 * joins (a personal chat's first contact with the bot); at first contact the most urgent waiting
 * cases arrive at once with one summary. The first rules run is the authority's go-live: what it
 * finds is history, so it is summarised rather than pushed card by card.
 */

/** A handful: enough for the urgent cases, few enough to read in one sitting. */
export const DEFAULT_CARDS_PER_DAY = 5;
/** Outbox kind of the "what is open now" card. */
export const SUMMARY_KIND = 'summary';

export function caseKeyOf(alert: ExclusionAlert): string {
  if (alert.scope === 'attendance') return `attendance:${alert.pupilId}:${alert.eventDate}`;
  return alert.scope === 'pupil' ? `exclusion:${alert.exclusionId}` : `alert:${alert.dedupeKey}`;
}

export function caseDeliveryKey(caseKey: string, subscriberKey: string): string {
  return `case:${caseKey}>${subscriberKey}`;
}

export interface CaseCandidate {
  caseKey: string;
  /** The alert the card is drawn from (any duty of the case: the card shows them all). */
  alertId: number;
  /** The case's earliest open due date, or null. */
  dueDate: string | null;
  eventDate: string | null;
}

/** Past due and soonest due first (ISO dates sort as text), then undated cases, newest first. */
export function byUrgency(a: CaseCandidate, b: CaseCandidate): number {
  if (a.dueDate !== b.dueDate) {
    if (a.dueDate === null) return 1;
    if (b.dueDate === null) return -1;
    return a.dueDate < b.dueDate ? -1 : 1;
  }
  const ea = a.eventDate ?? '';
  const eb = b.eventDate ?? '';
  if (ea !== eb) return ea > eb ? -1 : 1;
  return a.alertId - b.alertId;
}

/** Merges duties into cases, keeping each case's earliest due date. */
export function mergeCases(duties: readonly CaseCandidate[]): CaseCandidate[] {
  const cases = new Map<string, CaseCandidate>();
  for (const d of duties) {
    const known = cases.get(d.caseKey);
    if (!known) cases.set(d.caseKey, { ...d });
    else if (d.dueDate !== null && (known.dueDate === null || d.dueDate < known.dueDate)) known.dueDate = d.dueDate;
  }
  return [...cases.values()];
}

export interface CardPlan {
  cards: CaseCandidate[];
  /** Whether one summary card goes too (the rest folded into it, or history to summarise). */
  summary: boolean;
}

/**
 * One subscriber's new cases: the most urgent get cards while today's budget lasts; any left over,
 * or any history, means one summary card (the rest stay in `alerts list`).
 */
export function planCards(cases: readonly CaseCandidate[], cardsToday: number, cardsPerDay: number, history: boolean): CardPlan {
  if (cases.length === 0) return { cards: [], summary: false };
  const sorted = [...cases].sort(byUrgency);
  const room = Math.max(0, cardsPerDay - cardsToday);
  return { cards: sorted.slice(0, room), summary: history || sorted.length > room };
}

/** When each subscriber joined: personal chats at first contact, channels when subscribed. */
export async function joinedSubscribers(db: Kysely<Database>): Promise<Map<string, string>> {
  const joined = new Map<string, string>();
  for (const r of await db.selectFrom('alert_subscriber').select(['subscriber_key', 'joined_at']).execute()) joined.set(r.subscriber_key, r.joined_at);
  const channels = await db
    .selectFrom('alert_subscription')
    .select(['subscriber_key', (eb) => eb.fn.min<string>('created_at').as('joined_at')])
    .where('conversation_id', 'is not', null)
    .groupBy('subscriber_key')
    .execute();
  for (const r of channels) joined.set(r.subscriber_key, r.joined_at);
  return joined;
}

/** Midnight of the London day, written as UTC: in summer the budget's day starts an hour late, which is harmless. */
function dayStartIso(clock: Clock): string {
  return `${todayInLondon(clock)}T00:00:00.000Z`;
}

/** Case cards queued today per subscriber (the summary card is not counted: it is the fold). */
export async function cardsQueuedToday(db: Kysely<Database>, clock: Clock, subscriberKeys: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < subscriberKeys.length; i += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('alert_outbox')
      .select(['subscriber_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('subscriber_key', 'in', subscriberKeys.slice(i, i + IDS_PER_QUERY))
      .where('kind', '=', 'alert')
      // A card's Slack copy for someone on both channels is the same card: counted once.
      .where((eb) => eb.or([eb('channel', 'is', null), eb('channel', '!=', 'slack')]))
      .where('created_at', '>=', dayStartIso(clock))
      .groupBy('subscriber_key')
      .execute();
    for (const r of rows) counts.set(r.subscriber_key, Number(r.n));
  }
  return counts;
}

/** Case keys that already have a card for a subscriber (later duties join that card). */
export async function casesWithCards(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += IDS_PER_QUERY) {
    const rows = await db.selectFrom('alert_outbox').select('dedupe_key').where('dedupe_key', 'in', keys.slice(i, i + IDS_PER_QUERY)).execute();
    for (const r of rows) found.add(r.dedupe_key);
  }
  return found;
}

/** The day's synthetic alert row every summary delivery points at (rendered per viewer at send). */
async function summaryAlertId(db: Kysely<Database>, clock: Clock): Promise<number> {
  const today = todayInLondon(clock);
  const key = `summary:${today}`;
  await insertNewAlerts(db, [{ dedupe_key: key, rule: SUMMARY_KIND, scope: 'digest', case_key: key, event_date: today, payload: '{}', created_at: clock.now().toISOString() }]);
  const row = await db.selectFrom('exclusion_alert').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

export interface SubscriberTarget {
  subscriberKey: string;
  staffUserId: number;
  conversationId: string | null;
}

/** Queues a plan: the summary first (it frames what follows), then the cards in urgency order. */
export async function queuePlan(db: Kysely<Database>, clock: Clock, target: SubscriberTarget, plan: CardPlan): Promise<number> {
  const now = clock.now().toISOString();
  const rows = [];
  const base = { subscriberKey: target.subscriberKey, staffUserId: target.staffUserId, conversationId: target.conversationId, due: DUE_NOW, createdAt: now };
  if (plan.summary) {
    rows.push(newOutboxRow({ ...base, dedupeKey: `summary:${todayInLondon(clock)}>${target.subscriberKey}`, alertId: await summaryAlertId(db, clock), kind: SUMMARY_KIND }));
  }
  for (const c of plan.cards) rows.push(newOutboxRow({ ...base, dedupeKey: caseDeliveryKey(c.caseKey, target.subscriberKey), alertId: c.alertId, kind: 'alert' }));
  let queued = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const done = await db.insertInto('alert_outbox').values(rows.slice(i, i + ROWS_PER_INSERT)).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
    queued += done.reduce((n, r) => n + Number(r.numInsertedOrUpdatedRows ?? 0), 0);
  }
  return queued;
}

/**
 * Marks the authority live at its first rules run. Returns true for that run: what it finds is the
 * history loaded before go-live.
 */
export async function claimGoLive(db: Kysely<Database>, clock: Clock): Promise<boolean> {
  const now = clock.now().toISOString();
  const result = await db.insertInto('alert_setting').values({ key: 'go_live_at', value: now, updated_at: now }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * A user's first contact with the bot in their personal chat: from now on cards can reach them.
 * Queues what is waiting at once: one summary and the most urgent cases, within today's budget.
 * Returns the number of deliveries queued (0 on every later contact).
 */
export async function noteFirstContact(db: Kysely<Database>, clock: Clock, staffUserId: number, cardsPerDay = DEFAULT_CARDS_PER_DAY, holdUntil?: string): Promise<number> {
  const subscriberKey = personalSubscriberKey(staffUserId);
  // One transaction: joined and caught up together, or neither (and the next contact tries again).
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .insertInto('alert_subscriber')
      .values({ subscriber_key: subscriberKey, staff_user_id: staffUserId, joined_at: clock.now().toISOString() })
      .onConflict((oc) => oc.column('subscriber_key').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
    const queued = await queueCatchUp(trx, clock, subscriberKey, cardsPerDay);
    // The person is waiting for the answer to what they just typed: what was queued waits for it
    // (released by releaseFirstContactHold), or at the latest until holdUntil (real time).
    if (queued > 0 && holdUntil) await holdSubscriber(trx, subscriberKey, holdUntil);
    return queued;
  });
}

/**
 * On first contact the waiting cards are held until the person's request has been answered, so the
 * reply to what they typed comes first; this long at most if the answer never finishes (a crash).
 * Real time (ms since epoch in), as the delivery worker compares holds with.
 */
export function firstContactHoldUntil(nowMs: number): string {
  return new Date(nowMs + FIRST_CONTACT_HOLD_MS).toISOString();
}
const FIRST_CONTACT_HOLD_MS = 30_000;

/** Lets the cards queued at first contact go, once the turn has answered (only the hold it set). */
export async function releaseFirstContactHold(db: Kysely<Database>, staffUserId: number, holdUntil: string): Promise<void> {
  await db.deleteFrom('delivery_hold').where('subscriber_key', '=', personalSubscriberKey(staffUserId)).where('until', '=', holdUntil).execute();
}

/**
 * The open cases a subscriber may receive and has no card for yet, most urgent first. As in the
 * digest (due-state.ts): a duty met by a recorded placement does not make a case urgent, nor does
 * a window that has closed.
 */
async function waitingCases(db: Kysely<Database>, today: string, subscriptions: readonly EffectiveSubscription[]): Promise<CaseCandidate[]> {
  if (subscriptions.length === 0) return [];
  const key = subscriptions[0]!.subscriberKey;
  const index = new SubscriptionIndex(subscriptions, await loadGeography(db));
  const open = await db
    .selectFrom('exclusion_alert')
    .select(['id', 'case_key', 'payload', rankingDueDateSql(today).as('due_date'), 'event_date'])
    .where('status', '=', 'open')
    .where('scope', 'in', ['pupil', 'district'])
    .where(sql<SqlBool>`not ${metByPlacementSql()}`)
    .execute();
  const duties: CaseCandidate[] = [];
  for (const row of open) {
    if (index.recipientsOf(JSON.parse(row.payload) as ExclusionAlert).length === 0) continue;
    duties.push({ caseKey: row.case_key, alertId: row.id, dueDate: row.due_date, eventDate: row.event_date });
  }
  const cases = mergeCases(duties);
  const carded = await casesWithCards(
    db,
    cases.map((c) => caseDeliveryKey(c.caseKey, key)),
  );
  return cases.filter((c) => !carded.has(caseDeliveryKey(c.caseKey, key))).sort(byUrgency);
}

async function queueCatchUp(db: Kysely<Database>, clock: Clock, subscriberKey: string, cardsPerDay = DEFAULT_CARDS_PER_DAY): Promise<number> {
  const subs = (await effectiveSubscriptions(db)).filter((s) => s.subscriberKey === subscriberKey);
  if (subs.length === 0) return 0;
  const waiting = await waitingCases(db, todayInLondon(clock), subs);
  const today = (await cardsQueuedToday(db, clock, [subscriberKey])).get(subscriberKey) ?? 0;
  const plan = planCards(waiting, today, cardsPerDay, true);
  return queuePlan(db, clock, { subscriberKey, staffUserId: subs[0]!.staffUserId, conversationId: subs[0]!.conversationId }, plan);
}
