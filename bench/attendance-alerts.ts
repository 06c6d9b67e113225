import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runAttendanceRules } from '../services/attendance/attendance-alerts';
import { loadCalendar } from '../services/calendar/school-calendar';
import { fixedClock } from '../services/clock';
import { generateDemoCounty } from '../scripts/demo/demo-county';
import { openStore } from '../services/store/open-store';
import { insertJoinedStaff } from './joined-staff';

/**
 * Budget (issue 12): the attendance alert rules over the whole demo county (100,000 pupils, a term
 * of marks) after an import in at most 2 s. "Today" is the last day of the autumn term. Loads the
 * county and its register into SQLite, then times runAttendanceRules for every school: read the
 * roll and the week rows, evaluate, store new alerts and queue case cards for an attendance officer
 * per district and a leader per school. The first run stores every alert; re-runs (the next
 * import, the daily run) find the same episodes and store nothing: the median of those is the
 * figure against the budget. Also one school alone (an import that changed one school's marks).
 *
 * The store is a SQLite file opened as the bot opens it (one read worker, SQLITE_READ_WORKERS'
 * default), so the run takes the daily job's real path (the whole county in two worker processes);
 * `--memory` uses ':memory:' instead, which only the bot's own connection can read, so the rules run
 * on the bot's thread as tests run them. The run is started from the bot's thread, so the event-loop
 * delay during the whole-county re-runs is reported too (p99 and max, monitorEventLoopDelay at
 * 10 ms resolution): a message arriving mid-run waits that long (DESIGN.md: 50 ms).
 *
 * Exits with 3 (after printing and writing) when the re-run median is over the 2 s budget, so
 * `npm run bench` reports it.
 *
 *   npx tsx bench/attendance-alerts.ts [--pupils 100000] [--runs 5] [--memory] [--write bench/results/attendance-alerts.md]
 *   --write replaces the file's figures above its first "## " heading and keeps the history below it.
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const name = process.argv[i]!.replace(/^--/, '');
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) args.set(name, '');
  else args.set(name, value), i++;
}
const PUPILS = Number(args.get('pupils') ?? 100_000);
const RUNS = Number(args.get('runs') ?? 5);
const IN_MEMORY = args.has('memory');
const TODAY = '2026-12-18';
const WRITE = args.get('write');
const BUDGET_MS = 2000;
/** Exit code for "ran, but over budget" (bench/run-all.ts). */
const OVER_BUDGET = 3;

