import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import { markConversationGone } from '../conversations/conversation-refs';
import { describeError, silentLogger, type Logger } from '../logger';
import type { ConversationRef, ConversationType, Database } from '../store/database';
import type { Engine } from '../store/engine';
import type { AlertOutboxRow, DeliveryChannel } from '../store/tables/alerts';
import { CASE_UPDATE_KIND, sentCardActivityId } from './case-updates';
import { claimDue, confirmClaim, DUE_NOW, dueIgnoringHolds, holdSubscriber, markFinal, markRetry, markSent, newOutboxRow, nextDueAt, releaseClaims } from './outbox';
import { PACED_CONVERSATION_WINDOWS, PACED_TENANT_WINDOWS, type Window } from './send-pacer';
import { SharedPacer } from './shared-pacer';

/**
 * Delivers the outbox. Knows nothing of the Bot Framework SDK: bot/ gives it a Transport (HTTP to
 * the Bot Connector) and a Renderer (alert -> card activity for that recipient and conversation).
 *
 * Each round claims fairly (outbox.ts), finds each row's conversation (a channel's, or the user's
 * personal chat), and books a pacing slot per conversation and per tenant in the store, shared by
 * every instance (shared-pacer.ts). Rows with no slot within the horizon go straight back and
 * their subscriber is held until the slot, so a saturated chat holds no claims. Each booked row is
 * sent in the background at its slot: render, confirm the claim (the fence), send, then record:
 *   2xx -> sent; 429 -> due again after Retry-After, and that conversation pauses;
 *   5xx, 412, 502, 504 and network errors -> due again after exponential backoff with full jitter;
 *   403 / 404 -> the conversation is gone (bot removed or blocked): marked, not retried;
 *   other 4xx -> failed (retrying cannot help).
 */

export interface DeliveryTarget {
  conversationId: string;
  conversationType: ConversationType;
  tenantId: string | null;
  serviceUrl: string;
  /** The stored Bot Framework conversation reference (JSON), without activityId. */
  referenceJson: string;
}

export type TransportResult =
  | { ok: true; status: number; activityId: string | null }
  | { ok: false; status: number | null; retryAfterMs?: number; message: string };

export interface Transport {
  send(target: DeliveryTarget, activity: Record<string, unknown>): Promise<TransportResult>;
  /** Replaces a message already sent (a case card updated in place); without it updates fail. */
  update?(target: DeliveryTarget, activityId: string, activity: Record<string, unknown>): Promise<TransportResult>;
}

export type RenderResult = { activity: Record<string, unknown> } | { skip: string };

export interface Renderer {
  render(row: AlertOutboxRow, target: DeliveryTarget): Promise<RenderResult>;
}

/**
 * How the worker waits. Production uses real timers; a test can run several workers on one virtual
 * clock (time moves only when every task is asleep, so no test races a real timer).
 */
export interface DeliveryTiming {
  /** Resolves after `ms`, or early when `wake` aborts. */
  sleep(ms: number, wake?: AbortSignal): Promise<void>;
  /** Runs a background task (a virtual clock counts it as busy until it sleeps or ends). */
  spawn(task: () => Promise<void>): Promise<void>;
}

/**
 * Every send in flight sleeps until its slot on the worker's one stop signal, so more than Node's
 * default ten listeners on it is normal (each removes itself when its sleep ends), not a leak.
 */
function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

