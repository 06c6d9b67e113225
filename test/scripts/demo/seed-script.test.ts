import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedProgressReporter } from '../../../scripts/demo/seed-progress';
import { parseSeedArguments } from '../../../scripts/seed';

const ROOT = path.resolve(__dirname, '../../..');

function runSeed(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/seed.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run seed', function () {
  this.timeout(180_000);

  describe('arguments', () => {
    it('defaults to 100,000 pupils, a fixed seed and no force', () => {
      assert.deepEqual(parseSeedArguments([]), { pupils: 100_000, seed: 'lincolnshire', force: false, help: false });
    });

    it('reads --pupils, --seed and --force, with or without "=" and after npm\'s "--"', () => {
      assert.deepEqual(parseSeedArguments(['--', '--pupils', '20_000', '--seed=abc', '--force']), { pupils: 20_000, seed: 'abc', force: true, help: false });
      assert.equal(parseSeedArguments(['--pupils=2,000']).pupils, 2_000);
    });

    it('rejects bad values with a message naming the argument', () => {
      assert.throws(() => parseSeedArguments(['--pupils', 'many']), /--pupils must be a whole number/);
      assert.throws(() => parseSeedArguments(['--pupils', '50']), /--pupils must be a whole number from 100/);
      assert.throws(() => parseSeedArguments(['--seed']), /--seed needs a value/);
      assert.throws(() => parseSeedArguments(['--colour', 'red']), /unknown argument "--colour"/);
    });
  });

  describe('progress', () => {
    it('prints a line per phase and every quarter of the attendance when not on a terminal', () => {
      const lines: string[] = [];
      const report = seedProgressReporter({ isTTY: false, write: (t) => lines.push(t) });
      report({ phase: 'plan', done: 0, total: 1 });
      report({ phase: 'plan', done: 1, total: 1 });
      for (let done = 0; done <= 1000; done += 10) report({ phase: 'attendance', done, total: 1000 });
      report.end();
      assert.equal(lines.length, 2 + 5);
      assert.match(lines[0]!, /^seed: generating the county 0% \(overall 0%\)\n$/);
      assert.match(lines[lines.length - 1]!, /attendance 100% \(overall 92%\)/);
    });

    it('redraws one line in place on a terminal', () => {
      const writes: string[] = [];
      const report = seedProgressReporter({ isTTY: true, write: (t) => writes.push(t) });
      report({ phase: 'pupils', done: 1, total: 2 });
      report({ phase: 'pupils', done: 1, total: 2 });
      report({ phase: 'pupils', done: 2, total: 2 });
      report.end();
      assert.equal(writes.length, 3);
      assert.ok(writes[0]!.startsWith('\r'));
      assert.equal(writes[2], '\n');
    });
  });

  describe('the command', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'seed-test-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('seeds an empty store, refuses it the second time, and reseeds with --force', () => {
      const env = { DATABASE_URL: `sqlite:${path.join(dir, 'demo.sqlite')}`, CLOCK_NOW: '2026-11-25T09:00:00Z' };
      const first = runSeed(['--', '--pupils', '400', '--seed', 'cli'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /seeded the demo county in [\d.]+ s:\n {2}7 districts, \d+ schools, 400 pupils/);
      assert.match(first.stdout, /attendance weeks \(2026-09-03 to 2026-11-24\), 5 demo staff users/);
      assert.match(first.stderr, /seed: generating and writing attendance 100%/);

      const again = runSeed(['--pupils', '400'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /seed refused: the store already holds case data \(400 pupils.*--force/);

      const forced = runSeed(['--pupils', '300', '--force'], env);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, /300 pupils/);
      assert.match(forced.stdout, /first deleted: .*pupil/);
    });

    it('exits 2 with the usage for a bad argument', () => {
      const bad = runSeed(['--pupils', 'lots'], { DATABASE_URL: `sqlite:${path.join(dir, 'unused.sqlite')}` });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--pupils must be a whole number[\s\S]*usage: npm run seed/);
    });
  });
});
