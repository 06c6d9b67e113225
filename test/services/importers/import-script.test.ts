import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './import-kit';

const ROOT = join(__dirname, '..', '..', '..');

/** Runs scripts/import.ts as `npm run import` does (tsx), against a throw-away SQLite file. */
function runScript(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/import.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run import (scripts/import.ts)', function () {
  this.timeout(60_000);
  let dir: string;
  let db: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-script-'));
    db = { DATABASE_URL: `sqlite:${join(dir, 'store.sqlite')}`, CLOCK_NOW: '2026-11-25T10:00:00Z' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the usage with every kind and exits 2 on bad arguments', () => {
    for (const args of [[], ['pupil', 'x.csv'], ['schools']]) {
      const run = runScript(args, db);
      assert.equal(run.code, 2, `arguments ${JSON.stringify(args)}`);
      assert.match(run.stderr, /usage: npm run import -- <kind> <file\.csv>/);
      for (const kind of ['schools', 'pupils', 'users']) assert.match(run.stderr, new RegExp(`^  ${kind} `, 'm'));
    }
    assert.match(runScript(['pupil', 'x.csv'], db).stderr, /unknown kind "pupil"/);
  });

  it('imports a file, prints a summary, and refuses a broken file with its problem list and exit 1', () => {
    const ok = runScript(['schools', fixture('schools.csv')], db);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^schools: .*schools\.csv: 5 rows, 5 inserted, 0 updated, 0 unchanged; 1 local authority created, 3 districts created \(\d+\.\d s\)$/m);

    const bad = runScript(['pupils', fixture('pupils-errors.csv')], db);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /pupils-errors\.csv:3: upn: UPN check letter is wrong$/m);
    assert.match(bad.stderr, /pupils: .*pupils-errors\.csv: 8 problems; nothing was changed\.$/m);
    assert.equal(bad.stdout, '');

    const again = runScript(['schools', fixture('schools.csv')], db);
    assert.match(again.stdout, /5 rows, 0 inserted, 0 updated, 5 unchanged \(/);
  });

  it('stops with one line naming a bad setting', () => {
    const run = runScript(['schools', fixture('schools.csv')], { ...db, LA_CODE: 'Lincs' });
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'configuration: LA_CODE is invalid: must be a three-digit DfE LA number, e.g. 925');
  });
});
