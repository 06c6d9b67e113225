import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { isoWeekday, mondayOf } from '../calendar/dates';
import { CalendarError, loadCalendar, type SchoolCalendar } from '../calendar/school-calendar';
import { upnProblem } from '../domain/upn';
import { clip, date as dateField, schoolUrn as urnField, type RowView } from '../importers/fields';
import { ImportSetupError, type ImportCounts, type Importer, type ImportTx } from '../importers/importer';
import type { Database } from '../store/database';
import { ATTENDANCE_CODES, EMPTY_WEEK, NO_MARK } from './attendance-codes';

/**
 * `attendance`: school_urn,upn,date,am,pm — one row per pupil, school and school day, with the
 * DfE 2024 register code of each session (an empty am or pm leaves that session as it is).
 *
 * Marks are merged into the week rows of attendance_week (ten sessions, Monday am..Friday pm), so
 * re-importing a file changes nothing and a later file can correct single sessions. Every row is
 * checked first (unknown code, bad UPN, unknown school, pupil not on roll that day, not a school
 * day, the same session twice); a file with any problem changes nothing (see importer.ts).
 * The (pupil, school) pairs whose marks changed are marked stale for the attendance summaries.
 * Problems never echo a UPN.
 */

export interface AttendanceRecord {
  pupilId: number;
  schoolUrn: number;
  weekStart: string;
  /** 0 = Monday .. 4 = Friday. */
  day: number;
  /** Stored mark characters, or null to leave the session as it is. */
  am: string | null;
  pm: string | null;
}

interface DayInfo {
  iso: string;
  weekStart: string;
  day: number;
  /** Null when it is an authority-wide school day, else why not. */
  notSchoolDay: string | null;
  /** 0, 1, 2... in the order dates first appear in the file: an index into SeenDays.lines. */
  slot: number;
}

/** Lines already seen for one pupil, by date slot: at the pupil's first school, and any others (dual registration). */
interface SeenDays {
  urn: number;
  lines: number[];
  other?: Map<number, number[]>;
}

interface Enrol {
  urn: number;
  start: string;
  end: string | null;
}

export interface AttendanceContext {
  calendar: SchoolCalendar;
  schoolIndex: Map<number, number>;
  schoolsWithClosures: Set<number>;
  pupils: Map<string, number>;
  enrolments: Map<number, Enrol[]>;
  /** The previous good row's look-ups. */
  last: { rawUrn: string; urn: number | undefined; rawUpn: string; pupilId: number | undefined; enrolPupil: number; enrolments: Enrol[] | undefined };
  /** Raw URN text -> URN, for URNs already checked. */
  urns: Map<string, number>;
  days: Map<string, DayInfo>;
  /** ISO date -> slot (the same date written two ways shares a slot). */
  slots: Map<string, number>;
  /** Duplicate detection on the check pass: pupil -> lines by date slot. */
  seen: Map<number, SeenDays>;
  lastLine: number;
  /** True once lines start again from the top: the runner's write pass. */
  writing: boolean;
  /** (pupil, school) pairs already marked stale in this import. */
  stale: Set<number>;
  /** Scratch space for one week's incoming marks. */
  weekChars: string[];
  statements?: { state: MergeState; upsertMany: BetterSqlite3.Statement; upsertOne: BetterSqlite3.Statement; stale: BetterSqlite3.Statement };
}

/** Codes as written in a register export, upper-cased -> the stored character. */
const CODE_CHARS: ReadonlyMap<string, string> = new Map(ATTENDANCE_CODES.map((c) => [c.code, c.char]));

/** One-character codes by character code (lower case folded up), for the hot path. */
const SINGLE_CHAR_CODES: (string | undefined)[] = [];
for (const [code, char] of CODE_CHARS) {
  if (code.length !== 1) continue;
  SINGLE_CHAR_CODES[code.charCodeAt(0)] = char;
  SINGLE_CHAR_CODES[code.toLowerCase().charCodeAt(0)] ??= char;
}
for (let i = 0; i < 128; i++) SINGLE_CHAR_CODES[i] ??= undefined;

/** Codes withdrawn in 2024 (SI 2024/208), with what replaced them, for a helpful message. */
export const RETIRED_CODES: ReadonlyMap<string, string> = new Map([
  ['H', 'H (agreed holiday) was withdrawn in 2024: use C for leave in exceptional circumstances, or G'],
  ['F', 'F (extended family holiday) is no longer a register code: use G'],
  ['J', 'J was replaced by J1 (interview) in 2024'],
  ['Y', 'Y was split into Y1 to Y7 in 2024'],
]);