const realTiming: DeliveryTiming = {
  sleep: (ms, wake) =>
    new Promise<void>((resolve) => {
      if (wake?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        wake?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wake?.addEventListener('abort', done, { once: true });
    }),
  spawn: (task) => task(),
};

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  engine: Engine;
  clock: Clock;
  transport: Transport;
  renderer: Renderer;
  /**
   * Another channel's direct message (e.g. Slack) for users with no live Teams personal chat. A
   * user with one is reached in Teams; only without it does this give the target (the transport
   * and renderer tell the channels apart by the target).
   */
  otherTargets?: (staffUserIds: readonly number[]) => Promise<Map<number, DeliveryTarget>>;
  /**
   * Where each user's own messages go when they chose (delivery-channel.ts): 'teams', 'slack'
   * (otherTargets) or 'both' (the row is split into a copy per channel). Used only with otherTargets.
   */
  channelsFor?: (staffUserIds: readonly number[]) => Promise<Map<number, DeliveryChannel>>;
  /** The target for a conversation id no Teams reference holds (a Slack DM a card was sent to, for its updates). */
  conversationTarget?: (conversationId: string) => DeliveryTarget | undefined;
  logger?: Logger;
  workerId?: string;
  timing?: DeliveryTiming;
  /** Rows claimed per round (two seconds of the tenant's 50 sends a second; the next round starts before those end). */
  batchSize?: number;
  /** Rows per subscriber (conversation) in one claim, so one chat cannot fill a round. */
  perSubscriber?: number;
  /** Only slots this soon are booked; a row whose slot is later goes back (and its subscriber waits). */
  horizonMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Attempts while the user has no personal chat with the bot yet (app not installed). */
  maxAttemptsWithoutConversation?: number;
  noConversationRetryMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  conversationWindows?: readonly Window[];
  /** Another channel's own limits for its conversations (e.g. Slack's one message a second); undefined: conversationWindows. */
  conversationWindowsFor?: (conversationId: string) => readonly Window[] | undefined;
  tenantWindows?: readonly Window[];
  /** Idle poll interval when nothing is due (other instances' new rows are seen this often). */
  pollMs?: number;
  /** A send that wakes this much later than its slot is booked again rather than sent in a burst. */
  lateMs?: number;
  random?: () => number;
}

export interface DeliveryStats {
  sent: number;
  retried: number;
  gone: number;
  failed: number;
  throttled: number;
  /** Sends skipped because the claim was lost (lease ran out and another instance took the row). */
  fenced: number;
  /** Sends put back because the process woke too late for their slot. */
  late: number;
}

const RETRYABLE = new Set([412, 500, 502, 503, 504]);

/** The default `lateMs`: a send that wakes this late after its slot is booked again rather than sent in a burst. */
const LATE_MS = 40;
/** How often a built card may be booked again after a stall before its row goes back to the queue. */
const MAX_REBOOKINGS = 3;

/** Start the next round this long before the last booked slot of the current one (no gap between rounds). */
const ROUND_LEAD_MS = 250;

interface Job {
  row: AlertOutboxRow;
  target: DeliveryTarget;
  at: number;
}

type OptionalHooks = 'logger' | 'workerId' | 'otherTargets' | 'conversationWindowsFor' | 'channelsFor' | 'conversationTarget';

export class DeliveryWorker {
  readonly workerId: string;
  private readonly o: Required<Omit<DeliveryWorkerOptions, OptionalHooks>> & Pick<DeliveryWorkerOptions, OptionalHooks> & { logger: Logger };
  private readonly pacer: SharedPacer;
  /** 429s this process saw after slots were booked (checked again just before each send). */
  private readonly localPauses = new Map<string, number>();
  private readonly jobs = new Set<Promise<void>>();
  /**
   * The last send dispatched to each conversation. A later card for the same chat waits for it
   * before sending, so a chat receives its cards in the order their slots were booked (urgency
   * order: the summary first) even when an earlier card took longer to build.
   */
  private readonly conversationTails = new Map<string, Promise<void>>();
  private stopping = false;
  private stopSignal = stopController();
  private wakeSignal: AbortController | undefined;
  private kicked = false;
  private loop: Promise<void> | undefined;
  readonly stats: DeliveryStats = { sent: 0, retried: 0, gone: 0, failed: 0, throttled: 0, fenced: 0, late: 0 };

  constructor(options: DeliveryWorkerOptions) {
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.o = {
      timing: realTiming,
      batchSize: 100,
      perSubscriber: 16,
      horizonMs: 5000,
      leaseMs: 120_000,
      maxAttempts: 8,
      maxAttemptsWithoutConversation: 72,
      noConversationRetryMs: 3_600_000,
      backoffBaseMs: 1000,
      backoffMaxMs: 300_000,
      conversationWindows: PACED_CONVERSATION_WINDOWS,
      tenantWindows: PACED_TENANT_WINDOWS,
      pollMs: 5000,
      lateMs: LATE_MS,
      random: Math.random,
      ...options,
      logger: options.logger ?? silentLogger,
    };
    this.pacer = new SharedPacer(this.o.db, this.o.engine, (key) =>
      key.startsWith('tenant:') ? this.o.tenantWindows : (this.o.conversationWindowsFor?.(key.slice('conversation:'.length)) ?? this.o.conversationWindows),
    );
  }

  private nowMs(): number {
    return this.o.clock.now().getTime();
  }

