import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../services/store/open-store';
import { BENCH_CLOCK_NOW as CLOCK_NOW, ensureDemoCountyFile } from './demo-county-file';
import { summariseHeapSnapshot } from './heap-snapshot-summary';
import { runLoad } from './load';

/**
 * Budgets: resident memory of the bot with the demo county loaded under 300 MB at rest; under load
 * (LOAD_CONCURRENCY turns at once for LOAD_REQUESTS requests), peak resident memory no more than 10%
 * above a bare teams-ai echo bot's under the same load in the same run. Seeds the default county
 * into a SQLite file (kept between runs), starts the bot on it, drives the commands that read the
 * most data, and reads each process's current and peak resident set from /proc.
 *
 * Where the memory is: both processes are started the same way, with the same flags
 * (--expose-gc) and the same preloaded probe (bench/fixtures/memory-probe.ts), which records the
 * peak of each process.memoryUsage() field and each worker thread's heap. The peaks are reset
 * (probe and the kernel's VmHWM) before each load, so the peak under load is the load's own. After
 * the measured load, a second identical load is run on our bot for diagnosis only: part-way
 * through, a full collection shows the heap really held under load (not GC laziness), and a heap
 * snapshot is summarised by constructor/type (self sizes; no string contents are printed).
 *
 *   npx tsx bench/memory.ts [--write bench/results/memory.md] [--no-snapshot] [--compiled]
 *   --compiled runs both bots from dist/ with plain node, as production runs (`npm start`), instead
 *   of under tsx; build first with `npx tsc -p tsconfig.json` (it compiles bench/ too).
 *   BENCH_PORT=<port> picks our bot's port (default 3997); the echo bot takes a free one.
 */
const write = process.argv.includes('--write') ? process.argv[process.argv.indexOf('--write') + 1] : undefined;
const takeSnapshot = !process.argv.includes('--no-snapshot');
const AAD = '00000000-0000-0000-0000-0000000000020';
const LOAD_CONCURRENCY = 50;
const LOAD_REQUESTS = 3000;
const LOAD_COMMANDS = ['help', 'ladder pupil keeps walking out of lessons', 'cluster Boston agenda', 'alerts digest', 'my actions'];
const compiled = process.argv.includes('--compiled');
const NODE_FLAGS = compiled
  ? ['--no-deprecation', '--expose-gc', '--import', './dist/bench/fixtures/memory-probe.js']
  : ['--no-deprecation', '--expose-gc', '--import', 'tsx', '--import', './bench/fixtures/memory-probe.ts'];
const MB = 1024 * 1024;

function turnBody(text: string, conversation: string): string {
  return JSON.stringify({
    type: 'message',
    id: 'm',
    text,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:1/',
    deliveryMode: 'expectReplies',
    from: { id: '29:bench', aadObjectId: AAD },
    recipient: { id: '28:bot' },
    conversation: { id: conversation, conversationType: 'personal' },
  });
}

interface Usage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}
interface ProbeReport {
  now: Usage;
  peaks: Usage;
  spaces: { space: string; used: number }[];
  workers: { threadId: number; heapUsed: number; heapTotal: number; externalMemory: number; peakHeapUsed: number }[];
}

/** A process started with the probe; `ask` talks to it over IPC. */
class Probed {
  constructor(readonly child: ChildProcess) {}
  get pid(): number {
    return this.child.pid!;
  }
  ask<T>(message: { ask: string; file?: string }): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: { done?: string }) => {
        if (reply.done !== message.ask) return;
        this.child.off('message', onMessage);
        resolve(reply as T);
      };
      this.child.on('message', onMessage);
      this.child.send(message, (error) => error && reject(error));
    });
  }
  report(): Promise<ProbeReport> {
    return this.ask({ ask: 'report' });
  }
  /** After a full collection: what the process really holds. */
  held(): Promise<ProbeReport> {
    return this.ask({ ask: 'gc' });
  }
  /** Forgets every peak so far (the probe's and the kernel's), so the next peak is the next load's. */
  async resetPeaks(): Promise<void> {
    await this.ask({ ask: 'reset' });
    writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
  }
}

