/**
 * `npm run seed -- [--pupils N] [--seed S] [--force]`: fills the store named by DATABASE_URL (the
 * embedded SQLite file when unset) with the deterministic demo county. Progress goes to stderr,
 * the summary to stdout. Exit codes: 0 seeded, 1 refused or failed, 2 bad arguments or configuration.
 */
import { performance } from 'node:perf_hooks';
import { loadCalendar } from '../services/calendar/school-calendar';
import { clockFromConfig } from '../services/clock';
import { configSchema } from '../services/config';
import { MAX_DEMO_PUPILS } from './demo/demo-county';
import { DEFAULT_DEMO_PUPILS, DEFAULT_DEMO_SEED, seedDemoCounty, StoreNotEmptyError, type SeedCounts } from './demo/seed-demo-county';
import { seedProgressReporter } from './demo/seed-progress';
import { openStore } from '../services/store/open-store';
import { readScriptEnv, runScript } from './run-script';

// The bot's own checks for the settings the seed shares with it.
const envSchema = configSchema.pick({ DATABASE_URL: true, CLOCK_NOW: true, CALENDAR_FILE: true });

export interface SeedArguments {
  pupils: number;
  seed: string;
  force: boolean;
  help: boolean;
}

export function usage(): string {
  return [
    'usage: npm run seed -- [--pupils N] [--seed S] [--force]',
    '',
    `  --pupils N  pupils in the demo county (default ${DEFAULT_DEMO_PUPILS.toLocaleString('en-GB')}; 100 to ${MAX_DEMO_PUPILS.toLocaleString('en-GB')})`,
    `  --seed S    any text or number; the same seed gives the same county (default "${DEFAULT_DEMO_SEED}")`,
    '  --force     delete existing case data first (staff users, conversation references and the audit log stay)',
    '',
    'The store is DATABASE_URL (default: the embedded SQLite file). "Today" is CLOCK_NOW if set;',
    'attendance runs from the start of that academic year to yesterday, by the CALENDAR_FILE term dates.',
  ].join('\n');
}

/** Parses the arguments after `npm run seed --`; throws a one-line message for anything wrong. */
export function parseSeedArguments(argv: readonly string[]): SeedArguments {
  const out: SeedArguments = { pupils: DEFAULT_DEMO_PUPILS, seed: DEFAULT_DEMO_SEED, force: false, help: false };
  const args = argv.filter((a) => a !== '--');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--pupils': {
        const text = value().replace(/[_,]/g, '');
        const n = Number(text);
        if (!/^\d+$/.test(text) || n < 100 || n > MAX_DEMO_PUPILS)
          throw new Error(`--pupils must be a whole number from 100 to ${MAX_DEMO_PUPILS.toLocaleString('en-GB')}`);
        out.pupils = n;
        break;
      }
      case '--seed':
        out.seed = value();
        break;
      case '--force':
        out.force = true;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  return out;
}

export function describeCounts(counts: SeedCounts, seconds: number): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  return [
    `seeded the demo county in ${seconds.toFixed(1)} s:`,
    `  ${n(counts.districts)} districts, ${n(counts.schools)} schools, ${n(counts.pupils)} pupils, ${n(counts.enrolments)} enrolments`,
    `  ${n(counts.suspensions)} suspensions, ${n(counts.lunchtimeSuspensions)} lunchtime suspensions, ${n(counts.permanentExclusions)} permanent exclusions`,
    `  ${n(counts.attendanceWeeks)} attendance weeks (${counts.from} to ${counts.to}), ${n(counts.demoUsers)} demo staff users`,
    ...(counts.cleared.length ? [`  first deleted: ${counts.cleared.join(', ')}`] : []),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  let args: SeedArguments;
  try {
    args = parseSeedArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage() + '\n');
    return 0;
  }

  const env = readScriptEnv(envSchema);
  if (!env) return 2;
  const calendar = loadCalendar(env.CALENDAR_FILE);

  const store = await openStore(env.DATABASE_URL);
  const progress = seedProgressReporter(process.stderr);
  try {
    const started = performance.now();
    const counts = await seedDemoCounty(store, {
      pupils: args.pupils,
      seed: args.seed,
      force: args.force,
      clock: clockFromConfig(env.CLOCK_NOW),
      calendar,
      onProgress: progress,
    });
    progress.end();
    process.stdout.write(describeCounts(counts, (performance.now() - started) / 1000) + '\n');
    return 0;
  } catch (error) {
    progress.end();
    if (error instanceof StoreNotEmptyError) {
      process.stderr.write(`seed refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

if (require.main === module) runScript('seed', () => main(process.argv.slice(2)));
