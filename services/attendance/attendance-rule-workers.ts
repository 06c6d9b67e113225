import { fork } from 'node:child_process';
import { extname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { AttendanceAlert } from '../exclusions/alert-types';
import { chunk, IDS_PER_QUERY } from '../store/batches';
import type { Database } from '../store/database';
import type { AttendanceSettings } from './attendance-rules';
import { rollQuery } from './attendance-roll-scan';

/**
 * Evaluates the attendance rules for many schools (the whole county: 1.5 million week rows) off the
 * bot's process. Short-lived child processes, each for a range of pupil ids, open their own
 * read-only connection to the SQLite file (WAL lets them read beside the bot's connection), read
 * the roll and the week rows, evaluate, and send back only the alerts not stored yet; the bot then
 * stores them as before. Its event loop stays free, and all the memory the big read takes goes back
 * to the system when each process ends. (Worker threads were tried first: as fast, but the bot kept
 * about 20 MB of malloc arena per thread after they ended, 45 MB in all; child processes left
 * 6 MB. bench/results/memory.md.) An in-memory database cannot be read from another process:
 * attendance-alerts.ts keeps its own path for that (tests), and for PostgreSQL.
 */

/** What one worker process is asked to do (sent to it with the structured clone algorithm). */
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

// Compiled JavaScript under `npm start`; TypeScript under tsx (`npm run dev`, tests, benches),
// loaded through tsx's require hook. Nothing else of the bot's flags is passed on.
const ENTRY = join(__dirname, `attendance-rule-worker${extname(__filename)}`);

/** Splits [low, high] into `parts` ranges of ids, as equal as the numbers allow. */
function idRanges(low: number, high: number, parts: number): [number, number][] {
  const size = Math.ceil((high - low + 1) / parts);
  const ranges: [number, number][] = [];
  for (let from = low; from <= high; from += size) ranges.push([from, Math.min(from + size - 1, high)]);
  return ranges;
}

/**
 * A worker that has not answered by then is stopped and the run fails (the daily job is then
 * released and tried again): a whole county takes about a second of CPU, so this is only for a
 * worker that hangs, never one that is slow on a loaded machine.
 */
const WORKER_TIMEOUT_MS = 10 * 60_000;

function runChild(job: RuleWorkerJob): Promise<RuleWorkerFound> {
  const loader = ENTRY.endsWith('.ts') ? require.resolve('tsx/cjs') : undefined;
  const child = fork(ENTRY, [], { execArgv: loader ? ['--require', loader] : [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let timer: NodeJS.Timeout | undefined;
  return new Promise<RuleWorkerFound>((resolve, reject) => {
    child.once('message', (result: RuleWorkerResult) => ('error' in result ? reject(new Error(result.error)) : resolve(result)));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`attendance rule process stopped (exit ${code}) before it answered`)));
    timer = setTimeout(() => reject(new Error(`attendance rule process gave no answer in ${WORKER_TIMEOUT_MS / 60_000} minutes`)), WORKER_TIMEOUT_MS);
    child.send(job);
  }).finally(() => {
    clearTimeout(timer);
    child.kill();
  });
}

/** The alerts for the roll (every school, or `schoolUrns`) not stored yet, found by `workers` processes. */
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
      runChild({
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