function start(script: string, env: NodeJS.ProcessEnv): Probed {
  if (compiled) {
    script = join('dist', script.replace(/\.ts$/, '.js'));
    if (!existsSync(script)) throw new Error(`${script} is missing: run npx tsc -p tsconfig.json first`);
  }
  return new Probed(spawn(process.execPath, [...NODE_FLAGS, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function load(port: number): Promise<{ throughput: number; errors: number }> {
  const result = await runLoad(`http://127.0.0.1:${port}/api/messages`, (i) => turnBody(LOAD_COMMANDS[i % LOAD_COMMANDS.length]!, `bench-load-${i % LOAD_CONCURRENCY}`), LOAD_REQUESTS, LOAD_CONCURRENCY);
  return { throughput: result.throughput, errors: result.errors };
}

/** Peak resident memory (and the probe's peaks) of a process under the load, from reset peaks. */
async function peakUnderLoad(bot: Probed, port: number) {
  await bot.resetPeaks();
  const result = await load(port);
  const report = await bot.report();
  return { ...result, peakMb: memoryOf(bot.pid).peakMb, rssMb: memoryOf(bot.pid).rssMb, report };
}

/** Runs the load again and, once it is well under way, asks for what is held and (optionally) a heap snapshot. */
async function diagnoseUnderLoad(bot: Probed, port: number, snapshotFile: string | undefined) {
  const running = load(port);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const held = await bot.held();
  if (snapshotFile) await bot.ask({ ask: 'snapshot', file: snapshotFile });
  await running;
  return held;
}

/** The baseline: a bare teams-ai echo bot on the same stack, started the same way, under the same load. */
async function echoBot() {
  const echo = start('bench/fixtures/echo-bot.ts', { PORT: '0' });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      echo.child.stdout!.on('data', (chunk: Buffer) => {
        const ready = /ready (\d+)/.exec(chunk.toString());
        if (ready) resolve(Number(ready[1]));
      });
      echo.child.once('exit', () => reject(new Error('the echo bot exited before it was ready')));
    });
    const idleMb = memoryOf(echo.pid).rssMb;
    const loaded = await peakUnderLoad(echo, port);
    const held = await diagnoseUnderLoad(echo, port, undefined);
    return { idleMb, loaded, held };
  } finally {
    echo.child.kill('SIGTERM');
  }
}

const mb = (bytes: number) => (bytes / MB).toFixed(0);
const workerHeaps = (r: ProbeReport, key: 'heapUsed' | 'peakHeapUsed' = 'heapUsed') => (r.workers.length ? r.workers.map((w) => mb(w[key])).join(' + ') : '-');
const usageRow = (moment: string, rss: number, peakRss: number | string, u: Usage, r: ProbeReport, workerKey: 'heapUsed' | 'peakHeapUsed' = 'heapUsed') =>
  `| ${moment} | ${rss.toFixed(0)} | ${typeof peakRss === 'number' ? peakRss.toFixed(0) : peakRss} | ${mb(u.heapUsed)} / ${mb(u.heapTotal)} | ${mb(u.external)} | ${mb(u.arrayBuffers)} | ${workerHeaps(r, workerKey)} |`;

async function main(): Promise<void> {
  const dbFile = await ensureDemoCountyFile();
  // Let the daily alert rules run again inside the measured window (they read the whole county).
  const store = await openStore({ engine: 'sqlite', target: dbFile });
  await sql`delete from job_run`.execute(store.db);
  await store.close();
  const port = Number(process.env.BENCH_PORT ?? 3997);
  const scratch = mkdtempSync(join(tmpdir(), 'ia-bench-memory-'));
  const bot = start('bot/main.ts', { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbFile}`, CLOCK_NOW, LOG_LEVEL: 'error', MicrosoftAppId: '' });
  try {
    // Up to two minutes: on a busy machine tsx alone can take over 20 s to compile the bot.
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const idle = memoryOf(bot.pid);
    const idleReport = await bot.report();
    const commands = ['help', 'ladder', 'ladder pupil keeps walking out of lessons', 'cluster Lincoln agenda', 'cluster Boston agenda', 'cluster South Kesteven agenda', 'alerts digest', 'my actions'];
    for (let round = 0; round < 20; round++) {
      for (const command of commands) {
        const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: turnBody(command, 'bench-memory') });
        await res.text();
        if (res.status !== 200) throw new Error(`${command}: HTTP ${res.status}`);
      }
    }
    const check = await openStore({ engine: 'sqlite', target: dbFile }, { migrate: false });
    for (let i = 0; i < 300; i++) {
      const done = await sql<{ n: number }>`select count(*) as n from job_run where job = 'daily-rules' and finished_at is not null`.execute(check.db);
      if (Number(done.rows[0]?.n) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await check.close();
    const busy = memoryOf(bot.pid);
    const busyReport = await bot.report();
    const restHeld = await bot.held();
    const restHeldRss = memoryOf(bot.pid).rssMb;
    const loaded = await peakUnderLoad(bot, port);
    const snapshotFile = takeSnapshot ? join(scratch, 'under-load.heapsnapshot') : undefined;
    const heldUnderLoad = await diagnoseUnderLoad(bot, port, snapshotFile);
    const echo = await echoBot();
    const ratio = loaded.peakMb / echo.loaded.peakMb;
    const lines = [
      `| moment | resident MB | peak resident MB (since start / reset) | V8 heap used / total MB | external MB | array buffers MB | read workers' heap MB |`,
      `|---|---|---|---|---|---|---|`,
      usageRow('started, county of 100,000 pupils in the store', idle.rssMb, idle.peakMb, idleReport.now, idleReport),
      usageRow(`after the daily alert rules over the whole county and 20 rounds of: ${commands.join('; ')}`, busy.rssMb, busy.peakMb, busyReport.now, busyReport),
      usageRow('the same, after a full collection (held at rest)', restHeldRss, '', restHeld.now, restHeld),
      usageRow(`${LOAD_REQUESTS} turns, ${LOAD_CONCURRENCY} at once (${LOAD_COMMANDS.join('; ')}): ${loaded.throughput.toFixed(0)} turns/s, ${loaded.errors} errors; peaks under load`, loaded.rssMb, loaded.peakMb, loaded.report.peaks, loaded.report, 'peakHeapUsed'),
      usageRow('the same load again, part-way, after a full collection (held under load)', heldUnderLoad.now.rss / MB, '', heldUnderLoad.now, heldUnderLoad),
      usageRow(`bare teams-ai echo bot, same flags and probe, same load in the same run: ${echo.loaded.throughput.toFixed(0)} turns/s, ${echo.loaded.errors} errors; peaks under load (${echo.idleMb.toFixed(0)} MB at rest)`, echo.loaded.rssMb, echo.loaded.peakMb, echo.loaded.report.peaks, echo.loaded.report),
      usageRow('echo bot, the same load again, part-way, after a full collection', echo.held.now.rss / MB, '', echo.held.now, echo.held),
      '',
      `Peak under load: ${loaded.peakMb.toFixed(0)} MB against the echo bot's ${echo.loaded.peakMb.toFixed(0)} MB, ratio ${ratio.toFixed(2)} (budget: at most 1.10).`,
      '',
      `Our bot's V8 heap spaces held under load (MB, after a full collection): ${heldUnderLoad.spaces.filter((s) => s.used >= MB).map((s) => `${s.space} ${mb(s.used)}`).join(', ')}.`,
    ];
    if (snapshotFile) {
      const summary = summariseHeapSnapshot(snapshotFile, 12);
      lines.push('', `Heap snapshot of our bot part-way through the second load: ${summary.totalMb.toFixed(0)} MB of live objects. By constructor or (type), self sizes:`, '', '| constructor or (type) | MB | count |', '|---|---|---|');
      for (const row of summary.byType) lines.push(`| ${row.name.replace(/\|/g, '/')} | ${row.mb.toFixed(1)} | ${row.count} |`);
      lines.push('', 'Strings by what holds them (the immediate dominator and its edge):', '', '| held by | MB | strings |', '|---|---|---|');
      for (const row of summary.stringHolders.slice(0, 6)) lines.push(`| ${row.name.replace(/\|/g, '/')} | ${row.mb.toFixed(1)} | ${row.count} |`);
      lines.push('', 'The objects retaining the most (retained size, dominator tree):', '', '| object (reached as) | retained MB |', '|---|---|');
      for (const row of summary.retainers) lines.push(`| ${row.name.replace(/\|/g, '/')} | ${row.retainedMb.toFixed(1)} |`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    if (write) {
      // The newest figures replace the top of the file; the earlier runs' sections ("## ...") stay below.
      const before = existsSync(write) ? readFileSync(write, 'utf8') : '';
      const history = before.indexOf('\n## ');
      const text = `# Bot resident memory with the demo county\n\n\`npx tsx bench/memory.ts --write ${write}${compiled ? ' --compiled' : ''}\` on ${new Date().toISOString().slice(0, 10)} (CLOCK_NOW ${CLOCK_NOW}); budgets: under 300 MB at rest; peak under load at most 10% above the echo bot's.\n\n${lines.join('\n')}\n`;
      writeFileSync(write, history >= 0 ? `${text}${before.slice(history)}` : text);
    }
  } finally {
    bot.child.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
