import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import { markConversationGone } from '../conversations/conversation-refs';
import { describeError, silentLogger, type Logger } from '../logger';
import type { ConversationRef, ConversationType, Database } from '../store/database';
import type { Engine } from '../store/engine';
import type { AlertOutboxRow } from './alert-schema';
import { claimDue, markFinal, markRetry, markSent, nextDueAt, releaseClaims } from './outbox';
import { PACED_CONVERSATION_WINDOWS, PACED_TENANT_WINDOWS, SendPacer, type Window } from './send-pacer';

/**
 * Delivers the outbox. Knows nothing of the Bot Framework SDK: bot/ gives it a Transport (HTTP to
 * the Bot Connector) and a Renderer (alert -> card activity for that recipient and conversation).
 *
 * Per row: find the conversation (a channel's, or the user's personal chat), render, wait for a
 * pacing slot (per conversation and per tenant), send, then record the outcome:
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
}

export type RenderResult = { activity: Record<string, unknown> } | { skip: string };

export interface Renderer {
  render(row: AlertOutboxRow, target: DeliveryTarget): Promise<RenderResult>;
}

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  engine: Engine;
  clock: Clock;
  transport: Transport;
  renderer: Renderer;
  logger?: Logger;
  workerId?: string;
  /** Rows claimed per round. */
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Attempts while the user has no personal chat with the bot yet (app not installed). */
  maxAttemptsWithoutConversation?: number;
  noConversationRetryMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  concurrency?: number;
  conversationWindows?: readonly Window[];
  tenantWindows?: readonly Window[];
  /** Idle poll interval when nothing is due. */
  pollMs?: number;
  random?: () => number;
}

export interface DeliveryStats {
  sent: number;
  retried: number;
  gone: number;
  failed: number;
  throttled: number;
}

const RETRYABLE = new Set([412, 500, 502, 503, 504]);

export class DeliveryWorker {
  readonly workerId: string;
  private readonly o: Required<Omit<DeliveryWorkerOptions, 'logger' | 'workerId'>> & { logger: Logger };
  private readonly pacer: SendPacer;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  readonly stats: DeliveryStats = { sent: 0, retried: 0, gone: 0, failed: 0, throttled: 0 };

  constructor(options: DeliveryWorkerOptions) {
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.o = {
      batchSize: 200,
      leaseMs: 120_000,
      maxAttempts: 8,
      maxAttemptsWithoutConversation: 72,
      noConversationRetryMs: 3_600_000,
      backoffBaseMs: 1000,
      backoffMaxMs: 300_000,
      concurrency: 48,
      conversationWindows: PACED_CONVERSATION_WINDOWS,
      tenantWindows: PACED_TENANT_WINDOWS,
      pollMs: 5000,
      random: Math.random,
      ...options,
      logger: options.logger ?? silentLogger,
    };
    this.pacer = new SendPacer((key) => (key.startsWith('tenant:') ? this.o.tenantWindows : this.o.conversationWindows));
  }

  /** Runs until stop(): delivers what is due, then sleeps until the next row is due or kick(). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          const handled = await this.runOnce();
          if (handled > 0) continue;
          const next = await nextDueAt(this.o.db);
          const wait = next ? Math.max(0, Math.min(this.o.pollMs, Date.parse(next) - this.o.clock.now().getTime())) : this.o.pollMs;
          await this.idle(Math.max(wait, 20));
        } catch (error) {
          this.o.logger.error('delivery.round_failed', describeError(error));
          await this.idle(this.o.pollMs);
        }
      }
    })();
  }

  /** New rows were queued: stop sleeping. */
  kick(): void {
    this.wake?.();
  }

  /** Finishes sends in flight, puts rows not yet sent back in the queue, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    await this.loop;
    this.loop = undefined;
  }

  /** Delivers until nothing is due now (for tests, benches and one-shot runs). */
  async runUntilIdle(): Promise<DeliveryStats> {
    while ((await this.runOnce()) > 0) {
      /* keep going */
    }
    return this.stats;
  }

  /** One round: claim, send paced, settle. Returns how many rows it claimed. */
  async runOnce(): Promise<number> {
    if (this.stopping) return 0;
    const rows = await claimDue(this.o.db, this.o.engine, {
      workerId: this.workerId,
      now: this.o.clock.now(),
      leaseMs: this.o.leaseMs,
      limit: this.o.batchSize,
    });
    if (rows.length === 0) return 0;
    const targets = await this.resolveTargets(rows);
    const jobs: { row: AlertOutboxRow; target: DeliveryTarget; at: number }[] = [];
    for (const row of rows) {
      const target = targets.get(row.id);
      if (target === undefined) {
        await this.noConversation(row);
        continue;
      }
      if (target === 'gone') {
        await markFinal(this.o.db, row.id, this.workerId, 'gone', null, 'the conversation is gone (bot removed or blocked)');
        this.stats.gone++;
        continue;
      }
      const at = this.pacer.reserve([`conversation:${target.conversationId}`, `tenant:${target.tenantId ?? '-'}`], Date.now());
      jobs.push({ row, target, at });
    }
    await this.sendAll(jobs);
    return rows.length;
  }

