import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runDisproportionality, runPupilRules } from '../services/alerts/alert-runner';
import { loadCalendar } from '../services/calendar/school-calendar';
import { fixedClock } from '../services/clock';
import { generateDemoCounty } from '../scripts/demo/demo-county';
import { evaluateDisproportionality } from '../services/exclusions/disproportionality';
import { evaluateExclusionRules } from '../services/exclusions/exclusion-rules';
import { resolveRuleSettings } from '../services/exclusions/rule-settings';
import { openStore } from '../services/store/open-store';
import { insertJoinedStaff } from './joined-staff';

/**
 * Budget: evaluating the exclusion alert rules over the whole demo county (100,000 pupils, a year
 * of events) in under 1 s. "Today" is the last day of the summer term, so the data holds the whole
 * academic year. Measures the pure rules on rows in memory, and the whole run against SQLite
 * (read the rows, evaluate, store new alerts and queue case cards for 1 county manager, 7 district
 * managers and a leader per school), first run (everything new) and re-run (nothing new).
 *
 *   npx tsx bench/alert-evaluation.ts [--pupils 100000] [--runs 7]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const PUPILS = Number(args.get('pupils') ?? 100_000);
const RUNS = Number(args.get('runs') ?? 7);
const TODAY = '2027-07-21';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  const calendar = loadCalendar();
  const clock = fixedClock(`${TODAY}T12:00:00Z`);
  const t0 = performance.now();
  const county = generateDemoCounty({ pupils: PUPILS, seed: 'lincolnshire', today: TODAY, calendar });
  const generateMs = performance.now() - t0;
  const settings = resolveRuleSettings();
  const counts = { SUSP: 0, LUNC: 0, PERM: 0 };
  for (const x of county.exclusions) counts[x.category]++;

  // Pure rules, rows already in memory.
  const pureTimes: number[] = [];
  let alerts = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = evaluateExclusionRules({ today: TODAY, calendar, pupils: county.pupils, exclusions: county.exclusions, enrolments: county.enrolments, placements: [], settings });
    pureTimes.push(performance.now() - started);
    alerts = result.alerts.length;
  }
  const dispTimes: number[] = [];
  let flags = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    flags = evaluateDisproportionality({ today: TODAY, calendar, pupils: county.pupils, enrolments: county.enrolments, schools: county.schools, exclusions: county.exclusions, settings }).length;
    dispTimes.push(performance.now() - started);
  }

  // Whole run against SQLite.
  const store = await openStore({ engine: 'sqlite', target: ':memory:' });
  const db = store.db;
  await db.insertInto('local_authority').values(county.localAuthority).execute();
  await db.insertInto('district').values(county.districts).execute();
  for (let i = 0; i < county.schools.length; i += 500) await db.insertInto('school').values(county.schools.slice(i, i + 500)).execute();
  for (let i = 0; i < county.pupils.length; i += 1000) await db.insertInto('pupil').values(county.pupils.slice(i, i + 1000)).execute();
  for (let i = 0; i < county.enrolments.length; i += 2000) await db.insertInto('enrolment').values(county.enrolments.slice(i, i + 2000)).execute();
  for (let i = 0; i < county.exclusions.length; i += 1000) await db.insertInto('exclusion').values(county.exclusions.slice(i, i + 1000)).execute();
  const staff = [
    { email: 'county@example.org', role: 'la_manager' as const, scope: 'county' },
    ...county.districts.map((d) => ({ email: `manager.${d.id}@example.org`, role: 'la_manager' as const, scope: `district:${d.name}` })),
    ...county.schools.map((s) => ({ email: `head.${s.urn}@example.org`, role: 'school_leader' as const, scope: `school:${s.urn}` })),
  ];
  await insertJoinedStaff(db, staff);
  const deps = { db, calendar, clock, settings };
  let started = performance.now();
  const first = await runPupilRules(deps);
  const firstMs = performance.now() - started;
  const reruns: number[] = [];
  for (let i = 0; i < 3; i++) {
    started = performance.now();
    await runPupilRules(deps);
    reruns.push(performance.now() - started);
  }
  started = performance.now();
  const weekly = await runDisproportionality(deps);
  const weeklyMs = performance.now() - started;
  await store.close();

  const pure = median(pureTimes);
  const rerun = median(reruns);
  const over = (ms: number) => (ms < 1000 ? 'within budget' : 'OVER budget');
  const lines = [
    '# Exclusion alert evaluation, whole demo county',
    '',
    `Budget: the whole demo county (${PUPILS.toLocaleString('en-GB')} pupils, a year of events) evaluated in under 1 s.`,
    `Result: pure rules **${pure.toFixed(0)} ms** (${over(pure)}); whole run on SQLite, re-run **${rerun.toFixed(0)} ms** (${over(rerun)}), first run with every alert new **${firstMs.toFixed(0)} ms** (${over(firstMs)}).`,
    '',
    `Command: \`npx tsx bench/alert-evaluation.ts --pupils ${PUPILS} --runs ${RUNS}\``,
    '',
    `Machine: Node ${process.version}, ${cpus().length} cores, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (other work on the machine slows wall time). Measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Data: the demo county generator with today = ${TODAY} (last day of the summer term): ${county.schools.length} schools, ${county.pupils.length.toLocaleString('en-GB')} pupils, ${county.enrolments.length.toLocaleString('en-GB')} enrolments, ${counts.SUSP} suspensions, ${counts.LUNC} lunchtime suspensions, ${counts.PERM} permanent exclusions (generated in ${(generateMs / 1000).toFixed(1)} s, not counted).`,
    '',
    '| measure | ms |',
    '|---|---|',
    `| pure pupil rules, median of ${RUNS} (${alerts.toLocaleString('en-GB')} alerts) | ${pure.toFixed(1)} |`,
    `| pure pupil rules, slowest of ${RUNS} | ${Math.max(...pureTimes).toFixed(1)} |`,
    `| pure weekly disproportionality, median of ${RUNS} (${flags} flags) | ${median(dispTimes).toFixed(1)} |`,
    `| whole run on SQLite, first (read + rules + store ${first.newAlerts.toLocaleString('en-GB')} alerts + queue ${first.queuedDeliveries.toLocaleString('en-GB')} deliveries, one per case within each person's daily budget plus one summary, for ${staff.length} staff) | ${firstMs.toFixed(1)} |`,
    `| whole run on SQLite, re-run with nothing new, median of 3 | ${rerun.toFixed(1)} |`,
    `| weekly disproportionality on SQLite (read the whole roll + rules + store ${weekly.newAlerts} flags) | ${weeklyMs.toFixed(1)} |`,
    '',
    `Rule problems reported (rows the calendar could not place): ${first.problems.length}.`,
  ];
  const text = lines.join('\n') + '\n';
  writeFileSync(join(__dirname, 'results', 'alert-evaluation.md'), text);
  process.stdout.write(text);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