/** Stale (pupil, school) pairs per insert statement. */
const STALE_ROWS = 50;

/** Returned for good rows on the check pass, which keeps no records (see parse). */
const CHECKED: AttendanceRecord = Object.freeze({ pupilId: 0, schoolUrn: 0, weekStart: '', day: 0, am: null, pm: null });

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function createAttendanceImporter(calendarProvider: () => SchoolCalendar): Importer<AttendanceRecord, AttendanceContext> {
  return {
    kind: 'attendance',
    description: 'school_urn,upn,date,am,pm (DfE 2024 register codes; one row per pupil per school day)',
    columns: [
      { name: 'school_urn', required: true },
      { name: 'upn', required: true },
      { name: 'date', required: true },
      { name: 'am', required: true },
      { name: 'pm', required: true },
    ],

    async prepare(db) {
      let calendar: SchoolCalendar;
      try {
        calendar = calendarProvider();
      } catch (error) {
        if (error instanceof CalendarError) throw new ImportSetupError(`the school calendar cannot be loaded: ${error.message}`);
        throw error;
      }
      const schools = await db.selectFrom('school').select('urn').orderBy('urn').execute();
      const schoolIndex = new Map(schools.map((s, i) => [s.urn, i]));
      const schoolsWithClosures = new Set<number>();
      const first = calendar.firstDay();
      const last = calendar.lastDay();
      const authorityDays = calendar.schoolDaysBetween(first, last);
      for (const { urn } of schools) if (calendar.schoolDaysBetween(first, last, urn) !== authorityDays) schoolsWithClosures.add(urn);
      return {
        calendar,
        schoolIndex,
        schoolsWithClosures,
        pupils: await loadPupils(db),
        enrolments: await loadEnrolments(db),
        last: { rawUrn: '', urn: undefined, rawUpn: '', pupilId: undefined, enrolPupil: -1, enrolments: undefined },
        urns: new Map(),
        days: new Map(),
        slots: new Map(),
        seen: new Map(),
        lastLine: 0,
        writing: false,
        weekChars: new Array<string>(10).fill(NO_MARK),
        stale: new Set(),
      };
    },

    parse(row: RowView, ctx: AttendanceContext): AttendanceRecord | undefined {
      // Hot path (millions of rows): cached look-ups keyed by the raw text; the checks with
      // messages run only when a look-up misses.
      const rawUrn = row.get('school_urn');
      // Files list a school's or a pupil's rows together: the previous row's answer usually holds.
      let urn = rawUrn === ctx.last.rawUrn ? ctx.last.urn : ctx.urns.get(rawUrn);
      if (urn === undefined) {
        urn = urnField(row, 'school_urn');
        if (urn !== undefined) {
          if (ctx.schoolIndex.has(urn)) ctx.urns.set(rawUrn, urn);
          else {
            row.fail('school_urn', `school ${urn} is not known: import it first (npm run import -- schools <file>)`);
            urn = undefined;
          }
        }
      }

      const rawUpn = row.get('upn');
      let pupilId = rawUpn === ctx.last.rawUpn ? ctx.last.pupilId : ctx.pupils.get(rawUpn);
      if (pupilId === undefined) {
        const upn = rawUpn.toUpperCase();
        pupilId = ctx.pupils.get(upn);
        if (pupilId === undefined) {
          if (upn === '') row.fail('upn', 'is empty');
          else {
            const problem = upnProblem(upn);
            if (problem) row.fail('upn', `is not a valid UPN (${problem === 'check letter' ? 'the check letter does not match' : problem === 'length' ? 'a UPN has 13 characters' : 'a letter then 11 digits then a digit or letter'})`);
            else row.fail('upn', 'no pupil with this UPN is known: import pupils first (npm run import -- pupils <file>)');
          }
        }
      }

      const day = dayOf(row, ctx);
      const am = markOf(row, 'am');
      const pm = markOf(row, 'pm');
      if (am === null && pm === null) row.fail('am', 'am and pm are both empty: give at least one register code');

      if (day !== undefined && urn !== undefined) {
        if (day.notSchoolDay) row.fail('date', day.notSchoolDay);
        else if (ctx.schoolsWithClosures.has(urn) && !ctx.calendar.isSchoolDay(day.iso, urn)) row.fail('date', `${day.iso} is a closure day for school ${urn}, not a school day`);
        else if (pupilId !== undefined && !onRoll(enrolmentsOf(ctx, pupilId), urn, day.iso))
          row.fail('upn', `the pupil is not on roll at school ${urn} on ${day.iso}`);
      }
      if (row.failed || pupilId === undefined || day === undefined || urn === undefined) return undefined;
      ctx.last.rawUrn = rawUrn;
      ctx.last.urn = urn;
      ctx.last.rawUpn = rawUpn;
      ctx.last.pupilId = pupilId;

      // The same session twice would make the result depend on row order. The write pass re-reads
      // the file (lines start again from the top) and needs no second check.
      if (row.line <= ctx.lastLine) ctx.writing = true;
      ctx.lastLine = row.line;
      if (!ctx.writing) {
        const lines = seenLines(ctx, pupilId, urn);
        const first = lines[day.slot];
        if (first === undefined) lines[day.slot] = row.line;
        else return row.fail('date', `this pupil, school and date are already on line ${first}`);
        // The check pass only needs to know the row is good: no record object per row.
        return CHECKED;
      }

      return { pupilId, schoolUrn: urn, weekStart: day.weekStart, day: day.day, am: am ?? null, pm: pm ?? null };
    },

    batchSize: (engine) => (engine === 'sqlite' ? 5000 : 2000),

    async write(tx, batch, ctx, counts) {
      if (tx.engine === 'sqlite' && tx.sqlite) writeSqlite(tx.sqlite, batch, ctx, counts);
      else await writeKysely(tx, batch, ctx, counts);
    },
  };
}

