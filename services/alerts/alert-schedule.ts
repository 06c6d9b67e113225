import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isoWeekday, mondayOf, todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import { CONFIG_DEFAULTS } from '../config';
import { describeError, silentLogger, type Logger } from '../logger';
import type { Database } from '../store/database';
import { joinedSubscribers } from './alert-cases';
import { drainPendingPupils, runDisproportionality, runPupilRules, type RunSummary } from './alert-runner';
import { insertNewAlerts } from './new-alerts';
import { DUE_NOW, newOutboxRow } from './outbox';
import { drainAttendanceSchools, runAttendanceRules, type AttendanceRunDeps } from '../attendance/attendance-alerts';
import { effectiveSubscriptions } from './subscriptions';
import { ROWS_PER_INSERT } from '../store/batches';

/**
 * When the rules run: pupils queued by imports and intake within seconds (every tick), every pupil
 * daily at a set London time (default 07:00), and on Mondays the disproportionality check and the
 * weekly digest. With several instances, a job_run row (unique per job and day) decides which one
 * runs each scheduled job; draining the queue is safe on all of them at once.
 */

export interface ScheduleOptions {
  /** 'HH:MM' Europe/London. */
  dailyAt?: string;
  /** How often start()'s loop ticks (ALERT_SCHEDULE_TICK_SECONDS). */
  tickMs?: number;
  holder?: string;
  logger?: Logger;
  /** Called after a tick queued deliveries (to wake the delivery worker). */
  onQueued?: () => void;
}

/** 'HH:MM' in Europe/London for an instant. */
export function londonTime(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const part = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

/** True for exactly one caller per (job, run key), across instances. */
export async function claimJobRun(db: Kysely<Database>, job: string, runKey: string, holder: string, now: string): Promise<boolean> {
  const result = await db
    .insertInto('job_run')
    .values({ job, run_key: runKey, holder, started_at: now, finished_at: null })
    .onConflict((oc) => oc.columns(['job', 'run_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

async function finishJobRun(db: Kysely<Database>, job: string, runKey: string, now: string): Promise<void> {
  await db.updateTable('job_run').set({ finished_at: now }).where('job', '=', job).where('run_key', '=', runKey).execute();
}

/** Queues this week's digest for every subscriber (one synthetic alert row, one delivery each). */
async function queueWeeklyDigest(db: Kysely<Database>, clock: Clock): Promise<number> {
  const now = clock.now().toISOString();
  const week = mondayOf(todayInLondon(clock));
  const dedupeKey = `digest:${week}`;
  const alertId = (await insertNewAlerts(db, [{ dedupe_key: dedupeKey, rule: 'digest', scope: 'digest', event_date: week, payload: '{}', created_at: now }])).get(dedupeKey);
  if (alertId === undefined) return 0;
  const subscribers = new Map<string, { staffUserId: number; conversationId: string | null }>();
  // Only those who have joined (talked to the bot, or a subscribed channel): a digest for someone
  // without a chat would only wait and retry; the "what is open now" card greets them instead.
  const joined = await joinedSubscribers(db);
  for (const sub of await effectiveSubscriptions(db)) {
    if (!joined.has(sub.subscriberKey)) continue;
    if (!subscribers.has(sub.subscriberKey)) subscribers.set(sub.subscriberKey, { staffUserId: sub.staffUserId, conversationId: sub.conversationId });
  }
  const rows = [...subscribers].map(([key, s]) =>
    newOutboxRow({
      dedupeKey: `digest:${week}>${key}`,
      alertId,
      subscriberKey: key,
      staffUserId: s.staffUserId,
      conversationId: s.conversationId,
      kind: 'digest',
      due: DUE_NOW,
      createdAt: now,
    }),
  );
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db.insertInto('alert_outbox').values(rows.slice(i, i + ROWS_PER_INSERT)).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  }
  return rows.length;
}

export class AlertScheduler {
  private readonly dailyAt: string;
  private readonly tickMs: number;
  readonly holder: string;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: AttendanceRunDeps,
    private readonly options: ScheduleOptions = {},
  ) {
    this.dailyAt = options.dailyAt ?? '07:00';
    this.tickMs = options.tickMs ?? CONFIG_DEFAULTS.ALERT_SCHEDULE_TICK_SECONDS * 1000;
    this.holder = options.holder ?? `instance-${randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? deps.logger ?? silentLogger;
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.tick().then(
        () => undefined,
        (error) => this.logger.error('alerts.schedule_failed', describeError(error)),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.tickMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** A failed run gives its claim back, so the next tick (here or on another instance) tries again. */
  private async releasingOnFailure<T>(job: string, runKey: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await this.deps.db.deleteFrom('job_run').where('job', '=', job).where('run_key', '=', runKey).where('holder', '=', this.holder).execute();
      throw error;
    }
  }

  /** One pass: drain the queue, then any scheduled job that is due and not yet run today. */
  async tick(): Promise<{ drained: RunSummary; daily?: RunSummary; weekly?: RunSummary; digests?: number; attendance?: RunSummary }> {
    const result: { drained: RunSummary; daily?: RunSummary; weekly?: RunSummary; digests?: number; attendance?: RunSummary } = { drained: await drainPendingPupils(this.deps) };
    // Schools whose marks an import changed: only their pupils are evaluated.
    const attendanceDrained = await drainAttendanceSchools(this.deps);
    let queued = result.drained.queuedDeliveries + attendanceDrained.queuedDeliveries;
    const now = this.deps.clock.now();
    const today = todayInLondon(this.deps.clock);
    if (londonTime(now) >= this.dailyAt) {
      const nowIso = now.toISOString();
      if (await claimJobRun(this.deps.db, 'daily-rules', today, this.holder, nowIso)) {
        result.daily = await this.releasingOnFailure('daily-rules', today, () => runPupilRules(this.deps));
        queued += result.daily.queuedDeliveries;
        result.attendance = await this.releasingOnFailure('daily-rules', today, () => runAttendanceRules(this.deps));
        queued += result.attendance.queuedDeliveries;
        await finishJobRun(this.deps.db, 'daily-rules', today, this.deps.clock.now().toISOString());
        this.logger.info('alerts.daily', { alerts: result.daily.alerts, newAlerts: result.daily.newAlerts, queued: result.daily.queuedDeliveries, problems: result.daily.problems.length });
      }
      if (isoWeekday(today) === 1 && (await claimJobRun(this.deps.db, 'weekly', today, this.holder, nowIso))) {
        result.weekly = await this.releasingOnFailure('weekly', today, () => runDisproportionality(this.deps));
        result.digests = await queueWeeklyDigest(this.deps.db, this.deps.clock);
        queued += result.weekly.queuedDeliveries + result.digests;
        await finishJobRun(this.deps.db, 'weekly', today, this.deps.clock.now().toISOString());
      }
    }
    if (queued > 0) this.options.onQueued?.();
    return result;
  }
}
