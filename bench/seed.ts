import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { loadCalendar } from '../services/calendar/school-calendar';
import { fixedClock } from '../services/clock';
import { seedDemoCounty, type SeedCounts, type SeedPhase } from '../scripts/demo/seed-demo-county';
import { openStore, type Store } from '../services/store/open-store';

/**
 * Budget: the default demo county (100,000 pupils) seeded into a fresh SQLite file in well under
 * 60 s on this 2-core machine. Reports wall time per phase and in total, with the row counts.
 * PostgreSQL (multi-row inserts in chunks) is measured too when BENCH_DATABASE_URL is set; it
 * seeds into a new schema that is dropped afterwards.
 *
 *   npx tsx bench/seed.ts [--pupils 100000] [--seed lincolnshire] [--engine sqlite|postgres|both]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const PUPILS = Number(args.get('pupils') ?? 100_000);
const SEED = args.get('seed') ?? 'lincolnshire';
const ENGINE = args.get('engine') ?? 'both';
const TODAY = '2026-11-25';

interface Result {
  engine: string;
  seconds: number;
  phases: Partial<Record<SeedPhase, number>>;
  counts: SeedCounts;
}

async function measure(engine: string, store: Store): Promise<Result> {
  const phases: Partial<Record<SeedPhase, number>> = {};
  let current: SeedPhase | undefined;
  let since = performance.now();
  const started = since;
  const counts = await seedDemoCounty(store, {
    pupils: PUPILS,
    seed: SEED,
    clock: fixedClock(`${TODAY}T09:00:00Z`),
    calendar: loadCalendar(),
    onProgress: (p) => {
      if (p.phase === current) return;
      const now = performance.now();
      if (current) phases[current] = (phases[current] ?? 0) + (now - since) / 1000;
      current = p.phase;
      since = now;
    },
  });
  const end = performance.now();
  if (current) phases[current] = (phases[current] ?? 0) + (end - since) / 1000;
  return { engine, seconds: (end - started) / 1000, phases, counts };
}

async function sqlite(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  const store = await openStore({ engine: 'sqlite', target: join(dir, 'demo.sqlite') });
  try {
    return await measure('sqlite', store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(url: string): Promise<Result> {
  const schema = `bench_seed_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const target = new URL(url);
  target.searchParams.set('options', `-c search_path=${schema}`);
  const store = await openStore({ engine: 'postgres', target: target.toString() });
  try {
    return await measure('postgres', store);
  } finally {
    await store.close();
    await admin.query(`drop schema "${schema}" cascade`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const url = process.env.BENCH_DATABASE_URL?.trim();
  if (ENGINE === 'sqlite' || ENGINE === 'both') results.push(await sqlite());
  if ((ENGINE === 'postgres' || ENGINE === 'both') && url) results.push(await postgres(url));
  const load = loadavg().map((x) => x.toFixed(2)).join(' / ');
  const lines = [
    '# Demo county seed',
    '',
    'Budget: the default demo county (100,000 pupils) into a fresh SQLite file in well under 60 s on this 2-core machine.',
    '',
    `Command: \`npx tsx bench/seed.ts --pupils ${PUPILS} --seed ${SEED} --engine ${ENGINE}\`${url ? ' with BENCH_DATABASE_URL set' : ''}`,
    '',
    `Machine: Node ${process.version}, ${cpus().length} cores, load average at the end ${load} (other work on the machine slows wall time). Today pinned to ${TODAY}.`,
    '',
    '| engine | total s | phases (s) | rows |',
    '|---|---|---|---|',
  ];
  for (const r of results) {
    const c = r.counts;
    const phases = Object.entries(r.phases)
      .map(([p, s]) => `${p} ${s!.toFixed(1)}`)
      .join(', ');
    const rows =
      `${c.schools} schools, ${c.pupils} pupils, ${c.enrolments} enrolments, ${c.suspensions} suspensions, ` +
      `${c.lunchtimeSuspensions} lunchtimes, ${c.permanentExclusions} permanent exclusions, ${c.attendanceWeeks} attendance weeks`;
    lines.push(`| ${r.engine} | ${r.seconds.toFixed(1)} | ${phases} | ${rows} |`);
  }
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'seed.md'), text + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