/** The importer the registry offers: the calendar comes from CALENDAR_FILE (or the sample). */
export const attendanceImporter = createAttendanceImporter(() => loadCalendar(process.env.CALENDAR_FILE?.trim() || undefined));

async function loadPupils(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('pupil').select(['id', 'upn']).execute();
  return new Map(rows.map((r) => [r.upn.toUpperCase(), r.id]));
}

async function loadEnrolments(db: Kysely<Database>): Promise<Map<number, Enrol[]>> {
  const rows = await db.selectFrom('enrolment').select(['pupil_id', 'school_urn', 'start_date', 'end_date']).execute();
  const map = new Map<number, Enrol[]>();
  for (const r of rows) {
    const list = map.get(r.pupil_id);
    const e = { urn: r.school_urn, start: r.start_date, end: r.end_date };
    if (list) list.push(e);
    else map.set(r.pupil_id, [e]);
  }
  return map;
}

function slotOf(ctx: AttendanceContext, iso: string): number {
  let slot = ctx.slots.get(iso);
  if (slot === undefined) {
    slot = ctx.slots.size;
    ctx.slots.set(iso, slot);
  }
  return slot;
}

function seenLines(ctx: AttendanceContext, pupilId: number, urn: number): number[] {
  const seen = ctx.seen.get(pupilId);
  if (seen === undefined) {
    const lines: number[] = [];
    ctx.seen.set(pupilId, { urn, lines });
    return lines;
  }
  if (seen.urn === urn) return seen.lines;
  seen.other ??= new Map();
  let lines = seen.other.get(urn);
  if (lines === undefined) {
    lines = [];
    seen.other.set(urn, lines);
  }
  return lines;
}

function enrolmentsOf(ctx: AttendanceContext, pupilId: number): Enrol[] | undefined {
  if (pupilId !== ctx.last.enrolPupil) {
    ctx.last.enrolPupil = pupilId;
    ctx.last.enrolments = ctx.enrolments.get(pupilId);
  }
  return ctx.last.enrolments;
}

function onRoll(enrolments: Enrol[] | undefined, urn: number, iso: string): boolean {
  if (!enrolments) return false;
  for (const e of enrolments) if (e.urn === urn && e.start <= iso && (e.end === null || e.end >= iso)) return true;
  return false;
}

/** The date column, parsed and classified once per distinct spelling (a file has a few hundred dates). */
function dayOf(row: RowView, ctx: AttendanceContext): DayInfo | undefined {
  const raw = row.get('date');
  const cached = ctx.days.get(raw);
  if (cached) return cached;
  const iso = dateField(row, 'date');
  if (iso === undefined) return undefined;
  const weekday = isoWeekday(iso);
  let notSchoolDay: string | null = null;
  if (weekday >= 6) notSchoolDay = `${iso} is a ${WEEKDAY_NAMES[weekday]}, not a school day`;
  else {
    try {
      if (!ctx.calendar.isSchoolDay(iso)) {
        notSchoolDay = ctx.calendar.termOf(iso)
          ? `${iso} is not a school day (a half term, bank holiday or INSET day in the school calendar)`
          : `${iso} is in the school holidays, not a school day`;
      }
    } catch (error) {
      if (!(error instanceof CalendarError)) throw error;
      notSchoolDay = `${iso} is outside the school calendar: load a calendar that covers it (CALENDAR_FILE)`;
    }
  }
  const info: DayInfo = {
    iso,
    weekStart: mondayOf(iso),
    day: Math.min(weekday, 5) - 1,
    notSchoolDay,
    slot: slotOf(ctx, iso),
  };
  ctx.days.set(raw, info);
  return info;
}