  /** Runs until stop(): delivers what is due, then sleeps until the next row is due or kick(). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.stopSignal = stopController();
    this.loop = this.o.timing.spawn(async () => {
      while (!this.stopping) {
        try {
          const round = await this.runRound();
          if (this.stopping) break;
          if (round.claimed > 0) {
            await this.idle(round.wakeAt - this.nowMs());
            continue;
          }
          const next = await nextDueAt(this.o.db);
          const wait = next ? Math.min(this.o.pollMs, Date.parse(next) - this.nowMs()) : this.o.pollMs;
          await this.idle(Math.max(wait, 20));
        } catch (error) {
          this.o.logger.error('delivery.round_failed', describeError(error));
          await this.idle(this.o.pollMs);
        }
      }
    });
  }

  /** New rows were queued: stop sleeping. */
  kick(): void {
    this.kicked = true;
    this.wakeSignal?.abort();
  }

  /** Finishes sends in flight, puts rows not yet sent back in the queue, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    this.wakeSignal?.abort();
    await this.loop;
    while (this.jobs.size) await Promise.all([...this.jobs]);
    this.loop = undefined;
  }

  /** Delivers until nothing is due now, waiting out pacing (for tests, benches and one-shot runs). */
  async runUntilIdle(): Promise<DeliveryStats> {
    for (;;) {
      const round = await this.runRound();
      if (round.claimed > 0) {
        const wait = round.wakeAt - this.nowMs();
        if (wait > 0) await this.o.timing.sleep(wait);
        continue;
      }
      // Poll rather than await the sends: they sleep until their slots, and a virtual clock only
      // moves while every task sleeps.
      while (this.jobs.size) await this.o.timing.sleep(5);
      if ((await dueIgnoringHolds(this.o.db, this.o.clock.now())) === 0) return this.stats;
      // Rows are due but their conversations have no slot yet: wait for the earliest.
      const next = await nextDueAt(this.o.db);
      await this.o.timing.sleep(Math.max(10, next ? Date.parse(next) - this.nowMs() : this.o.pollMs));
    }
  }

  /** One round of claim, pace and dispatch (the sends run in the background). Returns how many rows it claimed. */
  async runOnce(): Promise<number> {
    return (await this.runRound()).claimed;
  }

  /**
   * Claims fairly, books a shared pacing slot for each row within the horizon, hands each booked
   * row to a background send at its slot, and puts the rest back with their subscriber on hold
   * until their slot. `wakeAt`: when the next round should run.
   */
  private async runRound(): Promise<{ claimed: number; wakeAt: number }> {
    if (this.stopping) return { claimed: 0, wakeAt: 0 };
    const rows = await claimDue(this.o.db, this.o.engine, {
      workerId: this.workerId,
      now: this.o.clock.now(),
      leaseMs: this.o.leaseMs,
      limit: this.o.batchSize,
      perSubscriber: this.o.perSubscriber,
    });
    if (rows.length === 0) return { claimed: 0, wakeAt: 0 };
    const targets = await this.resolveTargets(rows);
    const sendable: { row: AlertOutboxRow; target: DeliveryTarget }[] = [];
    for (const row of rows) {
      const target = targets.get(row.id);
      if (target === undefined) {
        await this.noConversation(row);
      } else if (target === 'gone') {
        await markFinal(this.o.db, row, 'gone', null, 'the conversation is gone (bot removed or blocked)');
        this.stats.gone++;
      } else {
        sendable.push({ row, target });
      }
    }
    const now = this.nowMs();
    const answers = await this.pacer.reserve(
      sendable.map((s) => pacingKeys(s.target)),
      now,
      now + this.o.horizonMs,
    );
    const back: AlertOutboxRow[] = [];
    const holds = new Map<string, number>();
    let lastBooked = -Infinity;
    let firstBlocked = Infinity;
    sendable.forEach((s, i) => {
      const answer = answers[i]!;
      if (answer.booked) {
        lastBooked = Math.max(lastBooked, answer.at);
        this.dispatch({ ...s, at: answer.at });
      } else {
        back.push(s.row);
        firstBlocked = Math.min(firstBlocked, answer.at);
        holds.set(s.row.subscriber_key, Math.min(holds.get(s.row.subscriber_key) ?? Infinity, answer.at));
      }
    });
    await releaseClaims(this.o.db, back);
    for (const [subscriber, at] of holds) await holdSubscriber(this.o.db, subscriber, this.iso(at));
    const wakeAt = Math.min(lastBooked - ROUND_LEAD_MS, firstBlocked);
    return { claimed: rows.length, wakeAt: Number.isFinite(wakeAt) ? wakeAt : now };
  }

