import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../services/store/open-store';
import { BENCH_CLOCK_NOW, ensureDemoCountyFile } from './demo-county-file';
import { median, runLoad, type LoadResult } from './load';

/**
 * Budget: a command turn over HTTP has at least the throughput of a bare teams-ai echo bot on the
 * same stack, p99 no worse. Both servers run as separate processes; rounds alternate between them
 * so drift on the machine hits both alike.
 *
 *   npx tsx bench/http-turns.ts [--rounds 5] [--requests 2000] [--concurrency 16] [--command help] [--county yes]
 *
 * With --county yes the bot runs on the default demo county (100,000 pupils) as its LA manager,
 * for commands that read case data (e.g. --command "cluster Boston agenda").
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROUNDS = Number(args.get('rounds') ?? 5);
const REQUESTS = Number(args.get('requests') ?? 2000);
const CONCURRENCY = Number(args.get('concurrency') ?? 16);
const COMMAND = args.get('command') ?? 'help';
const AAD = '00000000-0000-0000-0000-0000000000020';

function activity(i: number, text: string) {
  return JSON.stringify({
    type: 'message',
    id: `m${i}`,
    text,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:1/',
    deliveryMode: 'expectReplies',
    from: { id: '29:bench', name: 'Bench', aadObjectId: AAD },
    recipient: { id: '28:bot' },
    conversation: { id: `bench-${i % 50}`, conversationType: 'personal', tenantId: 't' },
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity(0, 'help') });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function start(script: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', ...script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ia-bench-'));
  let dbFile = join(dir, 'bench.sqlite');
  if (args.get('county') === 'yes') {
    dbFile = await ensureDemoCountyFile();
  } else {
    const store = await openStore({ engine: 'sqlite', target: dbFile });
    await store.db
      .insertInto('staff_user')
      .values({ aad_object_id: AAD, email: 'bench@la.example', name: 'Bench Manager', role: 'la_manager', scope: 'county', created_at: new Date().toISOString() })
      .execute();
    await store.close();
  }

  const echo = start(['bench/fixtures/echo-bot.ts'], { PORT: '3979' });
  const ours = start(['bot/main.ts'], { PORT: '3988', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbFile}`, CLOCK_NOW: BENCH_CLOCK_NOW, LOG_LEVEL: 'error', MicrosoftAppId: '', ALERT_DELIVERY: 'off' });
  const targets = { echo: 'http://127.0.0.1:3979/api/messages', ours: 'http://127.0.0.1:3988/api/messages' } as const;
  try {
    await Promise.all([waitFor(targets.echo), waitFor(targets.ours)]);
    for (const url of Object.values(targets)) await runLoad(url, (i) => activity(i, COMMAND), 500, CONCURRENCY);

    const results: Record<'echo' | 'ours', LoadResult[]> = { echo: [], ours: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['echo', 'ours'] as const) : (['ours', 'echo'] as const);
      for (const name of order) {
        const result = await runLoad(targets[name], (i) => activity(i, COMMAND), REQUESTS, CONCURRENCY);
        if (result.errors > 0) throw new Error(`${name}: ${result.errors} requests failed`);
        results[name].push(result);
      }
    }
    const summary = (name: 'echo' | 'ours') => ({
      throughput: median(results[name].map((r) => r.throughput)),
      p50: median(results[name].map((r) => r.p50)),
      p99: median(results[name].map((r) => r.p99)),
    });
    const echoSummary = summary('echo');
    const oursSummary = summary('ours');
    const lines = [
      `command "${COMMAND}", ${ROUNDS} rounds x ${REQUESTS} requests, concurrency ${CONCURRENCY}, medians over rounds`,
      `| server | req/s | p50 ms | p99 ms |`,
      `|---|---|---|---|`,
      `| bare teams-ai echo bot | ${echoSummary.throughput.toFixed(0)} | ${echoSummary.p50.toFixed(2)} | ${echoSummary.p99.toFixed(2)} |`,
      `| inclusion assistant (${COMMAND}) | ${oursSummary.throughput.toFixed(0)} | ${oursSummary.p50.toFixed(2)} | ${oursSummary.p99.toFixed(2)} |`,
      `throughput ratio (ours / echo): ${(oursSummary.throughput / echoSummary.throughput).toFixed(3)}; p99 ratio: ${(oursSummary.p99 / echoSummary.p99).toFixed(3)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (args.has('write')) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync(args.get('write')!, `# HTTP command turns against a bare echo bot\n\n\`npx tsx bench/http-turns.ts ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 10)}\n\n${lines.join('\n')}\n`);
    }
  } finally {
    echo.kill('SIGTERM');
    ours.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