/** A session's code -> stored character; null when empty; undefined after reporting a problem. */
function markOf(row: RowView, column: 'am' | 'pm'): string | null | undefined {
  const raw = row.get(column);
  if (raw === '') return null;
  const char = raw.length === 1 ? SINGLE_CHAR_CODES[raw.charCodeAt(0)] : (CODE_CHARS.get(raw) ?? CODE_CHARS.get(raw.toUpperCase()));
  if (char !== undefined) return char;
  const retired = RETIRED_CODES.get(raw.toUpperCase());
  if (retired) return row.fail(column, retired);
  return row.fail(column, `"${clip(raw, 10)}" is not a DfE 2024 register code`);
}

/** Applies one record's sessions to a week's marks and counts what changed; returns the new marks. */
function overlay(marks: string, record: AttendanceRecord, counts: ImportCounts): string {
  const at = record.day * 2;
  const am = record.am ?? marks[at]!;
  const pm = record.pm ?? marks[at + 1]!;
  if (record.am !== null) tallyMark(marks[at]!, am, counts);
  if (record.pm !== null) tallyMark(marks[at + 1]!, pm, counts);
  if (am === marks[at] && pm === marks[at + 1]) return marks;
  return marks.slice(0, at) + am + pm + marks.slice(at + 2);
}

function tallyMark(before: string, after: string, counts: ImportCounts): void {
  if (before === after) counts.unchanged++;
  else if (before === NO_MARK) counts.inserted++;
  else counts.updated++;
}

function pairKey(ctx: AttendanceContext, pupilId: number, urn: number): number {
  return pupilId * ctx.schoolIndex.size + ctx.schoolIndex.get(urn)!;
}

/**
 * SQLite: week rows go in many-row upserts, with no read first. Records of the same week usually
 * arrive together (files list a pupil's days in order), so they are gathered into one "incoming"
 * week where '.' means "leave as is"; a conflict merges it into the stored marks inside SQLite
 * through a small registered function, which also corrects the counts and notes weeks that did not
 * change. A week met again later in an unordered file simply merges a second time.
 */
interface MergeState {
  counts: ImportCounts;
  /** Weeks merged without any change in the statement just run, as "pupil|school|week". */
  unchanged: Set<string>;
}

/** Rows per many-row upsert (4 parameters each): fewer statements, well under SQLite's parameter limit. */
const WEEKS_PER_STATEMENT = 50;

/**
 * Merges incoming marks into stored ones. Every incoming mark was first counted as inserted (as for
 * a new week row); here the ones that met a stored mark are moved to unchanged or updated.
 */
function mergeMarks(state: MergeState, stored: string, incoming: string, weekKey: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < incoming.length; i++) {
    const c = incoming[i]!;
    const old = stored[i] ?? NO_MARK;
    if (c === NO_MARK) out += old;
    else {
      out += c;
      if (c === old) {
        state.counts.inserted--;
        state.counts.unchanged++;
      } else {
        changed = true;
        if (old !== NO_MARK) {
          state.counts.inserted--;
          state.counts.updated++;
        }
      }
    }
  }
  if (!changed) state.unchanged.add(weekKey);
  return changed ? out : stored;
}

