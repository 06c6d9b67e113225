import type BetterSqlite3 from 'better-sqlite3';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { insertNewAlerts, type NewAlertFields } from '../services/alerts/new-alerts';
import { openStore } from '../services/store/open-store';

/**
 * Is a raw better-sqlite3 prepared statement inside the Kysely transaction worth keeping for the
 * alert insert? Stores the alerts of a whole-county first run (about 8,000 on the demo county) in
 * one transaction through `insertNewAlerts` (Kysely, 300-row statements) and through one prepared
 * statement run per alert on the raw handle, alternating the two so machine load hits both alike.
 * Reports the median of each and their ratio. No budget of its own: the alert-evaluation budget
 * (whole county under 1 s) is what the difference is weighed against.
 *
 *   npx tsx bench/alert-insert.ts [--alerts 8000] [--rounds 9]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ALERTS = Number(args.get('alerts') ?? 8000);
const ROUNDS = Number(args.get('rounds') ?? 9);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The prepared-statement path the alert runner used before (the comparison, not product code). */
function insertPrepared(handle: BetterSqlite3.Database, alerts: readonly NewAlertFields[]): number {
  const statement = handle.prepare(
    `insert into exclusion_alert (dedupe_key, rule, scope, pupil_id, exclusion_id, school_urn, district_id, event_date, due_date, payload, created_at, case_key)
     values (@dedupe_key, @rule, @scope, @pupil_id, @exclusion_id, @school_urn, @district_id, @event_date, @due_date, @payload, @created_at, @case_key)
     on conflict (dedupe_key) do nothing returning id`,
  );
  let stored = 0;
  for (const a of alerts) {
    const row = { pupil_id: null, exclusion_id: null, school_urn: null, district_id: null, event_date: null, due_date: null, case_key: '', ...a };
    if (statement.get(row)) stored++;
  }
  return stored;
}

async function main(): Promise<void> {
  const store = await openStore({ engine: 'sqlite', target: ':memory:' });
  const handle = store.sqlite!;
  const payload = JSON.stringify({ rule: 'suspension_total', pupilId: 1, dates: ['2027-03-01', '2027-03-02'], sessions: 10, note: 'x'.repeat(120) });
  const alerts: NewAlertFields[] = Array.from({ length: ALERTS }, (_, i) => ({
    dedupe_key: `bench:${i}`,
    rule: 'suspension_total',
    scope: 'district',
    district_id: 1 + (i % 7),
    event_date: '2027-03-01',
    due_date: '2027-03-15',
    payload,
    created_at: '2027-07-21T12:00:00.000Z',
    case_key: `alert:bench:${i}`,
  }));
  const kysely: number[] = [];
  const prepared: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of round % 2 ? (['prepared', 'kysely'] as const) : (['kysely', 'prepared'] as const)) {
      await store.db.deleteFrom('exclusion_alert').execute();
      const started = performance.now();
      const stored = await store.db.transaction().execute(async (trx) => (path === 'kysely' ? (await insertNewAlerts(trx, alerts)).size : insertPrepared(handle, alerts)));
      const ms = performance.now() - started;
      if (stored !== ALERTS) throw new Error(`${path}: stored ${stored} of ${ALERTS}`);
      (path === 'kysely' ? kysely : prepared).push(ms);
    }
  }
  await store.close();
  const k = median(kysely);
  const p = median(prepared);
  const lines = [
    `# Alert insert on SQLite: Kysely against a raw prepared statement`,
    '',
    `${ALERTS.toLocaleString('en-GB')} new alerts in one transaction, ${ROUNDS} rounds each, alternating. Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}. Measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| path | median ms | all rounds |',
    '|---|---|---|',
    `| insertNewAlerts (Kysely, ${300}-row statements) | ${k.toFixed(1)} | ${kysely.map((x) => x.toFixed(0)).join(', ')} |`,
    `| prepared statement on the raw handle | ${p.toFixed(1)} | ${prepared.map((x) => x.toFixed(0)).join(', ')} |`,
    '',
    `Kysely / prepared: ${(k / p).toFixed(2)}; difference ${(k - p).toFixed(1)} ms for the whole county's first run.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
