import { Worker } from 'node:worker_threads';
import {
  SelectQueryNode,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type SqliteDatabase,
  type TransactionSettings,
} from 'kysely';

/**
 * better-sqlite3 is synchronous: a county-wide read on the main thread stops every other request
 * (and /healthz) until it ends. This dialect sends plain SELECTs outside a transaction to worker
 * threads, each with its own read-only connection to the same file; writes, transactions and raw
 * statements stay on the main connection, as before. In WAL mode a worker's statement starts a
 * fresh read snapshot, so it sees every write the main thread has committed before it was sent.
 */

// CommonJS source for each worker, evaluated in the worker (no TypeScript loader needed there).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const cache = new Map();
parentPort.on('message', ({ id, sql, parameters, heapStatistics }) => {
  // A diagnostic (bench/memory.ts): this isolate's own heap, which the main thread cannot see.
  if (heapStatistics) return parentPort.postMessage({ id, heapStatistics: require('node:v8').getHeapStatistics() });
  try {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (cache.size >= 500) cache.delete(cache.keys().next().value);
      cache.set(sql, statement);
    }
    if (!statement.reader) throw new Error('a read worker only runs statements that return rows');
    parentPort.postMessage({ id, rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Pending {
  resolve: (rows: unknown[]) => void;
  reject: (error: Error) => void;
}

/**
 * Up to `size` worker threads reading one SQLite file; each query goes to the least busy one. A
 * worker is started only when every running one is busy, so a quiet bot holds one (about 8 MB
 * resident each: isolate, connection, page cache).
 */
export class SqliteReadPool {
  readonly #workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  #nextId = 1;
  #closed = false;

  constructor(
    readonly file: string,
    readonly size: number,
  ) {}

  #startOne() {
    const driverPath = require.resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driverPath } });
    const entry = { worker, pending: new Map<number, Pending>() };
    worker.on('message', (message: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
      const waiting = entry.pending.get(message.id);
      if (!waiting) return;
      entry.pending.delete(message.id);
      if (entry.pending.size === 0) worker.unref();
      if (message.error) waiting.reject(Object.assign(new Error(message.error.message), message.error.code ? { code: message.error.code } : {}));
      else waiting.resolve(message.rows ?? []);
    });
    const fail = (error: Error) => {
      for (const waiting of entry.pending.values()) waiting.reject(error);
      entry.pending.clear();
      const at = this.#workers.indexOf(entry);
      if (at >= 0) this.#workers.splice(at, 1);
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('SQLite read worker stopped')));
    // An idle worker must not keep a finished process (a script, a test) alive; a busy one must,
    // or a process whose only work is awaiting a read (start-up migrations) would exit mid-way.
    worker.unref();
    this.#workers.push(entry);
    return entry;
  }

  /** Runs one read statement off the main thread. */
  all(sqlText: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    let entry = this.#workers[0];
    for (const candidate of this.#workers) if (candidate.pending.size < entry!.pending.size) entry = candidate;
    if (!entry || (entry.pending.size > 0 && this.#workers.length < this.size)) entry = this.#startOne();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.worker.ref();
      entry.worker.postMessage({ id, sql: sqlText, parameters });
    });
  }

  /** Workers running now (for tests). */
  get running(): number {
    return this.#workers.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

class RoutingConnection implements DatabaseConnection {
  /** The main connection while this one holds a transaction. */
  main: DatabaseConnection | undefined;
  constructor(readonly driver: OffThreadReadDriver) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.main) return this.main.executeQuery<R>(compiled);
    if (SelectQueryNode.is(compiled.query)) {
      return { rows: (await this.driver.pool.all(compiled.sql, compiled.parameters)) as R[] };
    }
    return this.driver.onMain((c) => c.executeQuery<R>(compiled));
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const inner = this.driver.inner;
    const connection = this.main ?? (await inner.acquireConnection());
    try {
      yield* connection.streamQuery<R>(compiled, chunkSize);
    } finally {
      if (!this.main) await inner.releaseConnection(connection);
    }
  }
}

class OffThreadReadDriver implements Driver {
  constructor(
    readonly inner: Driver,
    readonly pool: SqliteReadPool,
  ) {}

  async init(): Promise<void> {
    await this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutingConnection(this);
  }

  /** One statement on the main connection, waiting for any open transaction to finish. */
  async onMain<T>(run: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    const connection = await this.inner.acquireConnection();
    try {
      return await run(connection);
    } finally {
      await this.inner.releaseConnection(connection);
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const routing = connection as RoutingConnection;
    routing.main = await this.inner.acquireConnection();
    try {
      await this.inner.beginTransaction(routing.main, settings);
    } catch (error) {
      await this.inner.releaseConnection(routing.main);
      routing.main = undefined;
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.commitTransaction((connection as RoutingConnection).main!);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.rollbackTransaction((connection as RoutingConnection).main!);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    await this.inner.savepoint!((connection as RoutingConnection).main!, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]): Promise<void> {
    await this.inner.rollbackToSavepoint!((connection as RoutingConnection).main!, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]): Promise<void> {
    await this.inner.releaseSavepoint!((connection as RoutingConnection).main!, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const routing = connection as RoutingConnection;
    if (routing.main) {
      const main = routing.main;
      routing.main = undefined;
      await this.inner.releaseConnection(main);
    }
  }

  async destroy(): Promise<void> {
    await this.pool.close();
    await this.inner.destroy();
  }
}

/** Kysely's SQLite dialect, with plain reads on `pool`'s worker threads. */
export class OffThreadReadSqliteDialect implements Dialect {
  readonly #main: SqliteDialect;
  constructor(
    database: SqliteDatabase,
    readonly pool: SqliteReadPool,
  ) {
    this.#main = new SqliteDialect({ database });
  }
  createDriver(): Driver {
    return new OffThreadReadDriver(this.#main.createDriver(), this.pool);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
