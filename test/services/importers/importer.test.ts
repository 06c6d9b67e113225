import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { requiredText } from '../../../services/importers/fields';
import { ImportSetupError, matchHeader, runImport, type Importer } from '../../../services/importers/importer';
import type { ProgressSink } from '../../../services/importers/progress';
import { forEachEngine } from '../../helpers/test-stores';
import { scratch } from './import-kit';

/**
 * The framework, through a small importer of the kind other engineers add: rows of code,name
 * written into local_authority, with the raw SQLite handle on SQLite (the bulk path) and Kysely on
 * PostgreSQL. Batches of two, so a file of five rows takes three writes.
 */
interface CodeRow {
  code: string;
  name: string;
}

function codesImporter(hooks: { onWrite?: (batch: CodeRow[]) => void; rawSqliteUsed?: { yes: boolean } } = {}): Importer<CodeRow, null> {
  return {
    kind: 'codes',
    description: 'code,name',
    columns: [
      { name: 'code', required: true },
      { name: 'name', required: true },
      { name: 'note', required: false },
    ],
    keyColumn: 'code',
    key: (r) => r.code,
    prepare: async () => null,
    parse(row) {
      const code = requiredText(row, 'code');
      const name = requiredText(row, 'name');
      if (row.failed) return undefined;
      return { code: code!, name: name! };
    },
    batchSize: () => 2,
    async write(tx, batch, _ctx, counts) {
      hooks.onWrite?.(batch);
      if (tx.sqlite) {
        if (hooks.rawSqliteUsed) hooks.rawSqliteUsed.yes = true;
        const insert = tx.sqlite.prepare('insert into local_authority (code, name) values (?, ?)');
        for (const r of batch) insert.run(r.code, r.name);
      } else {
        await tx.db.insertInto('local_authority').values(batch).execute();
      }
      counts.inserted += batch.length;
    },
  };
}

