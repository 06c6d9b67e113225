import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Engine } from '../../services/store/engine';
import { openStore, type Store } from '../../services/store/open-store';

/**
 * Fresh, migrated stores for tests, on every engine the run can reach:
 * - SQLite, always: an in-memory database per store.
 * - PostgreSQL when TEST_DATABASE_URL is set: each store lives in its own new schema (the
 *   connection's search_path points at it), dropped again on close, so test files running side by
 *   side never see each other's rows. With REQUIRE_POSTGRES=1 and no TEST_DATABASE_URL the
 *   PostgreSQL suite fails instead of being skipped (CI must not pass by silently testing less).
 *
 * Usage:
 *   forEachEngine((getStore) => {
 *     it('does something', async () => { const store = getStore(); ... });
 *   });
 * or, to manage stores yourself: for (const engine of testEngines()) { const s = await engine.open(); ... }
 */

export interface TestEngine {
  name: Engine;
  /** A new empty store with all migrations applied. Close it when done (that drops a PG schema). */
  open(): Promise<Store>;
}

const POSTGRES_MISSING = 'REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: PostgreSQL tests must run here';

export function postgresRequired(): boolean {
  return process.env.REQUIRE_POSTGRES === '1';
}

export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'sqlite', open: () => openStore({ engine: 'sqlite', target: ':memory:' }) }];
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (url) engines.push({ name: 'postgres', open: () => openPostgresInFreshSchema(url) });
  else if (postgresRequired()) engines.push({ name: 'postgres', open: () => Promise.reject(new Error(POSTGRES_MISSING)) });
  return engines;
}

export interface EngineSuiteOptions {
  /** 'test' (default): a new store before each test. 'suite': one store for the whole describe block. */
  per?: 'test' | 'suite';
}

/**
 * Runs `body` once per engine inside `describe('<engine>')`, with a store opened before each test
 * (or once per suite) and closed after. `getStore()` returns the current one.
 */
export function forEachEngine(body: (getStore: () => Store, engine: Engine) => void, options: EngineSuiteOptions = {}): void {
  const engines = testEngines();
  if (!engines.some((e) => e.name === 'postgres')) {
    // Say so in the output: a reader should see that PostgreSQL was not covered by this run.
    describe('postgres', () => {
      it.skip('set TEST_DATABASE_URL to run these tests on PostgreSQL');
    });
  }
  for (const engine of engines) {
    describe(engine.name, () => {
      if (!process.env.TEST_DATABASE_URL?.trim() && engine.name === 'postgres' && postgresRequired()) {
        it('has a PostgreSQL database to test against', () => assert.fail(POSTGRES_MISSING));
        return;
      }
      let store: Store | undefined;
      const open = async () => {
        store = await engine.open();
      };
      const close = async () => {
        const s = store;
        store = undefined;
        await s?.close();
      };
      if (options.per === 'suite') {
        before(open);
        after(close);
      } else {
        beforeEach(open);
        afterEach(close);
      }
      body(() => {
        if (!store) throw new Error('no store open: call getStore() inside a test or hook');
        return store;
      }, engine.name);
    });
  }
}

/** Opens a store whose every table lives in a new schema; close() drops the schema. */
async function openPostgresInFreshSchema(baseUrl: string): Promise<Store> {
  const schema = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  // libpq-style startup option: every pooled connection starts with this search_path.
  url.searchParams.set('options', `-c search_path=${schema}`);
  let store: Store;
  try {
    store = await openStore({ engine: 'postgres', target: url.toString() });
  } catch (error) {
    await dropSchema(baseUrl, schema);
    throw error;
  }
  const close = store.close.bind(store);
  let closed = false;
  store.close = async () => {
    if (closed) return;
    closed = true;
    await close();
    await dropSchema(baseUrl, schema);
  };
  return store;
}

async function dropSchema(baseUrl: string, schema: string): Promise<void> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}
