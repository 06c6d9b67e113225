import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cardSizeBytes } from '../cards/adaptive-card';
import { clusterAgendaCard } from '../cards/cluster-agenda-card';
import { loadCalendar } from '../services/calendar/school-calendar';
import { fixedClock } from '../services/clock';
import { clusterCandidatesCard } from '../cards/cluster-candidates-card';
import { pupilSearchCard } from '../cards/pupil-search-card';
import { getClusterAgenda } from '../services/cluster/cluster-agenda';
import { getClusterCandidates } from '../services/cluster/cluster-candidates';
import { findPupils } from '../services/cluster/pupil-search';
import { computeFigures } from '../services/cluster/cluster-figures';
import { seedDemoCounty } from '../scripts/demo/seed-demo-county';
import type { Actor } from '../services/identity/actor';
import { parseScope } from '../services/identity/scope';
import { openStore } from '../services/store/open-store';

/**
 * Budget: the agenda of the largest demo cluster, query and card, under 50 ms p99 at county scale
 * (100,000 pupils). One request = getClusterAgenda (scope check, summary freshness check, meeting,
 * invitees, figures, the pupil query with its window counts, actions, audit insert) + building the
 * card + JSON.stringify (what is sent). Measured on a SQLite file store after warm-up; the figures
 * are cached per summary refresh, so the cold first request and a figures recompute are reported
 * separately.
 *
 *   npx tsx bench/cluster-agenda.ts [--pupils 100000] [--requests 400]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const PUPILS = Number(args.get('pupils') ?? 100_000);
const REQUESTS = Number(args.get('requests') ?? 400);
const NOW = '2026-11-25T10:00:00Z';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ia-agenda-bench-'));
  const load = loadavg().map((x) => x.toFixed(2)).join(' / ');
  try {
    const store = await openStore({ engine: 'sqlite', target: join(dir, 'county.sqlite') });
    const calendar = loadCalendar();
    const clock = fixedClock(NOW);
    let t = performance.now();
    await seedDemoCounty(store, { pupils: PUPILS, clock, calendar });
    console.log(`seeded ${PUPILS.toLocaleString('en-GB')} pupils in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const districts = await store.db
      .selectFrom('attendance_summary as s')
      .innerJoin('school', 'school.urn', 's.school_urn')
      .innerJoin('district as d', 'd.id', 'school.district_id')
      .select(['d.name', (eb) => eb.fn.countAll<number>().as('pupils')])
      .groupBy('d.name')
      .orderBy('pupils', 'desc')
      .execute();
    const largest = districts[0]!;
    console.log(`largest cluster: ${largest.name} (${Number(largest.pupils).toLocaleString('en-GB')} pupils with attendance)`);

    const officer = await store.db
      .insertInto('staff_user')
      .values({ aad_object_id: 'bench-officer', email: 'bench.officer@example.org', name: 'Bench Officer', role: 'attendance_officer', scope: `district:${largest.name}`, created_at: NOW })
      .returningAll()
      .executeTakeFirstOrThrow();
    const actor: Actor = { user: officer, role: officer.role, scope: parseScope(officer.scope), aadObjectId: officer.aad_object_id, conversationType: 'personal' };
    const deps = { db: store.db, calendar, clock };

    const once = async () => {
      const result = await getClusterAgenda(deps, actor, { district: largest.name, view: 'own' });
      if (!result.ok) throw new Error(result.message);
      const card = clusterAgendaCard(result.view);
      return { json: JSON.stringify(card), card, view: result.view };
    };

    t = performance.now();
    const first = await once();
    const coldMs = performance.now() - t;
    t = performance.now();
    await computeFigures(store.db, '2026/27');
    const figuresMs = performance.now() - t;

    for (let i = 0; i < 30; i++) await once();
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      await once();
      const used = process.cpuUsage(cpu);
      times.push(performance.now() - start);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    const max = times[times.length - 1]!;

    // The pool behind the agenda (first page, and filtered by cohort) and `pupil <name>` over the county.
    const timed = async (run: () => Promise<unknown>, n: number) => {
      for (let i = 0; i < 10; i++) await run();
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await run();
        out.push(performance.now() - start);
      }
      return out.sort((a, b) => a - b);
    };
    const candidates = await timed(async () => {
      const r = await getClusterCandidates(deps, actor, { district: largest.name, view: 'own' });
      if (!r.ok) throw new Error(r.message);
      JSON.stringify(clusterCandidatesCard(r.view));
    }, 100);
    const manager: Actor = { ...actor, role: 'la_manager', scope: parseScope('county') };
    const surnames = await store.db.selectFrom('pupil').select('legal_surname').orderBy('id').limit(50).execute();
    let k = 0;
    const search = await timed(async () => {
      const r = await findPupils(deps, manager, { query: surnames[k++ % surnames.length]!.legal_surname.slice(0, 4), view: 'own' });
      if (!r.ok) throw new Error(r.message);
      JSON.stringify(pupilSearchCard(r.view));
    }, 100);
    const size = cardSizeBytes(first.card);
    const verdict = p99 < 50 ? 'within' : 'OVER';
    const command = `npx tsx bench/cluster-agenda.ts --pupils ${PUPILS} --requests ${REQUESTS}`;
    const report = [
      '# Cluster agenda at county scale',
      '',
      `Budget: the largest demo cluster's agenda (query and card) under 50 ms p99. Result: **p99 ${p99.toFixed(1)} ms**: ${verdict} budget.`,
      '',
      `Command: \`${command}\``,
      '',
      `Machine: Node ${process.version}, ${cpus().length} cores, load average at the start ${load} (other work on the machine shows in the tail). Measured ${new Date().toISOString().slice(0, 10)}.`,
      '',
      `Store: SQLite file, demo county of ${PUPILS.toLocaleString('en-GB')} pupils (npm run seed's generator), today ${NOW.slice(0, 10)}. Largest cluster: ${largest.name}, ${Number(largest.pupils).toLocaleString('en-GB')} pupils with attendance; ${first.view.total.toLocaleString('en-GB')} pupils on its agenda (${first.view.counts.nominated} nominated, ${first.view.counts.carried} with carried-over actions, ${first.view.counts.need} of highest need from a pool of ${first.view.counts.pool.toLocaleString('en-GB')}); the card lists the first ${first.view.pupils.length} and is ${(size / 1024).toFixed(1)} KB.`,
      '',
      '| measure | ms |',
      '|---|---|',
      `| request (agenda query + card + JSON), p50 | ${p50.toFixed(1)} |`,
      `| request, p99 (${REQUESTS} requests after 30 warm-up) | ${p99.toFixed(1)} |`,
      `| request, max | ${max.toFixed(1)} |`,
      `| CPU time of this process per request, p50 / p99 (what the request itself costs, whatever else the machine runs) | ${percentile(cpuTimes, 50).toFixed(1)} / ${percentile(cpuTimes, 99).toFixed(1)} |`,
      `| first request (figures computed, not cached) | ${coldMs.toFixed(1)} |`,
      `| figures recompute alone (every district and cohort; once per summary refresh) | ${figuresMs.toFixed(1)} |`,
      `| \`cluster <district> candidates\` (pool count, page, agenda marks, card), p50 / p99 of 100 | ${percentile(candidates, 50).toFixed(1)} / ${percentile(candidates, 99).toFixed(1)} |`,
      `| \`pupil <4 letters of a surname>\` over the county (LA manager), p50 / p99 of 100 | ${percentile(search, 50).toFixed(1)} / ${percentile(search, 99).toFixed(1)} |`,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'cluster-agenda.md'), report);
    console.log(report);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
