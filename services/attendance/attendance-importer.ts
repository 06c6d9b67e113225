import type { Kysely } from 'kysely';
import { isoWeekday, mondayOf } from '../calendar/dates';
import { CalendarError, loadCalendar, type SchoolCalendar } from '../calendar/school-calendar';
import { configValue } from '../config';
import { upnProblem } from '../domain/upn';
import { clip, date as dateField, schoolUrn as urnField, type RowView } from '../importers/fields';
import { ImportSetupError, type ImportCounts, type Importer, type ImportTx } from '../importers/importer';
import { attendanceWeekUpsertOnRawSqlite, type AttendanceWeekUpsert } from '../store/attendance-week-upsert';
import type { Database } from '../store/database';
import { ATTENDANCE_CODES, EMPTY_WEEK, NO_MARK } from './attendance-codes';
import { queueAttendanceSchools } from './attendance-alerts';
import { ATTENDANCE_RECORDS_PER_BATCH, chunk, IDS_PER_QUERY, ROWS_PER_INSERT } from '../store/batches';

/**
 * `attendance`: school_urn,upn,date,am,pm — one row per pupil, school and school day, with the
 * DfE 2024 register code of each session (an empty am or pm leaves that session as it is).
 *
 * Marks are merged into the week rows of attendance_week (ten sessions, Monday am..Friday pm), so
 * re-importing a file changes nothing and a later file can correct single sessions. Every row is
 * checked first (unknown code, bad UPN, unknown school, pupil not on roll that day, not a school
 * day, the same session twice); a file with any problem changes nothing (see importer.ts).
 * The check pass also packs each good row's marks into week entries (IncomingWeeks): up to
 * `keepWeeks` of them are written straight from there, a bigger file is read again to write it.
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
  /** yyyymmdd as a number: the key of AttendanceContext.dayByKey. */
  key: number;
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
  id: number;
  urn: number;
  start: string;
  end: string | null;
  registration: string;
}

/** A good row's values, as readRow leaves them. */
interface CurrentRow {
  pupilId: number;
  urn: number;
  day: DayInfo;
  am: string | null;
  pm: string | null;
}

/** Field positions of the file being read, found once per pass (see columnsOf). */
interface Columns {
  view: RowView | null;
  urn: number;
  upn: number;
  date: number;
  am: number;
  pm: number;
}

