/**
 * At most `limit` tasks run at once; the others wait in the order they arrived. A task that ends,
 * by resolving or throwing, hands its place straight to the longest-waiting task, so a newcomer
 * never overtakes someone already queued.
 *
 * Used for the turns that read many pupil-level rows (agendas, digests, lists): on a small machine
 * fifty of them building at once finish no sooner than a few at a time, and each holds its rows
 * and card the whole while (bench/memory.ts).
 */
export class ConcurrencyGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency gate needs a whole number limit of at least 1, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.limit) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The place passes on as it is; only when nobody waits does it free up.
      if (next) next();
      else this.#running--;
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a place. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
