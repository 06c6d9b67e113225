import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/**
 * `npm run bench [-- --only name,name]`: runs every bench one after another (never in parallel:
 * they would measure each other) and rewrites bench/results/. Benches that write their own result
 * file get --write; for the others their output is saved with the machine and date.
 * Budgets are in docs and in each bench's header comment; each result file states its own.
 */
interface Bench {
  name: string;
  args: string[];
  /** The bench writes bench/results/<name>.md itself (with its budget beside the figures). */
  writesOwn: boolean;
  budget: string;
}

/** A bench's exit code for "ran, but over its budget" (its figures are still written). */
const OVER_BUDGET = 3;

const BENCHES: Bench[] = [
  { name: 'ladder-search', args: [], writesOwn: true, budget: 'ladder search p99 under 5 ms' },
  { name: 'attendance-import', args: [], writesOwn: false, budget: 'at least 500,000 session marks per second into SQLite' },
  { name: 'alert-evaluation', args: [], writesOwn: false, budget: 'whole demo county under 1 s' },
  { name: 'attendance-alerts', args: [], writesOwn: true, budget: 'whole-county attendance rules after an import in at most 2 s' },
  { name: 'alert-delivery', args: [], writesOwn: false, budget: 'at least 90% of the rate Teams allows, no 429 storms, nothing lost' },
  { name: 'cluster-agenda', args: [], writesOwn: false, budget: 'a 30-row card under 50 µs' },
  { name: 'seed', args: [], writesOwn: false, budget: 'none (how long the demo county takes)' },
  { name: 'http-turns', args: [], writesOwn: true, budget: 'throughput at least the echo bot’s, p99 no worse' },
  { name: 'memory', args: [], writesOwn: true, budget: 'under 300 MB at rest with the county loaded; peak under load at most 10% above the echo bot’s' },
  {
    name: 'command-latency',
    args: process.env.BENCH_POSTGRES_URL ? ['--postgres', process.env.BENCH_POSTGRES_URL] : [],
    writesOwn: true,
    budget: 'every command p99 under 300 ms on both engines; event-loop delay p99 under 50 ms',
  },
];

function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

function run(bench: Bench): Promise<{ code: number; output: string }> {
  const file = `bench/results/${bench.name}.md`;
  const args = ['--no-deprecation', '--import', 'tsx', `bench/${bench.name}.ts`, ...bench.args, ...(bench.writesOwn ? ['--write', file] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function main(): Promise<number> {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : undefined;
  mkdirSync('bench/results', { recursive: true });
  let failed = 0;
  const over: string[] = [];
  for (const bench of BENCHES) {
    if (only && !only.has(bench.name)) continue;
    process.stderr.write(`\n== ${bench.name} ==\n`);
    const started = new Date();
    const { code, output } = await run(bench);
    if (code === OVER_BUDGET) {
      over.push(`${bench.name} (${bench.budget})`);
      continue;
    }
    if (code !== 0) {
      failed++;
      process.stderr.write(`${bench.name} failed (exit ${code}); its result file is left as it was\n`);
      continue;
    }
    if (!bench.writesOwn) {
      writeFileSync(
        `bench/results/${bench.name}.md`,
        `# ${bench.name}\n\n\`npx tsx bench/${bench.name}.ts ${bench.args.join(' ')}\` on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machine()}.\n\nBudget: ${bench.budget}.\n\n\`\`\`\n${output.trim()}\n\`\`\`\n`,
      );
    }
  }
  if (over.length) process.stderr.write(`\nOVER budget: ${over.join('; ')}\n`);
  return failed || over.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