export interface AttendanceContext {
  /** The import instant (the import's clock, so CLOCK_NOW and tests' clocks hold). */
  now: string;
  calendar: SchoolCalendar;
  columns: Columns;
  schoolIndex: Map<number, number>;
  schoolsWithClosures: Set<number>;
  pupils: Map<string, number>;
  enrolments: Map<number, Enrol[]>;
  /** The previous good row's look-ups (files list a school's and a pupil's rows together). */
  last: {
    rawUrn: string;
    urn: number | undefined;
    rawUpn: string;
    pupilId: number | undefined;
    enrolPupil: number;
    enrolments: Enrol[] | undefined;
    /** Duplicate detection: the lines array of the last (pupil, school). */
    seenPupil: number;
    seenUrn: number;
    seenLines: number[];
  };
  /** Raw URN text -> URN, for URNs already checked. */
  urns: Map<string, number>;
  days: Map<string, DayInfo>;
  /** Dates written YYYY-MM-DD, by yyyymmdd: read from the row's characters without making a string. */
  dayByKey: Map<number, DayInfo>;
  /** ISO date -> slot (the same date written two ways shares a slot). */
  slots: Map<string, number>;
  /** Duplicate detection on the check pass: pupil -> lines by date slot. */
  seen: Map<number, SeenDays>;
  /** The row just read by readRow (one object reused for every row). */
  current: CurrentRow;
  /** (pupil, school) pairs already marked stale in this import. */
  stale: Set<number>;
  /** --on-roll-from-file: enrolment id -> the earlier start the file shows; applied once, before the marks. */
  backdate: Map<number, string> | null;
  backdateApplied: boolean;
  /** Distinct week starts, so entries share one string per week. */
  weekStarts: Map<string, string>;
  /** The check pass's good rows as weeks, written without a second read; null when over keepLimit. */
  kept: IncomingWeeks | null;
  keepLimit: number;
  /** The write pass's batch as weeks (when the file was too big to keep). */
  batchWeeks?: IncomingWeeks;
  /** SQLite's week-row upsert, prepared once per import on the transaction's raw handle. */
  sqliteUpsert?: AttendanceWeekUpsert;
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

/** Two-character codes (C1, J1, Y1...) by (first << 7 | second) character code, any case. */
const TWO_CHAR_CODES: (string | undefined)[] = new Array<string | undefined>(128 * 128).fill(undefined);
for (const [code, char] of CODE_CHARS) {
  if (code.length !== 2) continue;
  for (const a of new Set([code[0]!, code[0]!.toLowerCase()]))
    for (const b of new Set([code[1]!, code[1]!.toLowerCase()])) TWO_CHAR_CODES[(a.charCodeAt(0) << 7) | b.charCodeAt(0)] ??= char;
}

/** Codes withdrawn in 2024 (SI 2024/208), with what replaced them, for a helpful message. */
const RETIRED_CODES: ReadonlyMap<string, string> = new Map([
  ['H', 'H (agreed holiday) was withdrawn in 2024: use C for leave in exceptional circumstances, or G'],
  ['F', 'F (extended family holiday) is no longer a register code: use G'],
  ['J', 'J was replaced by J1 (interview) in 2024'],
  ['Y', 'Y was split into Y1 to Y7 in 2024'],
]);

/** ctx.current's day before the first good row (never read: readRow sets it first). */
const NO_DAY: DayInfo = Object.freeze({ iso: '', key: 0, weekStart: '', day: 0, notSchoolDay: null, slot: 0 });

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface AttendanceImporterOptions {
  /**
   * Week rows the check pass keeps for writing without reading the file again (about 20 bytes
   * each). A bigger file is read a second time instead, so memory stays flat.
   */
  keepWeeks?: number;
  /**
   * Go-live (`--on-roll-from-file`): a pupil whose registration at the school starts after a mark
   * (because the pupils file was loaded today, without entry dates) is taken to have been on roll
   * from their first mark in the file, provided they were on roll at no other school then; the
   * registration's start moves back to that date. Without it such marks are refused.
   */
  onRollFromFile?: boolean;
}

/** Two million weeks (about 40 MB): a term of register marks for 150,000 pupils. */
const DEFAULT_KEEP_WEEKS = 2_000_000;

export function createAttendanceImporter(calendarProvider: () => SchoolCalendar, options: AttendanceImporterOptions = {}): Importer<AttendanceRecord, AttendanceContext> {
  const keepLimit = options.keepWeeks ?? DEFAULT_KEEP_WEEKS;
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

    async prepare(db, env) {
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
        now: env.now,
        calendar,
        columns: { view: null, urn: -1, upn: -1, date: -1, am: -1, pm: -1 },
        schoolIndex,
        schoolsWithClosures,
        pupils: await loadPupils(db),
        enrolments: await loadEnrolments(db),
        last: { rawUrn: '', urn: undefined, rawUpn: '', pupilId: undefined, enrolPupil: -1, enrolments: undefined, seenPupil: -1, seenUrn: -1, seenLines: [] },
        urns: new Map(),
        days: new Map(),
        dayByKey: new Map(),
        slots: new Map(),
        seen: new Map(),
        current: { pupilId: 0, urn: 0, day: NO_DAY, am: null, pm: null },
        weekStarts: new Map(),
        kept: keepLimit > 0 ? new IncomingWeeks() : null,
        keepLimit,
        stale: new Set(),
        backdate: options.onRollFromFile ? new Map() : null,
        backdateApplied: false,
      };
    },

