/**
 * `npm run import -- <kind> <file>`: loads a CSV file into the store named by DATABASE_URL (the
 * embedded SQLite file when unset). Checks every row first; a file with any problem changes nothing.
 * Exit codes: 0 imported, 1 the file (or store) was refused, 2 bad arguments or configuration.
 * Formats: docs/data-formats.md.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { clockFromConfig } from '../services/clock';
import { configSchema, emptyToUndefined } from '../services/config';
import { DEFAULT_LA_CODE, DEFAULT_LA_NAME, runImport, type ImportResult } from '../services/importers/importer';
import { createProgress, formatCount } from '../services/importers/progress';
import { findImporter, IMPORT_FLAGS, IMPORTERS } from '../services/importers/registry';
import { openStore } from '../services/store/open-store';
import { readScriptEnv, runScript } from './run-script';

// Shared settings keep the bot's own checks (DATABASE_URL, CLOCK_NOW); LA_* are for imports only.
const envSchema = configSchema.pick({ DATABASE_URL: true, CLOCK_NOW: true }).extend({
  LA_CODE: z.preprocess(emptyToUndefined, z.string().regex(/^\d{3}$/, 'must be a three-digit DfE LA number, e.g. 925').default(DEFAULT_LA_CODE)),
  LA_NAME: z.preprocess(emptyToUndefined, z.string().max(100).default(DEFAULT_LA_NAME)),
});

function usage(): string {
  const width = Math.max(...IMPORTERS.map((i) => i.kind.length));
  return [
    'usage: npm run import -- <kind> <file.csv> [option]',
    '',
    'kinds (header row required; columns in any order):',
    ...IMPORTERS.map((i) => `  ${i.kind.padEnd(width)}  ${i.description}`),
    '',
    'options:',
    ...Object.entries(IMPORT_FLAGS).map(([name, f]) => `  ${f.kind} ${name}: ${f.help}`),
    '',
    'The store is DATABASE_URL (default: the embedded SQLite file). Every row is checked before',
    'anything is written; a file with a problem changes nothing. Formats: docs/data-formats.md',
  ].join('\n');
}

function describeSuccess(result: ImportResult, seconds: number): string {
  const c = result.counts;
  const parts = [`${formatCount(result.rows)} rows`, `${formatCount(c.inserted)} inserted`, `${formatCount(c.updated)} updated`, `${formatCount(c.unchanged)} unchanged`];
  const other = Object.entries(c.other).map(([name, n]) => `${formatCount(n)} ${name}`);
  const lines = [`${result.kind}: ${result.file}: ${parts.join(', ')}${other.length ? `; ${other.join(', ')}` : ''} (${seconds.toFixed(1)} s)`];
  if (result.ignoredColumns.length) lines.push(`${result.kind}: columns not used: ${result.ignoredColumns.join(', ')}`);
  return lines.join('\n');
}

function describeFailure(result: ImportResult): string {
  const n = result.errors.length;
  const head = result.truncated ? `stopped after ${n} problems (there may be more)` : `${n} problem${n === 1 ? '' : 's'}`;
  return [...result.errors, `${result.kind}: ${result.file}: ${head}; nothing was changed.`].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const all = argv.filter((a) => a !== '--');
  if (all.includes('--help') || all.includes('-h')) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const flags = all.filter((a) => a.startsWith('--'));
  const args = all.filter((a) => !a.startsWith('--'));
  let importer = args[0] ? findImporter(args[0]) : undefined;
  for (const flag of flags) {
    const known = IMPORT_FLAGS[flag];
    if (!known || known.kind !== importer?.kind) {
      const valid = Object.entries(IMPORT_FLAGS).map(([name, f]) => `${name} (${f.kind} only)`).join(', ');
      process.stderr.write(`${flag}: not an option${importer ? ` for ${importer.kind}` : ''}; options: ${valid}\n`);
      return 2;
    }
    importer = known.importer;
  }
  if (args.length !== 2 || !importer) {
    const why = args.length === 0 ? '' : args.length !== 2 ? 'expected a kind and one file\n\n' : `unknown kind "${args[0]}"\n\n`;
    process.stderr.write(why + usage() + '\n');
    return 2;
  }
  const file = args[1]!;

  const env = readScriptEnv(envSchema);
  if (!env) return 2;

  const store = await openStore(env.DATABASE_URL);
  try {
    const started = performance.now();
    const result = await runImport(store, importer, file, {
      clock: clockFromConfig(env.CLOCK_NOW),
      progress: createProgress(process.stderr, { label: importer.kind }),
      laCode: env.LA_CODE,
      laName: env.LA_NAME,
    });
    if (!result.ok) {
      process.stderr.write(describeFailure(result) + '\n');
      return 1;
    }
    process.stdout.write(describeSuccess(result, (performance.now() - started) / 1000) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

if (require.main === module) runScript('import', () => main(process.argv.slice(2)));