function writeSqlite(sqlite: BetterSqlite3.Database, batch: AttendanceRecord[], ctx: AttendanceContext, counts: ImportCounts): void {
  if (!ctx.statements) {
    const state: MergeState = { counts, unchanged: new Set() };
    sqlite.function('ia_merge_marks', { deterministic: true }, (stored: unknown, incoming: unknown, pupil: unknown, school: unknown, week: unknown) =>
      mergeMarks(state, String(stored), String(incoming), `${pupil}|${school}|${week}`),
    );
    const upsertSql = (rows: number) =>
      `insert into attendance_week (pupil_id, school_urn, week_start, marks) values ${new Array(rows).fill('(?, ?, ?, ?)').join(', ')} ` +
      'on conflict (pupil_id, school_urn, week_start) do update set marks = ia_merge_marks(marks, excluded.marks, excluded.pupil_id, excluded.school_urn, excluded.week_start)';
    ctx.statements = {
      state,
      upsertMany: sqlite.prepare(upsertSql(WEEKS_PER_STATEMENT)),
      upsertOne: sqlite.prepare(upsertSql(1)),
      stale: sqlite.prepare(`insert into attendance_summary_stale (pupil_id, school_urn) values ${new Array(STALE_ROWS).fill('(?, ?)').join(', ')} on conflict do nothing`),
    };
  }
  const { state, upsertMany, upsertOne, stale } = ctx.statements;
  state.counts = counts;
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
      const key = pairKey(ctx, pupil, school);
      if (!ctx.stale.has(key)) {
        ctx.stale.add(key);
        newStale.push(pupil, school);
      }
    }
    params.length = 0;
  };

  let i = 0;
  const chars = ctx.weekChars;
  while (i < batch.length) {
    const first = batch[i]!;
    chars.fill(NO_MARK);
    while (i < batch.length) {
      const r = batch[i]!;
      if (r.pupilId !== first.pupilId || r.schoolUrn !== first.schoolUrn || r.weekStart !== first.weekStart) break;
      const at = r.day * 2;
      if (r.am !== null) {
        chars[at] = r.am;
        counts.inserted++;
      }
      if (r.pm !== null) {
        chars[at + 1] = r.pm;
        counts.inserted++;
      }
      i++;
    }
    params.push(first.pupilId, first.schoolUrn, first.weekStart, chars.join(''));
    if (params.length === WEEKS_PER_STATEMENT * 4) flush();
  }
  flush();
  // Stale pairs go in a few many-row statements per batch rather than one statement each.
  for (let at = 0; at < newStale.length; at += STALE_ROWS * 2) {
    const chunk = newStale.slice(at, at + STALE_ROWS * 2);
    // Pad a short last chunk by repeating its first pair (on conflict do nothing makes that harmless).
    while (chunk.length < STALE_ROWS * 2) chunk.push(chunk[0]!, chunk[1]!);
    stale.run(...chunk);
  }
  if (written) counts.other['week rows written'] = (counts.other['week rows written'] ?? 0) + written;
}

/** PostgreSQL (and SQLite without a raw handle): one read and one upsert per batch. */
async function writeKysely(tx: ImportTx, batch: AttendanceRecord[], ctx: AttendanceContext, counts: ImportCounts): Promise<void> {
  const weekKey = (p: number, u: number, w: string) => `${p}|${u}|${w}`;
  const pupilIds = [...new Set(batch.map((r) => r.pupilId))];
  const weeks = [...new Set(batch.map((r) => r.weekStart))];
  const existing = new Map<string, string>();
  const rows = await tx.db
    .selectFrom('attendance_week')
    .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
    .where('pupil_id', 'in', pupilIds)
    .where('week_start', 'in', weeks)
    .execute();
  for (const r of rows) existing.set(weekKey(r.pupil_id, r.school_urn, r.week_start), r.marks);

  const merged = new Map<string, { pupil_id: number; school_urn: number; week_start: string; marks: string }>();
  for (const r of batch) {
    const key = weekKey(r.pupilId, r.schoolUrn, r.weekStart);
    const current = merged.get(key);
    const marks = overlay(current?.marks ?? existing.get(key) ?? EMPTY_WEEK, r, counts);
    if (current) current.marks = marks;
    else merged.set(key, { pupil_id: r.pupilId, school_urn: r.schoolUrn, week_start: r.weekStart, marks });
  }
  const changed = [];
  const stalePairs: { pupil_id: number; school_urn: number }[] = [];
  for (const [key, row] of merged) {
    if (row.marks === existing.get(key)) continue;
    changed.push(row);
    const pk = pairKey(ctx, row.pupil_id, row.school_urn);
    if (!ctx.stale.has(pk)) {
      ctx.stale.add(pk);
      stalePairs.push({ pupil_id: row.pupil_id, school_urn: row.school_urn });
    }
  }
  for (let i = 0; i < changed.length; i += 1000) {
    await tx.db
      .insertInto('attendance_week')
      .values(changed.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['pupil_id', 'school_urn', 'week_start']).doUpdateSet((eb) => ({ marks: eb.ref('excluded.marks') })))
      .execute();
  }
  if (changed.length) counts.other['week rows written'] = (counts.other['week rows written'] ?? 0) + changed.length;
  for (let i = 0; i < stalePairs.length; i += 1000) {
    await tx.db
      .insertInto('attendance_summary_stale')
      .values(stalePairs.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['pupil_id', 'school_urn']).doNothing())
      .execute();
  }
}