  private dispatch(job: Job): void {
    const conversationKey = pacingKeys(job.target)[0]!;
    const earlier = this.conversationTails.get(conversationKey);
    const task = this.o.timing
      .spawn(() => this.sendAt(job, earlier))
      .catch((error) => this.o.logger.error('delivery.send_failed', describeError(error)))
      .finally(() => {
        this.jobs.delete(task);
        if (this.conversationTails.get(conversationKey) === task) this.conversationTails.delete(conversationKey);
      });
    this.conversationTails.set(conversationKey, task);
    this.jobs.add(task);
  }

  /**
   * Waits for `task` to end as a sleep it cuts short, so a virtual clock sees this send as waiting
   * (not busy) and can move on to wake the task being waited for.
   */
  private async waitFor(task: Promise<void>): Promise<void> {
    const ended = new AbortController();
    void task.finally(() => ended.abort());
    while (!ended.signal.aborted) await this.o.timing.sleep(this.o.horizonMs, ended.signal);
  }

  /** The fence: false (and counted) when our lease ran out and another instance may have sent the row. */
  private async stillOurs(row: AlertOutboxRow): Promise<boolean> {
    if (await confirmClaim(this.o.db, row, this.o.clock.now(), this.o.leaseMs)) return true;
    // Our lease ran out (a long pause) and another instance may have sent it: never send twice.
    this.stats.fenced++;
    this.o.logger.warn('delivery.claim_lost', { outboxId: row.id });
    return false;
  }

  /** Waits for the slot (booking it again if woken too late), then renders, confirms the claim (the fence), sends and settles. */
  private async sendAt(job: Job, earlier?: Promise<void>): Promise<void> {
    const { row, target } = job;
    const delay = job.at - this.nowMs();
    if (delay > 0) await this.o.timing.sleep(delay, this.stopSignal.signal);
    if (this.stopping) {
      await releaseClaims(this.o.db, [row]);
      return;
    }
    const conversationKey = pacingKeys(target)[0]!;
    const paused = this.localPauses.get(conversationKey) ?? 0;
    if (paused > this.nowMs()) {
      // A 429 arrived for this conversation after the slot was booked: wait the server's time.
      await markRetry(this.o.db, row, this.iso(paused), 429, 'waiting for Retry-After');
      this.stats.retried++;
      return;
    }
    if (this.nowMs() - job.at > this.o.lateMs) {
      // Woke far past the slot (an overloaded event loop): sending now would bunch up with the
      // sends booked after it, so book it again. Checked before rendering: a card that takes
      // longer than LATE_MS to build must still go (rendering reads, and audits, pupil data once).
      await releaseClaims(this.o.db, [row]);
      this.stats.late++;
      return;
    }
    // A case update replaces the card already sent (same claim, fence and pacing as a new message).
    let replaces: string | null = null;
    if (row.kind === CASE_UPDATE_KIND) {
      replaces = await sentCardActivityId(this.o.db, row.subject_id);
      const why = replaces === null ? 'the card it updates was never sent' : this.o.transport.update ? null : 'this transport cannot update a message';
      if (why) {
        await markFinal(this.o.db, row, 'failed', null, why);
        this.stats.failed++;
        return;
      }
    }
    let rendered: RenderResult;
    try {
      rendered = await this.o.renderer.render(row, target);
    } catch (error) {
      await this.retryLater(row, null, `render failed: ${describeError(error).message}`);
      return;
    }
    if ('skip' in rendered) {
      await markFinal(this.o.db, row, 'failed', null, rendered.skip);
      this.stats.failed++;
      return;
    }
    // An earlier card for this chat is still on its way: keep the chat's order (it may make us late).
    if (earlier) await this.waitFor(earlier);
    // Building the card took us far past the slot (a stall, an overloaded loop): sending now would
    // bunch up with the sends booked after it. Book a fresh slot for the card already built rather
    // than build it again (that would read, and audit, pupil data twice), a bounded number of times.
    for (let rebooked = 0; this.nowMs() - job.at > this.o.lateMs; rebooked++) {
      if (!(await this.stillOurs(row))) return;
      const [answer] = rebooked < MAX_REBOOKINGS && !this.stopping ? await this.pacer.reserve([pacingKeys(target)], this.nowMs(), this.nowMs() + this.o.horizonMs) : [];
      if (!answer?.booked) {
        await releaseClaims(this.o.db, [row]);
        this.stats.late++;
        return;
      }
      job = { ...job, at: answer.at };
      const wait = answer.at - this.nowMs();
      if (wait > 0) await this.o.timing.sleep(wait, this.stopSignal.signal);
    }
    if (!(await this.stillOurs(row))) return;
    let result: TransportResult;
    try {
      result = replaces !== null ? await this.o.transport.update!(target, replaces, rendered.activity) : await this.o.transport.send(target, rendered.activity);
    } catch (error) {
      result = { ok: false, status: null, message: describeError(error).message };
    }
    const nowIso = this.o.clock.now().toISOString();
    if (result.ok) {
      await markSent(this.o.db, row, nowIso, target.conversationId, result.activityId, result.status);
      this.stats.sent++;
      return;
    }
    const status = result.status;
    if (status === 429) {
      const wait = result.retryAfterMs ?? this.backoff(row.attempts);
      const until = this.nowMs() + wait;
      this.localPauses.set(conversationKey, until);
      await this.pacer.pause(conversationKey, until);
      await holdSubscriber(this.o.db, row.subscriber_key, this.iso(until));
      this.stats.throttled++;
      await markRetry(this.o.db, row, this.iso(until), 429, result.message);
      this.stats.retried++;
      return;
    }
    if (status === 403 || status === 404) {
      await markConversationGone(this.o.db, target.conversationId, nowIso);
      await markFinal(this.o.db, row, 'gone', status, result.message);
      this.stats.gone++;
      this.o.logger.info('delivery.conversation_gone', { outboxId: row.id, status });
      return;
    }
    if (status === null || RETRYABLE.has(status) || status >= 500) {
      await this.retryLater(row, status, result.message);
      return;
    }
    await markFinal(this.o.db, row, 'failed', status, result.message);
    this.stats.failed++;
    this.o.logger.warn('delivery.failed', { outboxId: row.id, status });
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private async retryLater(row: AlertOutboxRow, status: number | null, message: string): Promise<void> {
    if (row.attempts >= this.o.maxAttempts) {
      await markFinal(this.o.db, row, 'failed', status, `gave up after ${row.attempts} attempts: ${message}`);
      this.stats.failed++;
      this.o.logger.warn('delivery.gave_up', { outboxId: row.id, status, attempts: row.attempts });
      return;
    }
    const at = new Date(this.o.clock.now().getTime() + this.backoff(row.attempts)).toISOString();
    await markRetry(this.o.db, row, at, status, message);
    this.stats.retried++;
  }

  /** Exponential backoff with full jitter: random in [0, min(max, base * 2^(attempt-1))]. */
  private backoff(attempts: number): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(this.o.random() * ceiling);
  }

