/**
 * Paces proactive sends inside Teams' limits. Each key (a conversation, a tenant) has sliding
 * windows "at most L sends in W ms"; `reserve` returns the earliest time every window of every key
 * allows one more send and books it. Sends to one conversation keep their order (a slot is never
 * earlier than that conversation's last one), so cards arrive in the order they were queued.
 */

import { lowerBound, upperBound } from '../util/sorted-search';

export interface Window {
  limit: number;
  ms: number;
}

/** Teams, per bot per conversation (thread): 7/1 s, 8/2 s, 60/30 s, 1800/3600 s (rate-limit.md). */
export const TEAMS_CONVERSATION_WINDOWS: readonly Window[] = [
  { limit: 7, ms: 1000 },
  { limit: 8, ms: 2000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];

/** Teams, per app per tenant: 50 requests per second. */
export const TEAMS_TENANT_WINDOWS: readonly Window[] = [{ limit: 50, ms: 1000 }];

/**
 * What the worker actually paces to: Teams' windows stretched by a small margin, so network jitter
 * (a message booked 1000 ms after another can arrive 990 ms after it) never crosses a limit, and
 * tenant sends spread evenly (one per 20 ms) rather than in bursts of 50. Costs about 5% of the
 * allowed rate; a 429 costs far more.
 */
export const PACED_CONVERSATION_WINDOWS: readonly Window[] = [
  { limit: 7, ms: 1100 },
  { limit: 8, ms: 2100 },
  { limit: 60, ms: 30_300 },
  { limit: 1800, ms: 3_601_000 },
];
export const PACED_TENANT_WINDOWS: readonly Window[] = [
  { limit: 1, ms: 20 },
  { limit: 50, ms: 1050 },
];

interface KeyState {
  windows: readonly Window[];
  /** Booked send times, ascending. */
  times: number[];
  pausedUntil: number;
}

export class SendPacer {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly windowsFor: (key: string) => readonly Window[]) {}

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { windows: this.windowsFor(key), times: [], pausedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  /**
   * Books and returns the earliest allowed time (ms since epoch) at or after `now`. `ordered` keys
   * (conversations) never get a slot before their previous one; other keys (the tenant) may, so one
   * paused conversation does not hold up the rest of the tenant. With `notAfter`, a time later than
   * that is returned but not booked (the caller will not wait that long).
   */
  reserve(keys: readonly string[], now: number, options: { ordered?: (key: string) => boolean; notAfter?: number } = {}): number {
    const ordered = options.ordered ?? ((k: string) => !k.startsWith('tenant:'));
    const states = keys.map((k) => ({ state: this.state(k), ordered: ordered(k) }));
    let at = now;
    for (const { state, ordered: fifo } of states) {
      this.prune(state, now);
      at = Math.max(at, state.pausedUntil);
      if (fifo) at = Math.max(at, state.times[state.times.length - 1] ?? 0);
    }
    // Move forward until no window of any key is full around `at`. Counting (at - W, at + W) is
    // conservative for bookings out of order and exact for the usual in-order case.
    for (let moved = true; moved; ) {
      moved = false;
      for (const { state } of states) {
        for (const w of state.windows) {
          const from = upperBound(state.times, at - w.ms);
          const to = lowerBound(state.times, at + w.ms);
          const count = to - from;
          if (count >= w.limit) {
            at = state.times[from + count - w.limit]! + w.ms;
            moved = true;
          }
        }
      }
    }
    if (options.notAfter !== undefined && at > options.notAfter) return at;
    for (const { state } of states) state.times.splice(upperBound(state.times, at), 0, at);
    return at;
  }

  /** Seeds a key with bookings made elsewhere (ascending) and its pause, e.g. from the store. */
  load(key: string, times: readonly number[], pausedUntil: number): void {
    const state = this.state(key);
    state.times = [...times];
    state.pausedUntil = pausedUntil;
  }

  /** The longest window of a key (how long its bookings matter). */
  longestWindow(key: string): number {
    return Math.max(...this.state(key).windows.map((w) => w.ms));
  }

  /** Stops sends to a key until `until` (a 429's Retry-After). */
  pause(key: string, until: number): void {
    const state = this.state(key);
    state.pausedUntil = Math.max(state.pausedUntil, until);
  }

  pausedUntil(key: string): number {
    return this.keys.get(key)?.pausedUntil ?? 0;
  }

  private prune(state: KeyState, now: number): void {
    const longest = Math.max(...state.windows.map((w) => w.ms));
    let drop = 0;
    while (drop < state.times.length && state.times[drop]! <= now - longest) drop++;
    if (drop > 0) state.times.splice(0, drop);
  }
}