    // The check pass: every row validated, the same session twice refused, and the marks kept for
    // writeKept; no record object per row.
    check(row: RowView, ctx: AttendanceContext): void {
      if (!readRow(row, ctx)) return;
      const { pupilId, urn, day, am, pm } = ctx.current;
      const last = ctx.last;
      // The same session twice would make the result depend on row order.
      if (pupilId !== last.seenPupil || urn !== last.seenUrn) {
        last.seenPupil = pupilId;
        last.seenUrn = urn;
        last.seenLines = seenLines(ctx, pupilId, urn);
      }
      const lines = last.seenLines;
      const first = lines[day.slot];
      if (first === undefined) lines[day.slot] = row.line;
      else {
        row.fail('date', `this pupil, school and date are already on line ${first}`);
        return;
      }
      if (ctx.kept) keepRow(ctx, pupilId, urn, day, am, pm);
    },

    // The write pass, when the check pass could not keep the whole file: the file read again.
    parse(row: RowView, ctx: AttendanceContext): AttendanceRecord | undefined {
      if (!readRow(row, ctx)) return undefined;
      const { pupilId, urn, day, am, pm } = ctx.current;
      return { pupilId, schoolUrn: urn, weekStart: day.weekStart, day: day.day, am, pm };
    },

    batchSize: (engine) => ATTENDANCE_RECORDS_PER_BATCH[engine],

    async writeKept(tx, ctx, counts) {
      if (!ctx.kept) return false;
      await applyBackdates(tx, ctx, counts);
      await writeWeeks(tx, ctx.kept, ctx, counts);
      return true;
    },

    async write(tx, batch, ctx, counts) {
      await applyBackdates(tx, ctx, counts);
      await writeWeeks(tx, weeksOf(batch, ctx), ctx, counts);
    },
  };
}

/** The importer the registry offers: the calendar comes from CALENDAR_FILE (or the sample). */
export const attendanceImporter = createAttendanceImporter(() => loadCalendar(configValue('CALENDAR_FILE')));
/** `npm run import -- attendance <file> --on-roll-from-file`: the go-live load of the register since September. */
export const attendanceImporterOnRollFromFile = createAttendanceImporter(() => loadCalendar(configValue('CALENDAR_FILE')), { onRollFromFile: true });

/**
 * Validates one row, the same way on both passes, and leaves its values in ctx.current. Hot path
 * (millions of rows): the row's characters are compared with the previous good row's values and
 * parsed in place, so a typical row makes no string at all. Whatever the fast path cannot settle
 * goes through get() and the checks with messages.
 */
function readRow(row: RowView, ctx: AttendanceContext): boolean {
  const at = columnsOf(row, ctx);
  const last = ctx.last;
  let rawUrn = last.rawUrn;
  let urn = row.equals(at.urn, rawUrn) ? last.urn : undefined;
  if (urn === undefined) {
    rawUrn = row.get('school_urn');
    urn = ctx.urns.get(rawUrn);
  }
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

  let rawUpn = last.rawUpn;
  let pupilId = row.equals(at.upn, rawUpn) ? last.pupilId : undefined;
  if (pupilId === undefined) {
    rawUpn = row.get('upn');
    pupilId = ctx.pupils.get(rawUpn);
  }
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

  const day = isoDayOf(row, at.date, ctx) ?? dayOf(row, ctx);
  const am = markOf(row, at.am, 'am');
  const pm = markOf(row, at.pm, 'pm');
  if (am === null && pm === null) row.fail('am', 'am and pm are both empty: give at least one register code');

  if (day !== undefined && urn !== undefined) {
    if (day.notSchoolDay) row.fail('date', day.notSchoolDay);
    else if (ctx.schoolsWithClosures.has(urn) && !ctx.calendar.isSchoolDay(day.iso, urn)) row.fail('date', `${day.iso} is a closure day for school ${urn}, not a school day`);
    else if (pupilId !== undefined && !onRoll(enrolmentsOf(ctx, pupilId), urn, day.iso) && !backdated(ctx, pupilId, urn, day.iso))
      row.fail('upn', `the pupil is not on roll at school ${urn} on ${day.iso}${ctx.backdate ? ' (and was on roll at another school then)' : ''}`);
  }
  if (row.failed || pupilId === undefined || day === undefined || urn === undefined) return false;
  last.rawUrn = rawUrn;
  last.urn = urn;
  last.rawUpn = rawUpn;
  last.pupilId = pupilId;
  const current = ctx.current;
  current.pupilId = pupilId;
  current.urn = urn;
  current.day = day;
  current.am = am ?? null;
  current.pm = pm ?? null;
  return true;
}