  private async noConversation(row: AlertOutboxRow): Promise<void> {
    if (row.attempts >= this.o.maxAttemptsWithoutConversation) {
      await markFinal(this.o.db, row, 'failed', null, 'no chat with this user: the app is not installed for them');
      this.stats.failed++;
      return;
    }
    const at = new Date(this.o.clock.now().getTime() + this.o.noConversationRetryMs).toISOString();
    await markRetry(this.o.db, row, at, null, 'no chat with this user yet');
    this.stats.retried++;
  }

  /** The conversation for each row: 'gone' when it is marked gone, absent when none is known. */
  private async resolveTargets(rows: readonly AlertOutboxRow[]): Promise<Map<number, DeliveryTarget | 'gone'>> {
    const result = new Map<number, DeliveryTarget | 'gone'>();
    const conversationIds = [...new Set(rows.map((r) => r.conversation_id).filter((c): c is string => c !== null))];
    const userIds = [...new Set(rows.filter((r) => r.conversation_id === null).map((r) => r.staff_user_id))];
    const byConversation = new Map<string, ConversationRef>();
    if (conversationIds.length) {
      for (const ref of await this.o.db.selectFrom('conversation_ref').selectAll().where('conversation_id', 'in', conversationIds).execute()) byConversation.set(ref.conversation_id, ref);
    }
    const byUser = new Map<number, ConversationRef>();
    if (userIds.length) {
      const refs = await this.o.db
        .selectFrom('conversation_ref')
        .innerJoin('staff_user', 'staff_user.aad_object_id', 'conversation_ref.aad_object_id')
        .selectAll('conversation_ref')
        .select('staff_user.id as staff_user_id')
        .where('staff_user.id', 'in', userIds)
        .where('conversation_ref.conversation_type', '=', 'personal')
        .orderBy('conversation_ref.updated_at')
        .execute();
      // Latest live personal chat wins; a gone one only when there is nothing else.
      for (const { staff_user_id, ...ref } of refs) {
        const current = byUser.get(staff_user_id);
        if (!current || current.gone_at !== null || ref.gone_at === null) byUser.set(staff_user_id, ref);
      }
    }
    const chosen = this.o.otherTargets && this.o.channelsFor ? await this.o.channelsFor(userIds) : new Map<number, DeliveryChannel>();
    const channelOf = new Map<number, 'teams' | 'slack' | null>();
    for (const row of rows) {
      if (row.conversation_id !== null) continue;
      let channel = row.channel ?? null;
      if (channel === null && chosen.get(row.staff_user_id) === 'both') channel = await this.splitForBoth(row);
      else if (channel === null) channel = (chosen.get(row.staff_user_id) as 'teams' | 'slack' | undefined) ?? null;
      channelOf.set(row.id, channel);
    }
    const withoutTeams = userIds.filter((id) => {
      const ref = byUser.get(id);
      return !ref || ref.gone_at !== null;
    });
    const wantSlack = rows.filter((r) => channelOf.get(r.id) === 'slack').map((r) => r.staff_user_id);
    const noTeams = new Set(withoutTeams);
    const slackUsers = [...new Set([...withoutTeams, ...wantSlack])];
    const elsewhere = slackUsers.length && this.o.otherTargets ? await this.o.otherTargets(slackUsers) : new Map<number, DeliveryTarget>();
    for (const row of rows) {
      const channel = channelOf.get(row.id) ?? null;
      // Chosen Slack; or no channel chosen: Teams when there is a live personal chat, else the other channel.
      const useOther = row.conversation_id === null && (channel === 'slack' || (channel === null && noTeams.has(row.staff_user_id)));
      const other = useOther ? elsewhere.get(row.staff_user_id) : undefined;
      if (other) {
        result.set(row.id, other);
        continue;
      }
      // Chosen Slack only, and no Slack id yet: no chat with this user yet (retried, as for Teams).
      if (channel === 'slack') continue;
      const ref = row.conversation_id !== null ? byConversation.get(row.conversation_id) : byUser.get(row.staff_user_id);
      if (!ref) {
        const bound = row.conversation_id !== null ? this.o.conversationTarget?.(row.conversation_id) : undefined;
        if (bound) result.set(row.id, bound);
        continue;
      }
      result.set(
        row.id,
        ref.gone_at !== null
          ? 'gone'
          : { conversationId: ref.conversation_id, conversationType: ref.conversation_type, tenantId: ref.tenant_id, serviceUrl: ref.service_url, referenceJson: ref.reference_json },
      );
    }
    return result;
  }

