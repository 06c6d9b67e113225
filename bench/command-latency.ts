import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { DEMO_USERS } from '../scripts/demo/demo-users';
import { openStore } from '../services/store/open-store';
import { percentile } from './load';
import { ensureDemoCountyFile } from './demo-county-file';

/**
 * Budget: every command at county scale answers with p99 under 300 ms on SQLite and on PostgreSQL,
 * and the bot's event-loop delay p99 stays under 50 ms while any command runs (no request may
 * stall the others). Drives each command over HTTP as the demo LA manager (county scope, personal
 * chat) against the real bot (bot/main.ts) holding the demo county; the bot runs inside a wrapper
 * that keeps a perf_hooks event-loop delay histogram, read over IPC around each command. A probe
 * meanwhile times GET /healthz, the request any user's turn would wait behind.
 *
 *   npx tsx bench/command-latency.ts [--sqlite <file>] [--postgres postgres://...]
 *        [--requests 120] [--concurrency 4] [--port 4150] [--write bench/results/command-latency.md]
 *
 * SQLite: the benches' own seeded county file unless --sqlite names one; PostgreSQL: seed it first
 * (`DATABASE_URL=postgres://... npm run seed`). The bench adds
 * one recorded Boston meeting (reviews and actions, marked by its date) when the store has none,
 * so "cluster Boston minutes" and "my actions" have something to read.
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const REQUESTS = Number(args.get('requests') ?? 120);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const PORT = Number(args.get('port') ?? 4150);
// Default: the bench's own seeded county file (never the dev store, which a bench must not create or change).
const SQLITE_ARG = args.get('sqlite');
const POSTGRES = args.get('postgres');

const COMMAND_BUDGET_P99_MS = 300;
const LOOP_DELAY_BUDGET_P99_MS = 50;

const COMMANDS = [
  'help',
  'ladder',
  'ladder Y8 keeps walking out of lessons, PSP in place, looked after',
  'cluster Boston agenda',
  'cluster Lincoln agenda',
  'cluster Boston minutes',
  'my actions',
  'alerts list',
  'alerts digest',
] as const;

const MANAGER = DEMO_USERS.find((u) => u.role === 'la_manager')!;
/** The bench meeting's date: before any seeded "today", so it is the district's latest recorded one. */
const BENCH_MEETING_DATE = '2026-11-16';
const BENCH_REVIEWS = 40;

function activity(i: number, text: string): string {
  return JSON.stringify({
    type: 'message',
    id: `m${i}`,
    text,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:1/',
    deliveryMode: 'expectReplies',
    from: { id: '29:bench', name: MANAGER.name, aadObjectId: MANAGER.aadObjectId },
    recipient: { id: '28:bot' },
    conversation: { id: `bench-latency-${i % 20}`, conversationType: 'personal', tenantId: 't' },
  });
}

/** One recorded Boston meeting: reviews and actions owned by the LA manager (once per store). */
async function ensureBenchMeeting(databaseUrl: string): Promise<void> {
  const store = await openStore(databaseUrl);
  try {
    const db = store.db;
    const boston = await db.selectFrom('district').select('id').where('name', '=', 'Boston').executeTakeFirstOrThrow();
    const existing = await db.selectFrom('cluster_meeting').select('id').where('district_id', '=', boston.id).where('meeting_date', '=', BENCH_MEETING_DATE).executeTakeFirst();
    if (existing) return;
    const manager = await db.selectFrom('staff_user').select('id').where('aad_object_id', '=', MANAGER.aadObjectId).executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      const meeting = await tx
        .insertInto('cluster_meeting')
        .values({ district_id: boston.id, meeting_date: BENCH_MEETING_DATE, created_at: now, created_by: manager.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      const pupils = await tx
        .selectFrom('enrolment as e')
        .innerJoin('school as s', 's.urn', 'e.school_urn')
        .where('s.district_id', '=', boston.id)
        .where('e.end_date', 'is', null)
        .select(['e.pupil_id', 'e.school_urn'])
        .orderBy('e.pupil_id')
        .limit(BENCH_REVIEWS)
        .execute();
      for (const [n, p] of pupils.entries()) {
        await tx
          .insertInto('pupil_review')
          .values({ meeting_id: meeting.id, pupil_id: p.pupil_id, school_urn: p.school_urn, barriers: 'Bench: transport', outcome: 'Bench: plan agreed', lead_practitioner: 'School SENCo', recorded_by: manager.id, recorded_at: now })
          .execute();
        const actions = n % 3 === 0 ? 2 : 1;
        for (let a = 0; a < actions; a++) {
          await tx
            .insertInto('cluster_action')
            .values({ pupil_id: p.pupil_id, school_urn: p.school_urn, meeting_id: meeting.id, description: `Bench action ${a + 1}`, owner_id: manager.id, due_date: '2026-12-1' + a, status: 'open', created_by: manager.id, created_at: now })
            .execute();
        }
      }
    });
  } finally {
    await store.close();
  }
}

interface BotProcess {
  child: ChildProcess;
  ask(message: 'reset' | 'read'): Promise<{ p50?: number; p99?: number; max?: number }>;
}

function startBot(databaseUrl: string, port: number, entry: 'bot' | 'echo' = 'bot'): BotProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'error', MicrosoftAppId: '', ALERT_DELIVERY: 'off', BENCH_ENTRY: entry };
  const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'bench/fixtures/loop-monitored-bot.ts'], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    child,
    ask: (message) =>
      new Promise((resolve) => {
        child.once('message', (reply) => resolve(reply as { p50?: number; p99?: number; max?: number }));
        child.send(message);
      }),
  };
}