async function loadPupils(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('pupil').select(['id', 'upn']).execute();
  return new Map(rows.map((r) => [r.upn.toUpperCase(), r.id]));
}

async function loadEnrolments(db: Kysely<Database>): Promise<Map<number, Enrol[]>> {
  const rows = await db.selectFrom('enrolment').select(['id', 'pupil_id', 'school_urn', 'start_date', 'end_date', 'registration']).execute();
  const map = new Map<number, Enrol[]>();
  for (const r of rows) {
    const list = map.get(r.pupil_id);
    const e = { id: r.id, urn: r.school_urn, start: r.start_date, end: r.end_date, registration: r.registration };
    if (list) list.push(e);
    else map.set(r.pupil_id, [e]);
  }
  return map;
}

/** The Monday of the date's week, one string per week (entries compare weeks by it). */
function weekStartOf(ctx: AttendanceContext, iso: string): string {
  const monday = mondayOf(iso);
  const known = ctx.weekStarts.get(monday);
  if (known !== undefined) return known;
  ctx.weekStarts.set(monday, monday);
  return monday;
}

/** The file's field positions, looked up once per pass (each pass has its own RowView). */
function columnsOf(row: RowView, ctx: AttendanceContext): Columns {
  const c = ctx.columns;
  if (c.view !== row) {
    c.view = row;
    c.urn = row.position('school_urn');
    c.upn = row.position('upn');
    c.date = row.position('date');
    c.am = row.position('am');
    c.pm = row.position('pm');
  }
  return c;
}

/**
 * The day of a date field written exactly YYYY-MM-DD and already seen, read from its characters;
 * undefined sends the row through dayOf (first sight, other spellings, problems).
 */
function isoDayOf(row: RowView, i: number, ctx: AttendanceContext): DayInfo | undefined {
  const from = row.start(i);
  if (row.end(i) - from !== 10) return undefined;
  const text = row.text;
  if (text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45) return undefined;
  let key = 0;
  for (let k = 0; k < 10; k++) {
    if (k === 4 || k === 7) continue;
    const d = text.charCodeAt(from + k) - 48;
    if (d < 0 || d > 9) return undefined;
    key = key * 10 + d;
  }
  return ctx.dayByKey.get(key);
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

/**
 * --on-roll-from-file: the pupil's first registration at `urn` starting after `iso` is taken to have
 * started on `iso` (the register shows them there), unless a single or main registration at another
 * school covers that day (they were on roll there, so the mark is wrong). The start moves in memory
 * at once, so the pupil's later marks pass the ordinary check; the store follows at write time.
 * Legal basis: the school's admission and attendance registers (School Attendance (Pupil Registration)
 * (England) Regulations 2024, SI 2024/208) are the record of who was on roll; marks were kept for the pupil.
 */
function backdated(ctx: AttendanceContext, pupilId: number, urn: number, iso: string): boolean {
  if (!ctx.backdate) return false;
  const enrolments = enrolmentsOf(ctx, pupilId);
  if (!enrolments) return false;
  let later: Enrol | undefined;
  for (const e of enrolments) {
    const main = e.registration === 'C' || e.registration === 'M';
    if (e.urn !== urn && main && e.start <= iso && (e.end === null || e.end >= iso)) return false;
    if (e.urn === urn && e.start > iso && (later === undefined || e.start < later.start)) later = e;
  }
  if (!later) return false;
  // An earlier registration at the same school that ended before this day stays as it is: a new
  // start before its end would overlap it.
  if (enrolments.some((e) => e !== later && e.urn === urn && e.start <= iso)) return false;
  later.start = iso;
  ctx.backdate.set(later.id, iso);
  return true;
}

/** Writes the registrations --on-roll-from-file moved back, grouped by date (a county's first load is mostly one date). */
async function applyBackdates(tx: ImportTx, ctx: AttendanceContext, counts: ImportCounts): Promise<void> {
  if (!ctx.backdate || ctx.backdateApplied) return;
  ctx.backdateApplied = true;
  if (ctx.backdate.size === 0) return;
  const byDate = new Map<string, number[]>();
  for (const [id, start] of ctx.backdate) {
    const ids = byDate.get(start);
    if (ids) ids.push(id);
    else byDate.set(start, [id]);
  }
  for (const [start, ids] of byDate) {
    for (const part of chunk(ids, IDS_PER_QUERY)) {
      await tx.db.updateTable('enrolment').set({ start_date: start }).where('id', 'in', part).execute();
    }
  }
  counts.other['registrations moved back to the first mark'] = ctx.backdate.size;
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
    key: Number(iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10)),
    weekStart: weekStartOf(ctx, iso),
    day: Math.min(weekday, 5) - 1,
    notSchoolDay,
    slot: slotOf(ctx, iso),
  };
  ctx.days.set(raw, info);
  // isoDayOf finds it from now on when it is written exactly as the ISO date.
  if (raw === iso) ctx.dayByKey.set(info.key, info);
  return info;
}

