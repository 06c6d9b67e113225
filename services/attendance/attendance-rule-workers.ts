import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { AttendanceAlert } from '../exclusions/alert-types';
import { chunk, IDS_PER_QUERY } from '../store/batches';
import type { Database } from '../store/database';
import type { AttendanceSettings } from './attendance-rules';
import { rollQuery } from './attendance-roll-scan';

/**
 * Evaluates the attendance rules for many schools (the whole county: 1.5 million week rows) off the
 * bot's thread. Short-lived worker threads, each for a range of pupil ids, open their own read-only
 * connection to the SQLite file (WAL lets them read beside the main connection), read the roll and
 * the week rows, evaluate, and post back only the alerts; the bot's thread then stores them as
 * before. Its event loop stays free, and the big reads' strings and page cache die with each thread.
 * An in-memory database cannot be read from another thread: attendance-alerts.ts keeps its own
 * path for that (tests), and for PostgreSQL.
 */

/** What one worker is asked to do (structured-cloned to it). */
export interface RuleWorkerJob {
  file: string;
  /** The roll query for this worker's ids, compiled by Kysely (one per part of a school list). */
  rollQueries: { sql: string; parameters: readonly unknown[] }[];
  packed: boolean;
  firstMonday: string;
  today: string;
  academicYear: string;
  settings: AttendanceSettings;
  links: [number, number[]][];
  /** Distinct school-day lists, and which list each school uses. */
  dayLists: string[][];
  dayListOf: [number, number][];
}

/** The alerts not stored yet, how many were found in all, and the pupils evaluated. */
interface RuleWorkerFound {
  alerts: AttendanceAlert[];
  found: number;
  evaluatedPupils: number;
}

export type RuleWorkerResult = RuleWorkerFound | { error: string };

export interface WorkerRunOptions {
  sqlite: BetterSqlite3.Database;
  db: Kysely<Database>;
  schoolUrns?: readonly number[];
  workers: number;
  firstMonday: string;
  today: string;
  academicYear: string;
  settings: AttendanceSettings;
  links: ReadonlyMap<number, number[]>;
  schoolDays: (urn: number) => string[];
}

// Started as plain CommonJS, which then loads the worker module: compiled JavaScript under
// `npm start`, TypeScript under tsx (`npm run dev`, tests, benches) through tsx's require hook.
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.loader) require(workerData.loader);
require(workerData.entry);
`;
const ENTRY = join(__dirname, `attendance-rule-worker${extname(__filename)}`);

/** Splits [low, high] into `parts` ranges of ids, as equal as the numbers allow. */
function idRanges(low: number, high: number, parts: number): [number, number][] {
  const size = Math.ceil((high - low + 1) / parts);
  const ranges: [number, number][] = [];
  for (let from = low; from <= high; from += size) ranges.push([from, Math.min(from + size - 1, high)]);
  return ranges;
}

function runWorker(job: RuleWorkerJob): Promise<RuleWorkerFound> {
  const loader = ENTRY.endsWith('.ts') ? require.resolve('tsx/cjs') : undefined;
  const worker = new Worker(BOOT, { eval: true, workerData: { entry: ENTRY, loader, job } });
  return new Promise<RuleWorkerFound>((resolve, reject) => {
    worker.once('message', (result: RuleWorkerResult) => ('error' in result ? reject(new Error(result.error)) : resolve(result)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`attendance rule worker stopped (exit ${code}) before it answered`)));
  }).finally(() => void worker.terminate());
}

/** The alerts for the roll (every school, or `schoolUrns`) not stored yet, found by `workers` threads. */
export async function evaluateInWorkers(options: WorkerRunOptions): Promise<RuleWorkerFound> {
  const { db, schoolUrns } = options;
  const bounds = await db.selectFrom('pupil').select([db.fn.min('id').as('low'), db.fn.max('id').as('high')]).executeTakeFirst();
  if (!bounds || bounds.low === null || bounds.high === null) return { alerts: [], found: 0, evaluatedPupils: 0 };
  // Every school a pupil can be on roll at: their day lists go to the workers (the calendar stays here).
  const dayLists: string[][] = [];
  const listIndex = new Map<string[], number>();
  const dayListOf: [number, number][] = [];
  const urns = schoolUrns ?? (await db.selectFrom('enrolment').select('school_urn').distinct().execute()).map((r) => r.school_urn);
  for (const urn of urns) {
    const days = options.schoolDays(urn);
    let at = listIndex.get(days);
    if (at === undefined) listIndex.set(days, (at = dayLists.push(days) - 1));
    dayListOf.push([urn, at]);
  }
  const common = {
    file: options.sqlite.name,
    packed: !schoolUrns,
    firstMonday: options.firstMonday,
    today: options.today,
    academicYear: options.academicYear,
    settings: options.settings,
    links: [...options.links],
    dayLists,
    dayListOf,
  };
  const parts = idRanges(Number(bounds.low), Number(bounds.high), Math.max(1, options.workers));
  const results = await Promise.all(
    parts.map((range) =>
      runWorker({
        ...common,
        rollQueries: (schoolUrns ? chunk(schoolUrns, IDS_PER_QUERY) : [undefined]).map((part) => {
          const compiled = rollQuery(db, options.today, part, range).compile();
          return { sql: compiled.sql, parameters: compiled.parameters };
        }),
      }),
    ),
  );
  // In id order, as the bot's thread would find them.
  const total = (key: 'found' | 'evaluatedPupils') => results.reduce((n, r) => n + r[key], 0);
  return { alerts: results.flatMap((r) => r.alerts), found: total('found'), evaluatedPupils: total('evaluatedPupils') };
}
