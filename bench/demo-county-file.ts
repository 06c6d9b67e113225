import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** "Now" for every bench that uses the demo county, so runs compare like with like. */
export const BENCH_CLOCK_NOW = '2026-11-25T09:00:00Z';

/**
 * A SQLite file holding the default demo county (100,000 pupils), seeded once and kept under the
 * system temp folder between bench runs.
 */
export async function ensureDemoCountyFile(): Promise<string> {
  const dir = join(tmpdir(), 'ia-bench-county');
  const file = join(dir, 'county.sqlite');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  process.stderr.write('seeding the default demo county into a bench file (once)...\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${file}`, CLOCK_NOW: BENCH_CLOCK_NOW },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with ${code}`))));
  });
  return file;
}
