import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { openStore } from '../services/store/open-store';
import { BENCH_CLOCK_NOW as CLOCK_NOW, ensureDemoCountyFile } from './demo-county-file';
import { runLoad } from './load';

/**
 * Budgets: resident memory of the bot with the demo county loaded under 300 MB at rest; under load
 * (LOAD_CONCURRENCY turns at once for LOAD_REQUESTS requests), peak resident memory no more than 10%
 * above a bare teams-ai echo bot's under the same load in the same run. Seeds the default county
 * into a SQLite file (kept between runs), starts the bot on it, drives the commands that read the
 * most data, and reads each process's current and peak resident set from /proc.
 *
 *   npx tsx bench/memory.ts [--write bench/results/memory.md]
 */
const write = process.argv.includes('--write') ? process.argv[process.argv.indexOf('--write') + 1] : undefined;
const AAD = '00000000-0000-0000-0000-0000000000020';
const LOAD_CONCURRENCY = 50;
const LOAD_REQUESTS = 3000;
const LOAD_COMMANDS = ['help', 'ladder pupil keeps walking out of lessons', 'cluster Boston agenda', 'alerts digest', 'my actions'];

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

/** Peak resident memory of a process while LOAD_CONCURRENCY clients send turns back to back. */
async function peakUnderLoad(pid: number, port: number): Promise<{ peakMb: number; throughput: number; errors: number }> {
  const result = await runLoad(`http://127.0.0.1:${port}/api/messages`, (i) => turnBody(LOAD_COMMANDS[i % LOAD_COMMANDS.length]!, `bench-load-${i % LOAD_CONCURRENCY}`), LOAD_REQUESTS, LOAD_CONCURRENCY);
  return { peakMb: memoryOf(pid).peakMb, throughput: result.throughput, errors: result.errors };
}

/** The baseline: a bare teams-ai echo bot on the same stack, started the same way, under the same load. */
async function echoBotPeakUnderLoad(): Promise<{ idleMb: number; peakMb: number; throughput: number; errors: number }> {
  const port = 3996;
  const echo = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'bench/fixtures/echo-bot.ts'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      echo.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      echo.once('exit', () => reject(new Error('the echo bot exited before it was ready')));
    });
    const idleMb = memoryOf(echo.pid!).rssMb;
    return { idleMb, ...(await peakUnderLoad(echo.pid!, port)) };
  } finally {
    echo.kill('SIGTERM');
  }
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function say(port: number, text: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: turnBody(text, 'bench-memory') });
  await res.text();
  return res.status;
}

async function main(): Promise<void> {
  const dbFile = await ensureDemoCountyFile();
  // Let the daily alert rules run again inside the measured window (they read the whole county).
  const store = await openStore({ engine: 'sqlite', target: dbFile });
  await sql`delete from job_run`.execute(store.db);
  await store.close();
  const port = 3997;
  const bot = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'bot/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbFile}`, CLOCK_NOW, LOG_LEVEL: 'error', MicrosoftAppId: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const idle = memoryOf(bot.pid!);
    const commands = ['help', 'ladder', 'ladder pupil keeps walking out of lessons', 'cluster Lincoln agenda', 'cluster Boston agenda', 'cluster South Kesteven agenda', 'alerts digest', 'my actions'];
    for (let round = 0; round < 20; round++) {
      for (const command of commands) {
        const status = await say(port, command);
        if (status !== 200) throw new Error(`${command}: HTTP ${status}`);
      }
    }
    const check = await openStore({ engine: 'sqlite', target: dbFile }, { migrate: false });
    for (let i = 0; i < 300; i++) {
      const done = await sql<{ n: number }>`select count(*) as n from job_run where job = 'daily-rules' and finished_at is not null`.execute(check.db);
      if (Number(done.rows[0]?.n) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await check.close();
    const busy = memoryOf(bot.pid!);
    const loaded = await peakUnderLoad(bot.pid!, port);
    const echo = await echoBotPeakUnderLoad();
    const ratio = loaded.peakMb / echo.peakMb;
    const lines = [
      `| moment | resident MB | peak resident MB |`,
      `|---|---|---|`,
      `| started, county of 100,000 pupils in the store | ${idle.rssMb.toFixed(0)} | ${idle.peakMb.toFixed(0)} |`,
      `| after the daily alert rules over the whole county and 20 rounds of: ${commands.join('; ')} | ${busy.rssMb.toFixed(0)} | ${busy.peakMb.toFixed(0)} |`,
      `| then ${LOAD_REQUESTS} turns, ${LOAD_CONCURRENCY} at once (${LOAD_COMMANDS.join('; ')}): ${loaded.throughput.toFixed(0)} turns/s, ${loaded.errors} errors | ${memoryOf(bot.pid!).rssMb.toFixed(0)} | ${loaded.peakMb.toFixed(0)} |`,
      `| bare teams-ai echo bot, same load in the same run: ${echo.throughput.toFixed(0)} turns/s, ${echo.errors} errors | ${echo.idleMb.toFixed(0)} at rest | ${echo.peakMb.toFixed(0)} |`,
      '',
      `Peak under load: ${loaded.peakMb.toFixed(0)} MB against the echo bot's ${echo.peakMb.toFixed(0)} MB, ratio ${ratio.toFixed(2)} (budget: at most 1.10).`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (write) {
      writeFileSync(write, `# Bot resident memory with the demo county\n\n\`npx tsx bench/memory.ts --write ${write}\` on ${new Date().toISOString().slice(0, 10)} (CLOCK_NOW ${CLOCK_NOW}); budgets: under 300 MB at rest; peak under load at most 10% above the echo bot's.\n\n${lines.join('\n')}\n`);
    }
  } finally {
    bot.kill('SIGTERM');
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
