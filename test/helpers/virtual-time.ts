import type { DeliveryTiming } from '../../services/alerts/delivery-worker';
import type { Clock } from '../../services/clock';

/**
 * Virtual time for tests of timed background work (pacing, leases, Retry-After). Every task runs
 * through `spawn` (workers do this themselves; a test wraps its own steps in `run`). Time stands
 * still while any task is busy (running code or awaiting I/O such as a query or an HTTP post) and
 * jumps to the earliest wake-up once every task is asleep. So a post "arrives" exactly at its
 * booked slot, a 15-minute backlog runs in seconds, and no assertion races a real timer.
 *
 * Rule: only spawned tasks may call sleep (a sleeping untracked caller would be counted wrongly).
 */
export class VirtualTime implements Clock, DeliveryTiming {
  private t: number;
  private busy = 0;
  private seq = 0;
  private checking = false;
  private readonly sleepers = new Set<{ at: number; seq: number; finish: () => void }>();

  constructor(start: string | number) {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): Date {
    return new Date(this.t);
  }

  ms(): number {
    return this.t;
  }

  sleep(ms: number, wake?: AbortSignal): Promise<void> {
    if (wake?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        finish: () => {
          if (!this.sleepers.delete(entry)) return;
          wake?.removeEventListener('abort', entry.finish);
          this.busy++;
          resolve();
        },
      };
      this.sleepers.add(entry);
      wake?.addEventListener('abort', entry.finish, { once: true });
      this.busy--;
      this.check();
    });
  }

  spawn(task: () => Promise<void>): Promise<void> {
    return this.run(task);
  }

  /** Runs `task` as a tracked task and returns its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await task();
    } finally {
      this.busy--;
      this.check();
    }
  }

  /** When every task is asleep, move to the earliest wake-up (after pending I/O callbacks ran). */
  private check(): void {
    if (this.busy > 0 || this.checking) return;
    this.checking = true;
    setImmediate(() => {
      this.checking = false;
      if (this.busy > 0 || this.sleepers.size === 0) return;
      let first: { at: number; seq: number } | undefined;
      for (const s of this.sleepers) if (!first || s.at < first.at || (s.at === first.at && s.seq < first.seq)) first = s;
      this.t = Math.max(this.t, first!.at);
      for (const s of [...this.sleepers].sort((a, b) => a.seq - b.seq)) if (s.at <= this.t) s.finish();
    });
  }
}