/** A session's code -> stored character; null when empty; undefined after reporting a problem. */
function markOf(row: RowView, i: number, column: 'am' | 'pm'): string | null | undefined {
  // Codes are one or two ASCII characters: look them up by character code, no string.
  const from = row.start(i);
  const length = row.end(i) - from;
  if (length === 0) return null;
  const text = row.text;
  const a = text.charCodeAt(from);
  if (a < 128) {
    if (length === 1) {
      const char = SINGLE_CHAR_CODES[a];
      if (char !== undefined) return char;
    } else if (length === 2) {
      const b = text.charCodeAt(from + 1);
      const char = b < 128 ? TWO_CHAR_CODES[(a << 7) | b] : undefined;
      if (char !== undefined) return char;
    }
  }
  return markText(row, column);
}

/** markOf for what the character tables do not settle: spaces around, other spellings, problems. */
function markText(row: RowView, column: 'am' | 'pm'): string | null | undefined {
  const raw = row.get(column);
  if (raw === '') return null;
  const char = raw.length === 1 ? SINGLE_CHAR_CODES[raw.charCodeAt(0)] : (CODE_CHARS.get(raw) ?? CODE_CHARS.get(raw.toUpperCase()));
  if (char !== undefined) return char;
  const retired = RETIRED_CODES.get(raw.toUpperCase());
  if (retired) return row.fail(column, retired);
  return row.fail(column, `"${clip(raw, 10)}" is not a DfE 2024 register code`);
}

/**
 * Week rows on their way to the store, packed in typed arrays (about 20 bytes a week) so the check
 * pass can keep a whole file's worth: the pupil, school and week, and ten incoming mark characters
 * where '.' means "leave this session as it is". A week met again later in an unordered file gets
 * a second entry; writing merges it like any other.
 */
class IncomingWeeks {
  count = 0;
  pupil = new Int32Array(256);
  urn = new Int32Array(256);
  week: string[] = [];
  marks = new Uint8Array(256 * 10);

  /** The entry for this pupil, school and week: the last one when it matches, else a new one. */
  entry(pupilId: number, urn: number, weekStart: string): number {
    const last = this.count - 1;
    if (last >= 0 && this.pupil[last] === pupilId && this.urn[last] === urn && this.week[last] === weekStart) return last;
    if (this.count === this.pupil.length) this.grow();
    const i = this.count++;
    this.pupil[i] = pupilId;
    this.urn[i] = urn;
    this.week[i] = weekStart;
    this.marks.fill(NO_MARK_CODE, i * 10, i * 10 + 10);
    return i;
  }

