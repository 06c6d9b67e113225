import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { addDays, isIsoDate, isWeekend } from './dates';
import { lowerBound, upperBound } from '../util/sorted-search';
import { PROJECT_ROOT, projectPath } from '../project-paths';

/**
 * The authority's school-day calendar: term dates, half terms, bank holidays, INSET days and
 * per-school closures, loaded from a JSON file the authority owns (CALENDAR_FILE). Every statutory
 * deadline in the bot (day-6 provision, 15 and 50 school-day board meetings, the 45-day cap) is
 * counted in school days through this module, so it refuses to guess outside the dates it knows.
 */

export interface Term {
  academicYear: string /* '2026/27' */;
  name: 'autumn' | 'spring' | 'summer';
  start: string;
  end: string;
}

export interface SchoolCalendar {
  isSchoolDay(date: string, schoolUrn?: number): boolean;
  /** The n-th school day after date; date itself not counted; n >= 1. */
  addSchoolDays(date: string, n: number, schoolUrn?: number): string;
  /** School days in (fromExclusive, toInclusive]; negative when toInclusive is before fromExclusive. */
  schoolDaysBetween(fromExclusive: string, toInclusive: string, schoolUrn?: number): number;
  schoolDays(fromInclusive: string, toInclusive: string, schoolUrn?: number): string[];
  /** The term containing date; holidays inside a term (half term) still belong to it. */
  termOf(date: string): Term | null;
  /** Academic years run 1 Sep..31 Aug, e.g. '2026/27'. */
  academicYearOf(date: string): string;
  academicYearStart(date: string): string;
  firstDay(): string;
  lastDay(): string;
}

export const DEFAULT_CALENDAR_FILE = 'data/calendar/lincolnshire-sample.json';


export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const TERM_NAMES = ['autumn', 'spring', 'summer'] as const;

const isoDate = z.string({ invalid_type_error: 'must be a date written YYYY-MM-DD' }).refine(isIsoDate, 'must be a real date written YYYY-MM-DD');

const termSchema = z
  .object({
    academicYear: z.string().regex(/^\d{4}\/\d{2}$/, "must look like '2026/27'"),
    name: z.enum(TERM_NAMES),
    start: isoDate,
    end: isoDate,
  })
  .strict();

const rangeSchema = z.object({ name: z.string().min(1), start: isoDate, end: isoDate }).strict();

