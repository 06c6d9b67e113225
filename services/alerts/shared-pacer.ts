import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { Engine } from '../store/engine';
import { SendPacer, type Window } from './send-pacer';
import { ROWS_PER_INSERT } from '../store/batches';

/**
 * The send pacer with its bookings in the store, so every instance paces against the same windows
 * (Teams counts per conversation and per tenant, not per process). One transaction books a whole
 * batch: it locks the buckets involved (PostgreSQL: FOR UPDATE, in key order, so two instances
 * never deadlock; SQLite has one writer), drops bookings older than each bucket's longest window,
 * loads the rest, computes the slots with SendPacer and writes the new bookings.
 *
 * A slot further away than `notAfter` is reported but not booked: the caller releases that row
 * rather than holding it, so a saturated conversation never ties up a worker.
 */

export interface PaceAnswer {
  /** The earliest time (ms since epoch) every window of every key allows. */
  at: number;
  /** True when booked (at <= notAfter). */
  booked: boolean;
}

/** How often an instance sweeps bookings of buckets nobody has touched for a while. */
const SWEEP_EVERY_MS = 60_000;

export class SharedPacer {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly windowsFor: (key: string) => readonly Window[],
  ) {}

  /** Books one slot per request (each request names its keys: conversation and tenant), in order. */
  async reserve(requests: readonly (readonly string[])[], now: number, notAfter: number): Promise<PaceAnswer[]> {
    const keys = [...new Set(requests.flat())].sort();
    if (keys.length === 0) return requests.map(() => ({ at: now, booked: true }));
    const pacer = new SendPacer(this.windowsFor);
    const answers = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('send_bucket')
        .values(keys.map((bucket) => ({ bucket, paused_until: 0 })))
        .onConflict((oc) => oc.column('bucket').doNothing())
        .execute();
      let locked = trx.selectFrom('send_bucket').select(['bucket', 'paused_until']).where('bucket', 'in', keys).orderBy('bucket');
      if (this.engine === 'postgres') locked = locked.forUpdate();
      const buckets = await locked.execute();
      const byCutoff = new Map<number, string[]>();
      for (const key of keys) {
        const cutoff = now - pacer.longestWindow(key);
        byCutoff.set(cutoff, [...(byCutoff.get(cutoff) ?? []), key]);
      }
      for (const [cutoff, group] of byCutoff) await trx.deleteFrom('send_slot').where('bucket', 'in', group).where('at', '<=', cutoff).execute();
      const slots = await trx.selectFrom('send_slot').select(['bucket', 'at']).where('bucket', 'in', keys).orderBy('bucket').orderBy('at').execute();
      const times = new Map<string, number[]>();
      for (const s of slots) {
        const list = times.get(s.bucket) ?? [];
        list.push(Number(s.at));
        times.set(s.bucket, list);
      }
      for (const b of buckets) pacer.load(b.bucket, times.get(b.bucket) ?? [], Number(b.paused_until));
      const result = requests.map((request) => {
        const at = pacer.reserve(request, now, { notAfter });
        return { at, booked: at <= notAfter };
      });
      const rows = requests.flatMap((request, i) => (result[i]!.booked ? request.map((bucket) => ({ bucket, at: result[i]!.at })) : []));
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await trx.insertInto('send_slot').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
      return result;
    });
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      // Every kind of bucket: a conversation's hour window outlives a tenant's second.
      const longest = Math.max(pacer.longestWindow('conversation:-'), pacer.longestWindow('tenant:-'), ...keys.map((k) => pacer.longestWindow(k)));
      await this.db.deleteFrom('send_slot').where('at', '<=', now - longest).execute();
    }
    return answers;
  }

  /** No sends to `key` before `until` (a 429's Retry-After), for every instance. */
  async pause(key: string, until: number): Promise<void> {
    await this.db.insertInto('send_bucket').values({ bucket: key, paused_until: 0 }).onConflict((oc) => oc.column('bucket').doNothing()).execute();
    await this.db.updateTable('send_bucket').set({ paused_until: until }).where('bucket', '=', key).where('paused_until', '<', until).execute();
  }

  async pausedUntil(key: string): Promise<number> {
    const row = await this.db.selectFrom('send_bucket').select('paused_until').where('bucket', '=', key).executeTakeFirst();
    return row ? Number(row.paused_until) : 0;
  }
}