function post(port: number, body: string, agent: http.Agent): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/messages', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: res.statusCode === 200 }));
      },
    );
    req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false }));
    req.end(body);
  });
}

async function healthz(port: number): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  await res.text();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function waitUp(port: number): Promise<void> {
  const agent = new http.Agent();
  for (let i = 0; i < 600; i++) {
    try {
      if ((await post(port, activity(0, 'help'), agent)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bot on port ${port} did not come up`);
}

export interface CommandFigures {
  command: string;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  loopP99: number;
  loopMax: number;
  healthzP99: number;
  healthzMax: number;
}

async function measureCommand(bot: BotProcess, port: number, command: string, probeHealth = true): Promise<CommandFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // Warm up: the first agenda of the day refreshes attendance summaries, once for everyone.
  for (let i = 0; i < 3; i++) await post(port, activity(i, command), agent);
  await bot.ask('reset');
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  let running = true;
  const probes: number[] = [];
  const probe = (async () => {
    while (running && probeHealth) {
      probes.push(await healthz(port));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const r = await post(port, activity(i, command), agent);
      latencies.push(r.ms);
      if (!r.ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  running = false;
  await probe;
  const loop = await bot.ask('read');
  agent.destroy();
  latencies.sort((a, b) => a - b);
  probes.sort((a, b) => a - b);
  return {
    command,
    requests: REQUESTS,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1]!,
    loopP99: loop.p99 ?? NaN,
    loopMax: loop.max ?? NaN,
    healthzP99: percentile(probes, 99),
    healthzMax: probes[probes.length - 1] ?? NaN,
  };
}

/** The bare teams-ai echo bot answering "help" in the same run: what the machine's load alone costs. */
async function measureEcho(port: number): Promise<CommandFigures> {
  const bot = startBot('', port, 'echo');
  try {
    await waitUp(port);
    return { ...(await measureCommand(bot, port, 'help', false)), command: 'bare teams-ai echo bot (baseline)' };
  } finally {
    bot.child.kill('SIGTERM');
    await new Promise((r) => bot.child.once('exit', r));
  }
}

async function measureEngine(databaseUrl: string, port: number): Promise<CommandFigures[]> {
  await ensureBenchMeeting(databaseUrl);
  const bot = startBot(databaseUrl, port);
  try {
    await waitUp(port);
    const out: CommandFigures[] = [];
    for (const command of COMMANDS) {
      const figures = await measureCommand(bot, port, command);
      process.stderr.write(`${databaseUrl.split(':')[0]} ${command}: p99 ${figures.p99.toFixed(1)} ms, loop p99 ${figures.loopP99.toFixed(1)} ms\n`);
      out.push(figures);
    }
    return out;
  } finally {
    bot.child.kill('SIGTERM');
    await new Promise((r) => bot.child.once('exit', r));
  }
}

function figuresTable(engine: string, rows: CommandFigures[]): string[] {
  const mark = (ok: boolean) => (ok ? 'within' : '**OVER**');
  return [
    `| ${engine}: command | p50 ms | p99 ms (budget ${COMMAND_BUDGET_P99_MS}) | max ms | loop delay p99 ms (budget ${LOOP_DELAY_BUDGET_P99_MS}) | loop delay max ms | /healthz p99 ms meanwhile | errors | verdict |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.command} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.loopP99.toFixed(1)} | ${r.loopMax.toFixed(1)} | ${r.healthzP99.toFixed(1)} | ${r.errors} | ${mark(r.p99 < COMMAND_BUDGET_P99_MS && r.loopP99 < LOOP_DELAY_BUDGET_P99_MS && r.errors === 0)} |`,
    ),
  ];
}

function machineLine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (other work shares the machine; loop delay includes waiting for a core)`;
}

async function main(): Promise<void> {
  const sqliteFile = SQLITE_ARG ?? (await ensureDemoCountyFile());
  if (!existsSync(sqliteFile)) throw new Error(`--sqlite ${sqliteFile}: no such file (seed one with DATABASE_URL=sqlite:${sqliteFile} npm run seed)`);
  const engines: [string, string][] = [['SQLite', `sqlite:${sqliteFile}`]];
  if (POSTGRES) engines.push(['PostgreSQL', POSTGRES]);
  const sections: string[] = [];
  const baseline = await measureEcho(PORT + 9);
  for (const [i, [name, url]] of engines.entries()) {
    const rows = await measureEngine(url, PORT + i);
    sections.push(...figuresTable(name, [baseline, ...rows]), '');
  }
  const lines = [
    `${REQUESTS} requests per command, ${CONCURRENCY} at a time, as the LA manager (county scope, personal chat); loop delay from perf_hooks.monitorEventLoopDelay inside the bot during that command's requests. The first row of each table is a bare teams-ai echo bot measured the same way in the same run: on a shared machine its figures are the floor no command can go under.`,
    '',
    ...sections,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const write = args.get('write');
  if (write) {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      write,
      `# Command latency and event-loop delay on the demo county\n\n\`npx tsx bench/command-latency.ts ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machineLine()}.\n\nBudget: every command's p99 under ${COMMAND_BUDGET_P99_MS} ms on both engines; event-loop delay p99 under ${LOOP_DELAY_BUDGET_P99_MS} ms while any command runs.\n\n${lines.join('\n')}\n`,
    );
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
