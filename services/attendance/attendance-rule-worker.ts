import Database from 'better-sqlite3';
import type { AttendanceAlert } from '../exclusions/alert-types';
import { chunk, IDS_PER_QUERY } from '../store/batches';
import { addToRoll, evaluateRollOnSqlite, RollEvaluator, type Roll, type RollRow } from './attendance-roll-scan';
import type { RuleWorkerJob, RuleWorkerResult } from './attendance-rule-workers';

/**
 * Runs in a child process started by attendance-rule-workers.ts: reads its part of the roll and
 * those pupils' week rows on its own read-only connection, evaluates them, and sends back only the
 * alerts not stored yet (with the count found). The process then exits, and every byte it used
 * goes back to the system.
 */

/**
 * The alerts whose dedupe key is not stored yet. storeAlerts skips known keys too; doing it here
 * spares the bot's thread the copy of the 13,000 alerts a daily re-run finds again.
 */
function notStored(sqlite: Database.Database, alerts: AttendanceAlert[]): AttendanceAlert[] {
  const known = new Set<string>();
  const statements = new Map<number, Database.Statement>();
  for (const part of chunk(
    alerts.map((a) => a.dedupeKey),
    IDS_PER_QUERY,
  )) {
    let statement = statements.get(part.length);
    if (!statement) statements.set(part.length, (statement = sqlite.prepare(`select dedupe_key from exclusion_alert where dedupe_key in (${part.map(() => '?').join(', ')})`).pluck()));
    for (const key of statement.all(...part) as string[]) known.add(key);
  }
  return alerts.filter((a) => !known.has(a.dedupeKey));
}

function run(job: RuleWorkerJob): RuleWorkerResult {
  const sqlite = new Database(job.file, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const roll: Roll = new Map();
    for (const query of job.rollQueries) addToRoll(roll, sqlite.prepare(query.sql).all(...query.parameters) as RollRow[]);
    const listOf = new Map(job.dayListOf);
    const evaluator = new RollEvaluator({
      roll,
      links: new Map(job.links),
      schoolDays: (urn) => {
        const list = listOf.get(urn);
        // Only a school enrolled since the run started can be missing: the next run has it.
        if (list === undefined) throw new Error(`attendance rules: no school days were given for school ${urn}`);
        return job.dayLists[list]!;
      },
      academicYear: job.academicYear,
      settings: job.settings,
    });
    // No turns to give here: this thread serves nobody else.
    const steps = evaluateRollOnSqlite(sqlite, evaluator, job, job.packed);
    while (!steps.next().done);
    return { alerts: notStored(sqlite, evaluator.alerts), found: evaluator.alerts.length, evaluatedPupils: roll.size };
  } finally {
    sqlite.close();
  }
}

function answer(job: RuleWorkerJob): RuleWorkerResult {
  try {
    return run(job);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

// One job, as the process's one message; the process ends once the answer is sent.
process.once('message', (job: RuleWorkerJob) => process.send!(answer(job), () => process.exit(0)));