  private async sendAll(jobs: { row: AlertOutboxRow; target: DeliveryTarget; at: number }[]): Promise<void> {
    let next = 0;
    const unsent: number[] = [];
    const lane = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const delay = job.at - Date.now();
        if (delay > 0) await this.sleep(delay);
        if (this.stopping) {
          unsent.push(job.row.id);
          continue;
        }
        await this.deliver(job.row, job.target);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, jobs.length) }, lane));
    await releaseClaims(this.o.db, unsent, this.workerId);
  }

  private async deliver(row: AlertOutboxRow, target: DeliveryTarget): Promise<void> {
    const conversationKey = `conversation:${target.conversationId}`;
    const paused = this.pacer.pausedUntil(conversationKey);
    if (paused > Date.now()) {
      // A 429 arrived for this conversation after the slot was booked: wait the server's time.
      await markRetry(this.o.db, row.id, this.workerId, new Date(this.o.clock.now().getTime() + (paused - Date.now())).toISOString(), 429, 'waiting for Retry-After');
      this.stats.retried++;
      return;
    }
    let rendered: RenderResult;
    try {
      rendered = await this.o.renderer.render(row, target);
    } catch (error) {
      await this.retryLater(row, null, `render failed: ${describeError(error).message}`);
      return;
    }
    if ('skip' in rendered) {
      await markFinal(this.o.db, row.id, this.workerId, 'failed', null, rendered.skip);
      this.stats.failed++;
      return;
    }
    let result: TransportResult;
    try {
      result = await this.o.transport.send(target, rendered.activity);
    } catch (error) {
      result = { ok: false, status: null, message: describeError(error).message };
    }
    const nowIso = this.o.clock.now().toISOString();
    if (result.ok) {
      await markSent(this.o.db, row.id, this.workerId, nowIso, target.conversationId, result.activityId, result.status);
      this.stats.sent++;
      return;
    }
    const status = result.status;
    if (status === 429) {
      const wait = result.retryAfterMs ?? this.backoff(row.attempts);
      this.pacer.pause(conversationKey, Date.now() + wait);
      this.stats.throttled++;
      await markRetry(this.o.db, row.id, this.workerId, new Date(this.o.clock.now().getTime() + wait).toISOString(), 429, result.message);
      this.stats.retried++;
      return;
    }
    if (status === 403 || status === 404) {
      await markConversationGone(this.o.db, target.conversationId, nowIso);
      await markFinal(this.o.db, row.id, this.workerId, 'gone', status, result.message);
      this.stats.gone++;
      this.o.logger.info('delivery.conversation_gone', { outboxId: row.id, status });
      return;
    }
    if (status === null || RETRYABLE.has(status) || status >= 500) {
      await this.retryLater(row, status, result.message);
      return;
    }
    await markFinal(this.o.db, row.id, this.workerId, 'failed', status, result.message);
    this.stats.failed++;
    this.o.logger.warn('delivery.failed', { outboxId: row.id, status });
  }

  private async retryLater(row: AlertOutboxRow, status: number | null, message: string): Promise<void> {
    if (row.attempts >= this.o.maxAttempts) {
      await markFinal(this.o.db, row.id, this.workerId, 'failed', status, `gave up after ${row.attempts} attempts: ${message}`);
      this.stats.failed++;
      this.o.logger.warn('delivery.gave_up', { outboxId: row.id, status, attempts: row.attempts });
      return;
    }
    const at = new Date(this.o.clock.now().getTime() + this.backoff(row.attempts)).toISOString();
    await markRetry(this.o.db, row.id, this.workerId, at, status, message);
    this.stats.retried++;
  }

  /** Exponential backoff with full jitter: random in [0, min(max, base * 2^(attempt-1))]. */
  private backoff(attempts: number): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(this.o.random() * ceiling);
  }

  private async noConversation(row: AlertOutboxRow): Promise<void> {
    if (row.attempts >= this.o.maxAttemptsWithoutConversation) {
      await markFinal(this.o.db, row.id, this.workerId, 'failed', null, 'no chat with this user: the app is not installed for them');
      this.stats.failed++;
      return;
    }
    const at = new Date(this.o.clock.now().getTime() + this.o.noConversationRetryMs).toISOString();
    await markRetry(this.o.db, row.id, this.workerId, at, null, 'no chat with this user yet');
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
    for (const row of rows) {
      const ref = row.conversation_id !== null ? byConversation.get(row.conversation_id) : byUser.get(row.staff_user_id);
      if (!ref) continue;
      result.set(
        row.id,
        ref.gone_at !== null
          ? 'gone'
          : { conversationId: ref.conversation_id, conversationType: ref.conversation_type, tenantId: ref.tenant_id, serviceUrl: ref.service_url, referenceJson: ref.reference_json },
      );
    }
    return result;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(entry);
    });
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
