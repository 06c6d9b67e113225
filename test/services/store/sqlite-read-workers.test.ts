import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../../services/store/open-store';
import { SqliteReadPool } from '../../../services/store/sqlite-read-workers';

describe('SQLite reads on worker threads', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ia-read-workers-'));
    store = await openStore({ engine: 'sqlite', target: join(dir, 'store.sqlite') }, { readWorkers: 2 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const addDistrict = (name: string) => store.db.insertInto('local_authority').values({ code: '925', name: 'LA' }).onConflict((oc) => oc.doNothing()).execute().then(() =>
    store.db.insertInto('district').values({ name, la_code: '925' }).execute());

  it('a long read leaves the event loop free for other requests meanwhile', async () => {
    // Counting to two million in a recursive CTE: one long synchronous statement for better-sqlite3.
    const long = store.db
      .withRecursive('n(i)', (db) => db.selectNoFrom(sql<number>`1`.as('i')).unionAll(db.selectFrom('n').select(sql<number>`i + 1`.as('i')).where('i', '<', 500_000)))
      .selectFrom('n')
      .select(sql<number>`count(*)`.as('c'))
      .executeTakeFirstOrThrow();
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const row = await long;
    done = true;
    assert.equal(Number(row.c), 500_000);
    // On the main thread the statement would run to its end before a single turn of the loop.
    assert.ok(turns > 3, `the loop turned ${turns} times during the read`);
  });

  it('a read sees every write committed before it, and a transaction reads its own writes', async () => {
    await addDistrict('Boston');
    assert.deepEqual((await store.db.selectFrom('district').select('name').execute()).map((d) => d.name), ['Boston']);
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('district').values({ name: 'Lincoln', la_code: '925' }).execute();
      // Inside the transaction the uncommitted row is visible (the main connection reads it).
      assert.equal((await tx.selectFrom('district').select('name').execute()).length, 2);
    });
    assert.deepEqual((await store.db.selectFrom('district').select('name').orderBy('name').execute()).map((d) => d.name), ['Boston', 'Lincoln']);
  });

  it('a process whose only work is awaiting a read stays alive until the answer comes (the bot at start-up)', async () => {
    const script = join(dir, 'only-a-read.ts');
    const openStorePath = resolve(__dirname, '../../../services/store/open-store');
    writeFileSync(
      script,
      `import { openStore } from ${JSON.stringify(openStorePath)};
      (async () => {
        const store = await openStore({ engine: 'sqlite', target: ${JSON.stringify(join(dir, 'store.sqlite'))} }, { readWorkers: 1 });
        const rows = await store.db.selectFrom('district').selectAll().execute();
        process.stdout.write('read ' + rows.length + ' rows');
        await store.close();
      })();`,
    );
    const child = spawnSync(process.execPath, ['--no-deprecation', '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.stdout, 'read 0 rows', child.stderr);
  });

  it('starts a second worker only while the first is busy, and never more than its size', async () => {
    const pool = new SqliteReadPool(join(dir, 'store.sqlite'), 2);
    try {
      assert.equal(pool.running, 0);
      // One read at a time, however many: one worker.
      for (let i = 0; i < 3; i++) await pool.all('select 1 as one', []);
      assert.equal(pool.running, 1);
      // Three overlapping reads: a second worker, and no third.
      const rows = await Promise.all([1, 2, 3].map((n) => pool.all('select ? as n', [n])));
      assert.deepEqual(rows, [[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
      assert.equal(pool.running, 2);
    } finally {
      await pool.close();
    }
  });

  it('reports a failing read as an error and keeps serving', async () => {
    await assert.rejects(store.db.selectFrom('district').select(sql`no_such_column`.as('x')).execute(), /no_such_column/);
    assert.deepEqual(await store.db.selectFrom('district').selectAll().execute(), []);
  });
});