describe('import framework', () => {
  const files = scratch();
  after(() => files.cleanup());

  describe('header', () => {
    it('matches names after normalising case, spaces and punctuation, and lists unused columns', () => {
      const match = matchHeader([' Code ', 'NAME', 'Date of Birth'], [
        { name: 'code', required: true },
        { name: 'name', required: true },
      ]);
      assert.deepEqual([...match.positions], [
        ['code', 0],
        ['name', 1],
      ]);
      assert.deepEqual(match.ignored, ['date_of_birth']);
      assert.deepEqual(match.problems, []);
    });

    it('reports missing, repeated and unnamed columns', () => {
      const match = matchHeader(['code', '', 'Code', '', ''], [
        { name: 'code', required: true },
        { name: 'name', required: true },
      ]);
      assert.deepEqual(match.problems, ['column 2 has no name', 'column "code" appears twice', 'missing column "name"']);
      assert.equal(match.width, 3, 'empty cells after the last named column are padding, not columns');
    });
  });

  forEachEngine((getStore, engine) => {
    const codes = async () => (await getStore().db.selectFrom('local_authority').select(['code', 'name']).orderBy('code').execute()).map((r) => `${r.code}=${r.name}`);

    it('writes every row in batches inside one transaction' + (engine === 'sqlite' ? ', through the raw SQLite handle' : ''), async () => {
      const batches: number[] = [];
      const raw = { yes: false };
      const file = files.csv(['code,name', 'A1,One', 'A2,Two', 'A3,Three', 'A4,Four', 'A5,Five']);
      const result = await runImport(getStore(), codesImporter({ onWrite: (b) => batches.push(b.length), rawSqliteUsed: raw }), file);
      assert.equal(result.ok, true, result.errors.join('\n'));
      assert.equal(result.rows, 5);
      assert.deepEqual(batches, [2, 2, 1]);
      assert.equal(raw.yes, engine === 'sqlite');
      assert.deepEqual(await codes(), ['A1=One', 'A2=Two', 'A3=Three', 'A4=Four', 'A5=Five']);
    });

    it('rolls back earlier batches when the store refuses a later one', async () => {
      await getStore().db.insertInto('local_authority').values({ code: 'A4', name: 'Already here' }).execute();
      const file = files.csv(['code,name', 'A1,One', 'A2,Two', 'A3,Three', 'A4,Four']);
      const result = await runImport(getStore(), codesImporter(), file);
      assert.equal(result.ok, false);
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0]!, /: the store refused the import, nothing was changed \(/);
      assert.deepEqual(result.counts, { inserted: 0, updated: 0, unchanged: 0, other: {} });
      assert.deepEqual(await codes(), ['A4=Already here']);
    });

    it('rolls back when the file changes between the check and the write', async () => {
      const file = files.csv(['code,name', 'B1,One', 'B2,Two', 'B3,Three']);
      const importer = codesImporter({ onWrite: () => appendFileSync(file, 'B9,Late\n') });
      const result = await runImport(getStore(), importer, file);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [`${file}: the file changed while it was being imported; nothing was changed`]);
      assert.deepEqual(await codes(), []);
    });

    it('skips blank lines and rows of empty cells, and allows empty cells padded after the last column', async () => {
      const file = files.csv(['code,name,', '', 'C1,One,', ',,', 'C2,Two', '  ,  ', 'C3,Three,,,']);
      const result = await runImport(getStore(), codesImporter(), file);
      assert.deepEqual(result.errors, []);
      assert.equal(result.rows, 3);
      assert.deepEqual(await codes(), ['C1=One', 'C2=Two', 'C3=Three']);
    });

    it('refuses rows with the wrong number of fields and reports CSV syntax problems by line', async () => {
      const file = files.csv(['code,name', 'D1,One,extra', 'D2', 'D3,"Three', 'D4,Four']);
      const result = await runImport(getStore(), codesImporter(), file);
      assert.deepEqual(result.errors, [
        `${file}:2: row: has 3 fields; the header has 2`,
        `${file}:3: row: has 1 fields; the header has 2`,
        `${file}:4: csv: a quoted field is not closed: a closing " is missing`,
      ]);
      assert.deepEqual(await codes(), []);
    });

    it('refuses an empty file, accepts a header with no rows, and reports a missing file', async () => {
      const empty = files.csv([]);
      writeFileSync(empty, '');
      assert.deepEqual((await runImport(getStore(), codesImporter(), empty)).errors, [`${empty}:1: header: the file is empty: a header row is required`]);
      const headerOnly = await runImport(getStore(), codesImporter(), files.csv(['code,name']));
      assert.deepEqual([headerOnly.ok, headerOnly.rows], [true, 0]);
      const missing = files.csv(['x']).replace(/[^/\\]+$/, 'nope.csv');
      assert.deepEqual((await runImport(getStore(), codesImporter(), missing)).errors, [`${missing}: cannot be read (no such file)`]);
    });

    it('reports a store that is not ready for the import without reading the rows', async () => {
      const importer = { ...codesImporter(), prepare: async () => Promise.reject(new ImportSetupError('set LA_CODE first')) };
      const file = files.csv(['code,name', 'E1,One']);
      assert.deepEqual((await runImport(getStore(), importer, file)).errors, [`${file}: set LA_CODE first`]);
    });

    it('writes what the check pass kept without reading the file again, or streams it when nothing was kept', async () => {
      for (const keep of [true, false]) {
        let parsed = 0;
        let streamed = 0;
        const kept: CodeRow[] = [];
        const base = codesImporter({ onWrite: () => streamed++ });
        const importer: Importer<CodeRow, null> = {
          ...base,
          parse(row, ctx) {
            parsed++;
            const record = base.parse(row, ctx);
            if (record) kept.push(record);
            return record;
          },
          async writeKept(tx, ctx, counts) {
            if (!keep) return false;
            await base.write(tx, kept, ctx, counts);
            return true;
          },
        };
        const first = keep ? 'K' : 'S';
        const file = files.csv(['code,name', `${first}1,One`, `${first}2,Two`, `${first}3,Three`]);
        const result = await runImport(getStore(), importer, file);
        assert.equal(result.ok, true, result.errors.join('\n'));
        assert.equal(result.counts.inserted, 3);
        // Kept: one read of three rows and a single write; streamed: a second read, written in batches of two.
        assert.deepEqual([parsed, streamed], keep ? [3, 1] : [6, 2]);
      }
      assert.deepEqual(await codes(), ['K1=One', 'K2=Two', 'K3=Three', 'S1=One', 'S2=Two', 'S3=Three']);
    });

    it('calls check on the check pass and parse on the write pass only, each problem from check refusing the file', async () => {
      const calls: string[] = [];
      const base = codesImporter();
      const importer: Importer<CodeRow, null> = {
        ...base,
        key: undefined,
        check(row, ctx) {
          calls.push(`check ${row.line}`);
          if (row.get('name') === 'Bad') row.fail('name', 'is bad');
          else base.parse(row, ctx);
        },
        parse(row, ctx) {
          calls.push(`parse ${row.line}`);
          return base.parse(row, ctx);
        },
      };
      const good = files.csv(['code,name', 'C1,One', 'C2,Two']);
      const result = await runImport(getStore(), importer, good);
      assert.equal(result.ok, true, result.errors.join('\n'));
      assert.deepEqual(calls, ['check 2', 'check 3', 'parse 2', 'parse 3']);
      calls.length = 0;
      const bad = files.csv(['code,name', 'C3,Three', 'C4,Bad']);
      assert.deepEqual((await runImport(getStore(), importer, bad)).errors, [`${bad}:3: name: is bad`]);
      assert.deepEqual(calls, ['check 2', 'check 3']);
      assert.deepEqual(await codes(), ['C1=One', 'C2=Two']);
    });

    it('reports progress for the check and the write', async () => {
      const events: string[] = [];
      const progress: ProgressSink = {
        start: (phase, total) => events.push(`start ${phase} ${total > 0}`),
        update: () => undefined,
        finish: (rows) => events.push(`finish ${rows}`),
      };
      await runImport(getStore(), codesImporter(), files.csv(['code,name', 'F1,One', 'F2,Two']), { progress });
      assert.deepEqual(events, ['start checking true', 'finish 2', 'start writing true', 'finish 2']);
    });
  });
});