  /**
   * A message for someone on both channels becomes two rows: this one, marked for Teams, and a copy
   * for Slack (due at once, same kind and subject). The copy's dedupe key is derived from this
   * row's, so however often this row is tried again there is only ever one copy: each channel
   * gets the message once.
   */
  private async splitForBoth(row: AlertOutboxRow): Promise<'teams'> {
    await this.o.db
      .insertInto('alert_outbox')
      .values({
        ...newOutboxRow({
          dedupeKey: `${row.dedupe_key}>slack`,
          alertId: row.alert_id,
          subscriberKey: row.subscriber_key,
          staffUserId: row.staff_user_id,
          conversationId: null,
          kind: row.kind,
          due: DUE_NOW,
          createdAt: row.created_at,
          priority: row.priority ?? undefined,
          subjectId: row.subject_id ?? undefined,
        }),
        channel: 'slack',
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
    await this.o.db.updateTable('alert_outbox').set({ channel: 'teams' }).where('id', '=', row.id).execute();
    return 'teams';
  }

  /** Sleeps up to `ms`, ending early on kick() or stop(). */
  private async idle(ms: number): Promise<void> {
    if (this.kicked || this.stopping) {
      this.kicked = false;
      return;
    }
    const wake = new AbortController();
    this.wakeSignal = wake;
    await this.o.timing.sleep(Math.max(0, ms), wake.signal);
    this.kicked = false;
  }
}

/** The pacing buckets a send counts against: its conversation (a channel without the thread) and its tenant. */
function pacingKeys(target: DeliveryTarget): [string, string] {
  return [`conversation:${target.conversationId.split(';messageid=')[0]}`, `tenant:${target.tenantId ?? '-'}`];
}