/** CPU ms of this process and of its ended children (the rules' worker processes), from /proc. */
function cpuMs(): number {
  // Fields 14-17 of /proc/self/stat: utime, stime, cutime, cstime, in clock ticks (100 a second).
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  const calendar = loadCalendar();
  const clock = fixedClock(`${TODAY}T18:00:00Z`);
  const county = generateDemoCounty({ pupils: PUPILS, seed: 'lincolnshire', today: TODAY, calendar });
  const scratch = IN_MEMORY ? undefined : mkdtempSync(join(tmpdir(), 'ia-bench-attendance-'));
  const store = await openStore({ engine: 'sqlite', target: (scratch ? join(scratch, 'county.sqlite') : ':memory:') }, { readWorkers: 1 });
  const db = store.db;
  await db.insertInto('local_authority').values(county.localAuthority).execute();
  await db.insertInto('district').values(county.districts).execute();
  for (let i = 0; i < county.schools.length; i += 500) await db.insertInto('school').values(county.schools.slice(i, i + 500)).execute();
  for (let i = 0; i < county.pupils.length; i += 1000) await db.insertInto('pupil').values(county.pupils.slice(i, i + 1000)).execute();
  for (let i = 0; i < county.enrolments.length; i += 2000) await db.insertInto('enrolment').values(county.enrolments.slice(i, i + 2000)).execute();
  const insertWeek = store.sqlite!.prepare('insert into attendance_week (pupil_id, school_urn, week_start, marks) values (?, ?, ?, ?)');
  let weekRows = 0;
  const load = store.sqlite!.transaction((rows: { pupil_id: number; school_urn: number; week_start: string; marks: string }[]) => {
    for (const r of rows) insertWeek.run(r.pupil_id, r.school_urn, r.week_start, r.marks);
  });
  for (const batch of county.attendanceBatches(5000)) {
    load(batch.rows);
    weekRows += batch.rows.length;
  }
  const staff = [
    ...county.districts.map((d) => ({ email: `officer.${d.id}@example.org`, role: 'attendance_officer' as const, scope: `district:${d.name}` })),
    ...county.schools.map((s) => ({ email: `head.${s.urn}@example.org`, role: 'school_leader' as const, scope: `school:${s.urn}` })),
  ];
  await insertJoinedStaff(db, staff);
  const deps = { db, sqlite: store.sqlite, calendar, clock };
  let started = performance.now();
  const first = await runAttendanceRules(deps);
  const firstMs = performance.now() - started;
  const reruns: number[] = [];
  // CPU time beside wall time: on a shared machine the wall clock mostly measures the queue for a
  // core. CPU time of this process and of the rules' worker processes (all threads, all cores).
  const cpuTimes: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  for (let i = 0; i < RUNS; i++) {
    const cpu = cpuMs();
    started = performance.now();
    await runAttendanceRules(deps);
    reruns.push(performance.now() - started);
    cpuTimes.push(cpuMs() - cpu);
    // A timer between runs (not timed): a run that never yields shows as one long delay, not none.
    await new Promise((done) => setTimeout(done, 20));
  }
  loopDelay.disable();
  const delayP99 = loopDelay.percentile(99) / 1e6;
  const delayMax = loopDelay.max / 1e6;
  const oneSchool = county.schools.find((s) => s.phase === 'secondary')!.urn;
  const single: number[] = [];
  let singlePupils = 0;
  for (let i = 0; i < RUNS; i++) {
    started = performance.now();
    singlePupils = (await runAttendanceRules(deps, [oneSchool])).evaluatedPupils;
    single.push(performance.now() - started);
  }
  const byRule = await db.selectFrom('exclusion_alert').select(['rule', db.fn.countAll<number>().as('n')]).where('scope', '=', 'attendance').groupBy('rule').execute();
  await store.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });

  const rerun = median(reruns);
  const lines = [
    '# Attendance alert evaluation, whole demo county',
    '',
    `Budget: the attendance rules over the whole county (${PUPILS.toLocaleString('en-GB')} pupils, a term of marks) after an import in at most 2 s.`,
    `Result: whole county, median of ${RUNS} runs after the first **${rerun.toFixed(0)} ms** (${rerun <= BUDGET_MS ? 'within budget' : 'OVER budget'}); first run storing every alert ${firstMs.toFixed(0)} ms; one school's pupils alone ${median(single).toFixed(0)} ms; CPU time of a whole-county re-run (all processes) ${median(cpuTimes).toFixed(0)} ms; event-loop delay during the re-runs p99 ${delayP99.toFixed(0)} ms, max ${delayMax.toFixed(0)} ms (budget 50 ms).`,
    '',
    `Command: \`npx tsx bench/attendance-alerts.ts --pupils ${PUPILS} --runs ${RUNS}${IN_MEMORY ? ' --memory' : ''}\` (store: ${IN_MEMORY ? "SQLite ':memory:'" : 'a SQLite file, one read worker'})`,
    '',
    `Machine: Node ${process.version}, ${cpus().length} cores, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (shared with other work: wall times include it). Measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Data: demo county, today = ${TODAY}: ${county.schools.length} schools, ${county.pupils.length.toLocaleString('en-GB')} pupils, ${weekRows.toLocaleString('en-GB')} week rows; ${first.evaluatedPupils.toLocaleString('en-GB')} of compulsory age on roll evaluated.`,
    '',
    '| measure | ms |',
    '|---|---|',
    `| first run: read + rules + store ${first.newAlerts.toLocaleString('en-GB')} alerts + queue ${first.queuedDeliveries.toLocaleString('en-GB')} deliveries for ${staff.length} staff | ${firstMs.toFixed(1)} |`,
    `| re-run, nothing new, median of ${RUNS} | ${rerun.toFixed(1)} |`,
    `| re-run, slowest of ${RUNS} | ${Math.max(...reruns).toFixed(1)} |`,
    `| re-run, CPU time (this process and its worker processes, all cores), median of ${RUNS} | ${median(cpuTimes).toFixed(1)} |`,
    `| event-loop delay during the re-runs, p99 | ${delayP99.toFixed(1)} |`,
    `| event-loop delay during the re-runs, max | ${delayMax.toFixed(1)} |`,
    `| one school (${singlePupils} pupils), median of ${RUNS} | ${median(single).toFixed(1)} |`,
    '',
    `Alerts by kind: ${byRule.map((r) => `${r.rule} ${Number(r.n)}`).join(', ')}.`,
  ];
  const text = lines.join('\n') + '\n';
  if (WRITE) {
    const before = existsSync(WRITE) ? readFileSync(WRITE, 'utf8') : '';
    const history = before.indexOf('\n## ');
    writeFileSync(WRITE, history >= 0 ? `${text}${before.slice(history)}` : text);
  }
  process.stdout.write(text);
  if (rerun > BUDGET_MS) process.exitCode = OVER_BUDGET;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