const calendarFileSchema = z
  .object({
    $schema: z.string().optional(),
    sample: z.boolean().optional(),
    description: z.string().optional(),
    authority: z.string().optional(),
    terms: z.array(termSchema).min(1, 'must list at least one term'),
    holidays: z.array(rangeSchema).default([]),
    bankHolidays: z.array(z.object({ date: isoDate, name: z.string().min(1) }).strict()).default([]),
    insetDays: z.array(isoDate).default([]),
    schoolClosures: z
      .array(
        z
          .object({
            urn: z.number().int().min(100000, 'must be a six-digit URN').max(999999, 'must be a six-digit URN'),
            date: isoDate,
            reason: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((data, ctx) => {
    const issue = (pathParts: (string | number)[], message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: pathParts, message });
    const valid = (d: string) => isIsoDate(d);

    data.terms.forEach((term, i) => {
      if (!valid(term.start) || !valid(term.end)) return;
      if (term.end < term.start) issue(['terms', i, 'end'], 'must be on or after start');
      if (academicYearLabel(term.start) !== term.academicYear)
        issue(['terms', i, 'academicYear'], `is ${term.academicYear} but start ${term.start} falls in ${academicYearLabel(term.start)}`);
      else if (academicYearLabel(term.end) !== term.academicYear)
        issue(['terms', i, 'end'], `falls outside academic year ${term.academicYear}`);
      const previous = data.terms[i - 1];
      if (previous && valid(previous.end) && term.start <= previous.end)
        issue(['terms', i, 'start'], `must be after the previous term's end (${previous.end}); list terms in date order without overlaps`);
      if (previous && previous.academicYear === term.academicYear && TERM_NAMES.indexOf(term.name) <= TERM_NAMES.indexOf(previous.name))
        issue(['terms', i, 'name'], `${term.name} cannot follow ${previous.name} in ${term.academicYear}`);
    });

    // Gaps in years would make "school days between" silently wrong across the gap.
    const years = [...new Set(data.terms.map((t) => t.academicYear))];
    for (let i = 1; i < years.length; i++) {
      const expected = nextAcademicYear(years[i - 1]!);
      if (years[i] !== expected) issue(['terms'], `academic year ${expected} is missing between ${years[i - 1]} and ${years[i]}`);
    }

    const inSomeTerm = (d: string) => data.terms.some((t) => t.start <= d && d <= t.end);
    data.holidays.forEach((holiday, i) => {
      if (!valid(holiday.start) || !valid(holiday.end)) return;
      if (holiday.end < holiday.start) issue(['holidays', i, 'end'], 'must be on or after start');
      else if (!data.terms.some((t) => t.start <= holiday.start && holiday.end <= t.end))
        issue(['holidays', i], 'must lie inside one term (breaks between terms need no entry)');
    });
    data.insetDays.forEach((d, i) => {
      if (valid(d) && !inSomeTerm(d)) issue(['insetDays', i], `${d} is not inside any term`);
    });
    data.schoolClosures.forEach((closure, i) => {
      if (valid(closure.date) && !inSomeTerm(closure.date)) issue(['schoolClosures', i, 'date'], `${closure.date} is not inside any term`);
    });
  });

export type CalendarFile = z.infer<typeof calendarFileSchema>;

/** '2026-11-25' -> '2026/27'. */
function academicYearLabel(date: string): string {
  const year = Number(date.slice(0, 4));
  const startYear = date.slice(5) >= '09-01' ? year : year - 1;
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

function nextAcademicYear(label: string): string {
  const startYear = Number(label.slice(0, 4)) + 1;
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

function formatPath(parts: (string | number)[]): string {
  let out = '';
  for (const part of parts) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(top level)';
}

/** Builds a calendar from already-parsed JSON; sourceName is used in error messages. */
export function calendarFromData(data: unknown, sourceName: string): SchoolCalendar {
  const parsed = calendarFileSchema.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${sourceName}: ${formatPath(i.path)}: ${i.message}`);
    throw new CalendarError(lines.join('\n'));
  }
  return new PrecomputedCalendar(parsed.data, sourceName);
}

/** Reads and validates a calendar file; a relative path resolves from the project root. */
export function loadCalendar(file: string = DEFAULT_CALENDAR_FILE): SchoolCalendar {
  const absolute = projectPath(file);
  const relative = path.relative(PROJECT_ROOT, absolute);
  const sourceName = relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/');
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CalendarError(`${sourceName}: cannot read the calendar file (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CalendarError(`${sourceName}: ${describeJsonError(text, error as Error)}`);
  }
  return calendarFromData(data, sourceName);
}

function describeJsonError(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return `not valid JSON (${error.message})`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: not valid JSON`;
}

class PrecomputedCalendar implements SchoolCalendar {
  private readonly first: string;
  private readonly last: string;
  private readonly terms: Term[];
  /** Every authority-wide school day in the range, ascending. */
  private readonly days: string[] = [];
  private readonly dayIndex = new Map<string, number>();
  /** Per school: its closure days that would otherwise be school days, ascending. */
  private readonly closures = new Map<number, string[]>();
  private readonly closureSets = new Map<number, Set<string>>();
  /** Every date from firstDay to lastDay: a hit means "valid and in range" without parsing. */
  private readonly inRange = new Set<string>();

  constructor(
    file: CalendarFile,
    private readonly sourceName: string,
  ) {
    this.terms = file.terms.map((t) => ({ academicYear: t.academicYear, name: t.name, start: t.start, end: t.end }));
    this.first = academicYearStartOf(this.terms[0]!.start);
    this.last = `${Number(this.terms[this.terms.length - 1]!.academicYear.slice(0, 4)) + 1}-08-31`;

    const closed = new Set<string>([...file.bankHolidays.map((b) => b.date), ...file.insetDays]);
    for (const holiday of file.holidays) for (let d = holiday.start; d <= holiday.end; d = addDays(d, 1)) closed.add(d);
    for (const term of this.terms) {
      for (let d = term.start; d <= term.end; d = addDays(d, 1)) {
        if (isWeekend(d) || closed.has(d)) continue;
        this.dayIndex.set(d, this.days.length);
        this.days.push(d);
      }
    }
    for (const closure of file.schoolClosures) {
      if (!this.dayIndex.has(closure.date)) continue; // already not a school day
      const set = this.closureSets.get(closure.urn) ?? new Set<string>();
      set.add(closure.date);
      this.closureSets.set(closure.urn, set);
    }
    for (const [urn, set] of this.closureSets) this.closures.set(urn, [...set].sort());
    for (let d = this.first; d <= this.last; d = addDays(d, 1)) this.inRange.add(d);
  }

  firstDay(): string {
    return this.first;
  }

  lastDay(): string {
    return this.last;
  }

  isSchoolDay(date: string, schoolUrn?: number): boolean {
    this.check(date);
    return this.dayIndex.has(date) && !this.isClosed(date, schoolUrn);
  }

  addSchoolDays(date: string, n: number, schoolUrn?: number): string {
    this.check(date);
    if (!Number.isInteger(n) || n < 1) throw new CalendarError(`addSchoolDays needs a whole number of days, 1 or more (got ${n})`);
    let index = upperBound(this.days, date);
    let remaining = n;
    const closures = schoolUrn === undefined ? undefined : this.closureSets.get(schoolUrn);
    if (!closures) index += n - 1;
    else {
      for (; index < this.days.length; index++) {
        if (closures.has(this.days[index]!)) continue;
        if (--remaining === 0) break;
      }
    }
    const result = this.days[index];
    if (result === undefined)
      throw new CalendarError(`${n} school days after ${date} runs past the end of the school calendar ${this.sourceName} (last day ${this.last})`);
    return result;
  }

  schoolDaysBetween(fromExclusive: string, toInclusive: string, schoolUrn?: number): number {
    this.check(fromExclusive);
    this.check(toInclusive);
    if (toInclusive < fromExclusive) return -this.schoolDaysBetween(toInclusive, fromExclusive, schoolUrn);
    const count = upperBound(this.days, toInclusive) - upperBound(this.days, fromExclusive);
    const closures = schoolUrn === undefined ? undefined : this.closures.get(schoolUrn);
    if (!closures) return count;
    return count - (upperBound(closures, toInclusive) - upperBound(closures, fromExclusive));
  }

  schoolDays(fromInclusive: string, toInclusive: string, schoolUrn?: number): string[] {
    this.check(fromInclusive);
    this.check(toInclusive);
    if (toInclusive < fromInclusive) return [];
    const slice = this.days.slice(lowerBound(this.days, fromInclusive), upperBound(this.days, toInclusive));
    const closures = schoolUrn === undefined ? undefined : this.closureSets.get(schoolUrn);
    return closures ? slice.filter((d) => !closures.has(d)) : slice;
  }

  termOf(date: string): Term | null {
    this.check(date);
    const term = this.terms.find((t) => t.start <= date && date <= t.end);
    return term ? { ...term } : null;
  }

  academicYearOf(date: string): string {
    if (!this.inRange.has(date)) requireIsoDate(date);
    return academicYearLabel(date);
  }

  academicYearStart(date: string): string {
    if (!this.inRange.has(date)) requireIsoDate(date);
    return academicYearStartOf(date);
  }

  private isClosed(date: string, schoolUrn: number | undefined): boolean {
    return schoolUrn !== undefined && (this.closureSets.get(schoolUrn)?.has(date) ?? false);
  }

  private check(date: string): void {
    if (this.inRange.has(date)) return; // the common case, checked in one hash lookup
    requireIsoDate(date);
    if (date < this.first || date > this.last)
      throw new CalendarError(
        `${date} is outside the school calendar ${this.sourceName} (${this.first} to ${this.last}); load a calendar that covers it`,
      );
  }
}

function requireIsoDate(date: string): void {
  if (!isIsoDate(date)) throw new CalendarError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
}

function academicYearStartOf(date: string): string {
  return `${academicYearLabel(date).slice(0, 4)}-09-01`;
}

