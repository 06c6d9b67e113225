import { addDays, isIsoDate } from '../calendar/dates';
import { EXCLUSION_CATEGORY_ALIASES, EXCLUSION_REASON_CODES } from '../domain/dfe-codes';
import { upnProblem } from '../domain/upn';
import type { Exclusion, Flag } from '../store/database';
import { checkCasework, type CaseworkRecord, type RawCasework } from './casework-fields';

/**
 * The rules for one reported exclusion, shared by the CSV importer and the intake API so both
 * accept exactly the same data. Messages name the field and never echo a UPN or a date (a child's
 * data); codes and URNs are echoed because they help the sender fix the row.
 */

export interface RawExclusion extends RawCasework {
  school_urn?: unknown;
  upn?: unknown;
  category?: unknown;
  start_date?: unknown;
  sessions?: unknown;
  /** 'PA;VA' or ['PA', 'VA']. */
  reasons?: unknown;
  notified_date?: unknown;
  missed_public_exam?: unknown;
}

/** Casework fields (decision, exam, session, outcome) are present only when given. */
export interface ExclusionRecord extends CaseworkRecord, Pick<Exclusion, 'school_urn' | 'category' | 'start_date' | 'sessions' | 'reasons' | 'notified_date' | 'missed_public_exam'> {
  /** The pupil as reported, found by UPN when written. */
  upn: string;
}

export interface FieldProblem {
  field: keyof RawExclusion;
  message: string;
}

export interface ExclusionCheckContext {
  /** Europe/London date of the intake. */
  today: string;
  knownSchool(urn: number): boolean;
}

/** A suspension row may run for at most a school year of sessions; the 45-day rule is the rules' job. */
const MAX_SESSIONS = 380;
/** How far ahead a suspension may be reported (a head may set one to start next week). Local choice. */
const MAX_DAYS_AHEAD = 31;
const MAX_REASONS = 3;

const FLAG_WORDS = new Map<string, Flag>([
  ['y', 1], ['yes', 1], ['true', 1], ['1', 1],
  ['n', 0], ['no', 0], ['false', 0], ['0', 0], ['', 0],
]);

const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '\u0000';
}

function parseDate(value: unknown): string | undefined {
  const v = text(value);
  const uk = UK_DATE.exec(v);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : v;
  return isIsoDate(iso) ? iso : undefined;
}

export function checkExclusion(raw: RawExclusion, ctx: ExclusionCheckContext): { record?: ExclusionRecord; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fail = (field: keyof RawExclusion, message: string) => problems.push({ field, message });

  const urnText = text(raw.school_urn);
  let urn: number | undefined;
  if (urnText === '') fail('school_urn', 'is empty');
  else if (!/^\d{6}$/.test(urnText)) fail('school_urn', `"${urnText.slice(0, 20)}" is not a URN (six digits)`);
  else if (!ctx.knownSchool(Number(urnText))) fail('school_urn', `unknown school ${urnText}`);
  else urn = Number(urnText);

  const upn = text(raw.upn).toUpperCase();
  if (upn === '') fail('upn', 'is empty');
  else {
    const problem = upnProblem(upn);
    if (problem === 'length') fail('upn', 'UPN must be 13 characters');
    else if (problem === 'characters') fail('upn', 'UPN must be a check letter, 11 digits, then a digit or a letter');
    else if (problem === 'check letter') fail('upn', 'UPN check letter is wrong');
  }

  const categoryText = text(raw.category).toUpperCase();
  const category = EXCLUSION_CATEGORY_ALIASES[categoryText];
  if (categoryText === '') fail('category', 'is empty (expected SUSP, FIXD, PERM or LUNC)');
  else if (!category) fail('category', `"${categoryText.slice(0, 20)}" is not SUSP, FIXD, PERM or LUNC`);

  const start = parseDate(raw.start_date);
  if (text(raw.start_date) === '') fail('start_date', 'is empty (expected a date, YYYY-MM-DD)');
  else if (!start) fail('start_date', 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)');
  else if (start > addDays(ctx.today, MAX_DAYS_AHEAD)) fail('start_date', `is more than ${MAX_DAYS_AHEAD} days after today`);

  const sessionsText = text(raw.sessions);
  let sessions: number | undefined;
  if (category === 'PERM') {
    // A permanent exclusion has no length: a count given with it means the row is not what it says.
    if (sessionsText !== '') fail('sessions', 'must be empty for PERM (a permanent exclusion has no length in sessions)');
    sessions = 0;
  } else if (sessionsText === '') fail('sessions', 'is empty (one school day is 2 sessions; a lunchtime is 1)');
  else if (!/^\d+$/.test(sessionsText)) fail('sessions', 'must be a whole number of sessions (one school day is 2)');
  else {
    const n = Number(sessionsText);
    if (n < 1 || n > MAX_SESSIONS) fail('sessions', `must be between 1 and ${MAX_SESSIONS}`);
    else sessions = n;
  }

  const reasonList = Array.isArray(raw.reasons) ? raw.reasons.map(text) : text(raw.reasons).split(';').map((r) => r.trim());
  const reasons = reasonList.map((r) => r.toUpperCase()).filter((r) => r !== '');
  if (reasons.length === 0) fail('reasons', 'is empty (one to three DfE reason codes separated by ;)');
  // `PA;;VA` or `PA;`: a code was lost on the way (a cleared cell, a bad join); refuse rather than guess.
  else if (reasons.length !== reasonList.length) fail('reasons', 'has an empty code (between or after the ; separators)');
  else if (reasons.length > MAX_REASONS) fail('reasons', `has ${reasons.length} codes; at most ${MAX_REASONS}`);
  else {
    const unknown = reasons.filter((r) => !(r in EXCLUSION_REASON_CODES));
    if (unknown.length) fail('reasons', `unknown reason code${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u.slice(0, 10)}"`).join(', ')}`);
    else if (new Set(reasons).size !== reasons.length) fail('reasons', 'lists the same code twice');
  }

  let notified: string | null = null;
  if (text(raw.notified_date) !== '') {
    const parsed = parseDate(raw.notified_date);
    if (!parsed) fail('notified_date', 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)');
    else if (parsed > ctx.today) fail('notified_date', 'is after today');
    else notified = parsed;
  }

  const examText = text(raw.missed_public_exam).toLowerCase();
  const exam = FLAG_WORDS.get(examText);
  if (exam === undefined) fail('missed_public_exam', 'must be Y or N');

  const casework = checkCasework(raw, { today: ctx.today, category, start }, fail);

  if (problems.length > 0) return { problems };
  return {
    problems,
    record: {
      school_urn: urn!,
      upn,
      category: category!,
      start_date: start!,
      sessions: sessions!,
      reasons: reasons.join(';'),
      notified_date: notified,
      missed_public_exam: exam!,
      ...casework,
    },
  };
}
