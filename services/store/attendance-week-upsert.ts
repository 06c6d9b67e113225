import type BetterSqlite3 from 'better-sqlite3';

/**
 * The one raw better-sqlite3 path inside a Kysely transaction: the attendance import's week-row
 * upsert on SQLite (SQLite has one connection, so these statements are part of the import's
 * transaction). Kept because a bench shows the need: bench/attendance-import.ts (20,000 pupils x
 * 25 days, 1,000,000 marks, 3 rounds twice, run alternately with the Kysely path on 2026-11-30)
 * took a median 0.68 CPU s here against 1.07 CPU s through the importer's Kysely path (1.6x), on an
 * import whose budget is 500,000 marks/s (918,000 recorded).
 *
 * Week rows go in many-row upserts, with no read first. A conflict merges the incoming week into
 * the stored marks inside SQLite through a small registered function, which also corrects the
 * counts and notes weeks that did not change.
 */

/** Incoming week rows, entries [from, to) of parallel arrays (the importer's IncomingWeeks). */
export interface IncomingWeekRows {
  readonly pupil: ArrayLike<number>;
  readonly urn: ArrayLike<number>;
  readonly week: readonly string[];
  /** The ten session marks of entry i, `noMark` where the file gave none. */
  marksOf(i: number): string;
  /** How many of entry i's marks were given. */
  markCount(i: number): number;
}

export interface MarkTally {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface AttendanceWeekUpsert {
  /**
   * Upserts entries [from, to), tallying every given mark into `tally`. For each week row that
   * changed, `isNewlyStale(pupil, school)` says whether the pair still needs an
   * attendance_summary_stale row (then one is inserted). Returns the week rows written.
   */
  upsert(weeks: IncomingWeekRows, from: number, to: number, tally: MarkTally, isNewlyStale: (pupil: number, school: number) => boolean): number;
}

/** Rows per many-row upsert (4 parameters each): fewer statements, well under SQLite's parameter limit. */
const WEEKS_PER_STATEMENT = 50;

/** Stale (pupil, school) pairs per insert statement. */
const STALE_ROWS = 50;

interface MergeState {
  tally: MarkTally;
  /** Weeks merged without any change in the statement just run, as "pupil|school|week". */
  unchanged: Set<string>;
}

/** Prepares the statements once per import (on the import transaction's raw handle). */
export function attendanceWeekUpsertOnRawSqlite(sqlite: BetterSqlite3.Database, noMark: string): AttendanceWeekUpsert {
  const state: MergeState = { tally: { inserted: 0, updated: 0, unchanged: 0 }, unchanged: new Set() };
  sqlite.function('ia_merge_marks', { deterministic: true }, (stored: unknown, incoming: unknown, pupil: unknown, school: unknown, week: unknown) =>
    mergeMarks(state, noMark, String(stored), String(incoming), `${pupil}|${school}|${week}`),
  );
  const upsertSql = (rows: number) =>
    `insert into attendance_week (pupil_id, school_urn, week_start, marks) values ${new Array(rows).fill('(?, ?, ?, ?)').join(', ')} ` +
    'on conflict (pupil_id, school_urn, week_start) do update set marks = ia_merge_marks(marks, excluded.marks, excluded.pupil_id, excluded.school_urn, excluded.week_start)';
  const upsertMany = sqlite.prepare(upsertSql(WEEKS_PER_STATEMENT));
  const upsertOne = sqlite.prepare(upsertSql(1));
  const stale = sqlite.prepare(`insert into attendance_summary_stale (pupil_id, school_urn) values ${new Array(STALE_ROWS).fill('(?, ?)').join(', ')} on conflict do nothing`);

  return {
    upsert(weeks, from, to, tally, isNewlyStale) {
      state.tally = tally;
      const newStale: number[] = [];
      let written = 0;
      // Weeks waiting for the next statement: four parameters each.
      const params: (number | string)[] = [];

      const flush = () => {
        const rows = params.length / 4;
        if (rows === 0) return;
        state.unchanged.clear();
        if (rows === WEEKS_PER_STATEMENT) upsertMany.run(params);
        else for (let r = 0; r < rows; r++) upsertOne.run(params.slice(r * 4, r * 4 + 4));
        for (let r = 0; r < rows; r++) {
          const pupil = params[r * 4] as number;
          const school = params[r * 4 + 1] as number;
          if (state.unchanged.size > 0 && state.unchanged.has(`${pupil}|${school}|${params[r * 4 + 2]}`)) continue;
          written++;
          if (isNewlyStale(pupil, school)) newStale.push(pupil, school);
        }
        params.length = 0;
      };

      for (let i = from; i < to; i++) {
        tally.inserted += weeks.markCount(i);
        params.push(weeks.pupil[i]!, weeks.urn[i]!, weeks.week[i]!, weeks.marksOf(i));
        if (params.length === WEEKS_PER_STATEMENT * 4) flush();
      }
      flush();
      // Stale pairs go in a few many-row statements rather than one statement each.
      for (let at = 0; at < newStale.length; at += STALE_ROWS * 2) {
        const part = newStale.slice(at, at + STALE_ROWS * 2);
        // Pad a short last part by repeating its first pair (on conflict do nothing makes that harmless).
        while (part.length < STALE_ROWS * 2) part.push(part[0]!, part[1]!);
        stale.run(...part);
      }
      return written;
    },
  };
}

/**
 * Merges incoming marks into stored ones. Every incoming mark was first counted as inserted (as for
 * a new week row); here the ones that met a stored mark are moved to unchanged or updated.
 */
function mergeMarks(state: MergeState, noMark: string, stored: string, incoming: string, weekKey: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < incoming.length; i++) {
    const c = incoming[i]!;
    const old = stored[i] ?? noMark;
    if (c === noMark) out += old;
    else {
      out += c;
      if (c === old) {
        state.tally.inserted--;
        state.tally.unchanged++;
      } else {
        changed = true;
        if (old !== noMark) {
          state.tally.inserted--;
          state.tally.updated++;
        }
      }
    }
  }
  if (!changed) state.unchanged.add(weekKey);
  return changed ? out : stored;
}
