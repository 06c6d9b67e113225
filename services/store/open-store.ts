import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import type * as Pg from 'pg';
import type { Database } from './database';
import { parseDatabaseUrl, type Engine, type StoreLocation } from './engine';
import { initialMigration } from './migrations/0001-initial';
import { ladderFeedbackMigration } from './migrations/0002-ladder-feedback';
import { attendanceClusterMigration } from './migrations/0003-attendance-cluster';
import { alertsOutboxMigration } from './migrations/0004-alerts-outbox';
import { deliveryFencingMigration } from './migrations/0005-delivery-fencing';
import { alertCasesMigration } from './migrations/0006-alert-cases';
import { clusterNominationsMigration } from './migrations/0007-cluster-nominations';
import { ladderChecklistMigration } from './migrations/0009-ladder-checklist';
import { clusterExportLinksMigration } from './migrations/0008-cluster-export-links';
import { OffThreadReadSqliteDialect, SqliteReadPool } from './sqlite-read-workers';
import { exclusionCaseworkMigration } from './migrations/0010-exclusion-casework';
import { attendanceAlertsMigration } from './migrations/0011-attendance-alerts';
import { apPlacesMigration } from './migrations/0012-ap-places';
import { slackUserIdMigration } from './migrations/0013-slack-user-id';
import { deliveryChannelMigration } from './migrations/0014-delivery-channel';

export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  /** The embedded handle, for bulk paths that prepare one statement and run it many times. */
  sqlite?: SqliteDatabase.Database;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Versioned migrations, applied in name order. Add new ones; never edit an applied one. */
function migrationsFor(engine: Engine): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(engine),
    '0002-ladder-feedback': ladderFeedbackMigration(engine),
    '0003-attendance-cluster': attendanceClusterMigration(engine),
    '0004-alerts-outbox': alertsOutboxMigration(engine),
    '0005-delivery-fencing': deliveryFencingMigration(engine),
    '0006-alert-cases': alertCasesMigration(engine),
    '0007-cluster-nominations': clusterNominationsMigration(engine),
    '0009-ladder-checklist': ladderChecklistMigration(engine),
    '0008-cluster-export-links': clusterExportLinksMigration(engine),
    '0010-exclusion-casework': exclusionCaseworkMigration(engine),
    '0011-attendance-alerts': attendanceAlertsMigration(engine),
    '0012-ap-places': apPlacesMigration(engine),
    '0013-slack-user-id': slackUserIdMigration(engine),
    '0014-delivery-channel': deliveryChannelMigration(engine),
  };
}

/** pg is loaded for a PostgreSQL store only: a SQLite deployment need not hold its code (bench/memory.ts). */
function loadPg(): typeof Pg {
  const pg = require('pg') as typeof Pg;
  // COUNT(*) and BIGINT come back from pg as strings; our counts fit comfortably in a double.
  pg.types.setTypeParser(20, (value) => Number(value));
  return pg;
}

export interface OpenStoreOptions {
  migrate?: boolean;
  /**
   * SQLite file only: worker threads for plain reads, so a long query never blocks the event loop
   * (the bot uses them; scripts and tests, which serve nobody meanwhile, need not). Default 0.
   */
  readWorkers?: number;
}

export async function openStore(location: StoreLocation | string | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  const where = typeof location === 'object' ? location : parseDatabaseUrl(location);
  const store = where.engine === 'postgres' ? openPostgres(where.target) : openSqlite(where.target, options.readWorkers ?? 0);
  if (options.migrate !== false) {
    try {
      await migrate(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

function openSqlite(path: string, readWorkers: number): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new SqliteDatabase(path);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  // Statement journals (kept by many-row writes inside a transaction) stay in memory rather than in a
  // temporary file: a bulk import's upserts run about a third faster.
  handle.pragma('temp_store = MEMORY');
  const database = withStatementCache(handle);
  // An in-memory database exists only on this connection: no other thread can read it.
  const dialect = readWorkers > 0 && path !== ':memory:' ? new OffThreadReadSqliteDialect(database, new SqliteReadPool(path, readWorkers)) : new SqliteDialect({ database });
  const db = new Kysely<Database>({ dialect });
  let closed = false;
  return {
    db,
    engine: 'sqlite',
    sqlite: handle,
    async ping() {
      if (closed || !handle.open) throw new Error('store is closed');
      handle.prepare('select 1').get();
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function openPostgres(connectionString: string): Store {
  const pool = new (loadPg().Pool)({ connectionString, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    engine: 'postgres',
    async ping() {
      if (closed) throw new Error('store is closed');
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

export async function migrate(store: Store): Promise<void> {
  const migrations = migrationsFor(store.engine);
  // Kysely looks for its bookkeeping tables in every schema unless told which one; another schema
  // in the same database (a parallel test run) would then hide ours. Use the connection's own.
  const migrationTableSchema =
    store.engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema : undefined;
  // Numbers are reserved per feature (0002 ladder, 0003 cluster, 0004 alerts...) and land in any
  // order; a store that already ran 0003 must still accept 0002 when it arrives.
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh; the bot runs the same few dozen statements
 * over and over, so reuse prepared statements by SQL text (bench/http-turns.ts shows the gain).
 * Safe because better-sqlite3 runs a statement to completion synchronously; only an open
 * iterator (Kysely's .stream(), unused here) would hold one busy, and that case gets a fresh one.
 */
function withStatementCache(handle: SqliteDatabase.Database, limit = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => handle.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (statement && !statement.busy) return statement;
      statement = handle.prepare(sqlText);
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      cache.set(sqlText, statement);
      return statement;
    },
  };
}