  /** Sets session `at` (0 = Monday am .. 9 = Friday pm) of entry i to a stored mark character. */
  set(i: number, at: number, char: string): void {
    this.marks[i * 10 + at] = char.charCodeAt(0);
  }

  marksOf(i: number): string {
    const m = this.marks;
    const o = i * 10;
    return String.fromCharCode(m[o]!, m[o + 1]!, m[o + 2]!, m[o + 3]!, m[o + 4]!, m[o + 5]!, m[o + 6]!, m[o + 7]!, m[o + 8]!, m[o + 9]!);
  }

  /** Marks given in entry i (not '.'). */
  markCount(i: number): number {
    let n = 0;
    for (let k = i * 10; k < i * 10 + 10; k++) if (this.marks[k] !== NO_MARK_CODE) n++;
    return n;
  }

  clear(): void {
    this.count = 0;
    this.week.length = 0;
  }

  private grow(): void {
    const size = this.pupil.length * 2;
    const pupil = new Int32Array(size);
    pupil.set(this.pupil);
    this.pupil = pupil;
    const urn = new Int32Array(size);
    urn.set(this.urn);
    this.urn = urn;
    const marks = new Uint8Array(size * 10);
    marks.set(this.marks);
    this.marks = marks;
  }
}

const NO_MARK_CODE = NO_MARK.charCodeAt(0);

/** Keeps a checked row's marks for writing without a second read; drops them all past the limit. */
function keepRow(ctx: AttendanceContext, pupilId: number, urn: number, day: DayInfo, am: string | null, pm: string | null): void {
  const kept = ctx.kept!;
  if (kept.count === ctx.keepLimit && !(kept.pupil[kept.count - 1] === pupilId && kept.urn[kept.count - 1] === urn && kept.week[kept.count - 1] === day.weekStart)) {
    // Too big to hold: the runner reads the file again for the write (memory stays flat).
    ctx.kept = null;
    return;
  }
  const i = kept.entry(pupilId, urn, day.weekStart);
  if (am !== null) kept.set(i, day.day * 2, am);
  if (pm !== null) kept.set(i, day.day * 2 + 1, pm);
}

/** Entries per write: bounds a PostgreSQL statement; SQLite writes in 50-row statements anyway. */
const WEEKS_PER_WRITE = 2000;

async function writeWeeks(tx: ImportTx, weeks: IncomingWeeks, ctx: AttendanceContext, counts: ImportCounts): Promise<void> {
  const staleBefore = ctx.stale.size;
  if (tx.engine === 'sqlite' && tx.sqlite) {
    // Raw statements on SQLite: see the bench cited in store/attendance-week-upsert.ts.
    ctx.sqliteUpsert ??= attendanceWeekUpsertOnRawSqlite(tx.sqlite, NO_MARK);
    const written = ctx.sqliteUpsert.upsert(weeks, 0, weeks.count, counts, (pupil, school) => {
      const key = pairKey(ctx, pupil, school);
      if (ctx.stale.has(key)) return false;
      ctx.stale.add(key);
      return true;
    });
    if (written) counts.other['week rows written'] = (counts.other['week rows written'] ?? 0) + written;
  } else for (let from = 0; from < weeks.count; from += WEEKS_PER_WRITE) await writeKysely(tx, weeks, from, Math.min(weeks.count, from + WEEKS_PER_WRITE), ctx, counts);
  await queueChangedSchools(tx, ctx, staleBefore);
}

/** Attendance alerts (issue 12): the schools whose marks this write changed, queued in the same transaction. */
async function queueChangedSchools(tx: ImportTx, ctx: AttendanceContext, staleBefore: number): Promise<void> {
  if (ctx.stale.size === staleBefore) return;
  const urnByIndex: number[] = [];
  for (const [urn, index] of ctx.schoolIndex) urnByIndex[index] = urn;
  const urns = new Set<number>();
  let seen = 0;
  // A Set iterates in insertion order: the pairs past `staleBefore` are the ones this write added.
  for (const key of ctx.stale) if (seen++ >= staleBefore) urns.add(urnByIndex[key % ctx.schoolIndex.size]!);
  await queueAttendanceSchools(tx.db, urns, ctx.now);
}

/** The write pass's batch (records in file order) as incoming weeks. */
function weeksOf(batch: AttendanceRecord[], ctx: AttendanceContext): IncomingWeeks {
  const weeks = (ctx.batchWeeks ??= new IncomingWeeks());
  weeks.clear();
  for (const r of batch) {
    const i = weeks.entry(r.pupilId, r.schoolUrn, r.weekStart);
    if (r.am !== null) weeks.set(i, r.day * 2, r.am);
    if (r.pm !== null) weeks.set(i, r.day * 2 + 1, r.pm);
  }
  return weeks;
}

function tallyMark(before: string, after: string, counts: ImportCounts): void {
  if (before === after) counts.unchanged++;
  else if (before === NO_MARK) counts.inserted++;
  else counts.updated++;
}

function pairKey(ctx: AttendanceContext, pupilId: number, urn: number): number {
  return pupilId * ctx.schoolIndex.size + ctx.schoolIndex.get(urn)!;
}

/** PostgreSQL (and SQLite without a raw handle): one read and one upsert per group of weeks. */
async function writeKysely(tx: ImportTx, weeks: IncomingWeeks, from: number, to: number, ctx: AttendanceContext, counts: ImportCounts): Promise<void> {
  const weekKey = (p: number, u: number, w: string) => `${p}|${u}|${w}`;
  const pupilIds = new Set<number>();
  const weekStarts = new Set<string>();
  for (let i = from; i < to; i++) {
    pupilIds.add(weeks.pupil[i]!);
    weekStarts.add(weeks.week[i]!);
  }
  const existing = new Map<string, string>();
  const rows = await tx.db
    .selectFrom('attendance_week')
    .select(['pupil_id', 'school_urn', 'week_start', 'marks'])
    .where('pupil_id', 'in', [...pupilIds])
    .where('week_start', 'in', [...weekStarts])
    .execute();
  for (const r of rows) existing.set(weekKey(r.pupil_id, r.school_urn, r.week_start), r.marks);

  const merged = new Map<string, { pupil_id: number; school_urn: number; week_start: string; marks: string }>();
  for (let i = from; i < to; i++) {
    const key = weekKey(weeks.pupil[i]!, weeks.urn[i]!, weeks.week[i]!);
    const current = merged.get(key);
    const before = current?.marks ?? existing.get(key) ?? EMPTY_WEEK;
    const incoming = weeks.marksOf(i);
    let marks = '';
    for (let k = 0; k < 10; k++) {
      const c = incoming[k]!;
      if (c === NO_MARK) marks += before[k]!;
      else {
        tallyMark(before[k]!, c, counts);
        marks += c;
      }
    }
    if (current) current.marks = marks;
    else merged.set(key, { pupil_id: weeks.pupil[i]!, school_urn: weeks.urn[i]!, week_start: weeks.week[i]!, marks });
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
  for (const part of chunk(changed, ROWS_PER_INSERT)) {
    await tx.db
      .insertInto('attendance_week')
      .values(part)
      .onConflict((oc) => oc.columns(['pupil_id', 'school_urn', 'week_start']).doUpdateSet((eb) => ({ marks: eb.ref('excluded.marks') })))
      .execute();
  }
  if (changed.length) counts.other['week rows written'] = (counts.other['week rows written'] ?? 0) + changed.length;
  for (const part of chunk(stalePairs, ROWS_PER_INSERT)) {
    await tx.db
      .insertInto('attendance_summary_stale')
      .values(part)
      .onConflict((oc) => oc.columns(['pupil_id', 'school_urn']).doNothing())
      .execute();
  }
}
