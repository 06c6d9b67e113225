import { addDays, isIsoDate } from '../calendar/dates';
import type { ExclusionCategory } from '../store/database';
import type { ExclusionOutcome, OutcomeBy, StartSession } from '../store/tables/casework';
import { EXCLUSION_OUTCOMES, OUTCOME_BY } from './casework-schema';

/**
 * The optional casework fields of a reported exclusion (issue 9), shared by the CSV importer and
 * the intake API through checkExclusion. An empty field means "not given": the stored value is
 * kept, so a re-sent file without these columns never clears an outcome recorded on a card.
 * Messages name the field and never echo a date (a child's data).
 */

export interface RawCasework {
  decision_date?: unknown;
  exam_date?: unknown;
  start_session?: unknown;
  outcome?: unknown;
  outcome_date?: unknown;
  outcome_by?: unknown;
}

export interface CaseworkRecord {
  decision_date?: string;
  exam_date?: string;
  start_session?: StartSession;
  outcome?: ExclusionOutcome;
  outcome_date?: string;
  outcome_by?: OutcomeBy;
}

/** How long before the start a head may have decided (a suspension set for after a weekend or holiday). */
const MAX_DECISION_DAYS_BEFORE = 31;

const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '\u0000';
}

function parseDate(value: string): string | undefined {
  const uk = UK_DATE.exec(value);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : value;
  return isIsoDate(iso) ? iso : undefined;
}

export function checkCasework(
  raw: RawCasework,
  ctx: { today: string; category: ExclusionCategory | undefined; start: string | undefined },
  fail: (field: keyof RawCasework, message: string) => void,
): CaseworkRecord {
  const out: CaseworkRecord = {};
  const date = (field: keyof RawCasework): string | undefined => {
    const v = text(raw[field]);
    if (v === '') return undefined;
    const parsed = parseDate(v);
    if (!parsed) fail(field, 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)');
    return parsed;
  };

  const decision = date('decision_date');
  if (decision) {
    if (decision > ctx.today) fail('decision_date', 'is after today');
    else if (ctx.start && decision > ctx.start) fail('decision_date', 'is after start_date (the head decides before the exclusion starts)');
    else if (ctx.start && decision < addDays(ctx.start, -MAX_DECISION_DAYS_BEFORE)) fail('decision_date', `is more than ${MAX_DECISION_DAYS_BEFORE} days before start_date`);
    else out.decision_date = decision;
  }

  const exam = date('exam_date');
  if (exam) {
    if (ctx.start && exam < ctx.start) fail('exam_date', 'is before start_date (the exam must fall during the exclusion)');
    else out.exam_date = exam;
  }

  const session = text(raw.start_session).toUpperCase();
  if (session !== '') {
    if (session !== 'AM' && session !== 'PM') fail('start_session', `"${session.slice(0, 10)}" is not AM or PM`);
    else if (ctx.category === 'LUNC') fail('start_session', 'must be empty for a lunchtime suspension');
    else out.start_session = session;
  }

  const outcomeText = text(raw.outcome).toLowerCase();
  const outcomeDate = date('outcome_date');
  const byText = text(raw.outcome_by).toLowerCase();
  if (outcomeText === '') {
    if (outcomeDate) fail('outcome_date', 'is given without an outcome');
    if (byText !== '') fail('outcome_by', 'is given without an outcome');
    return out;
  }
  if (!(EXCLUSION_OUTCOMES as readonly string[]).includes(outcomeText)) {
    fail('outcome', `"${outcomeText.slice(0, 20)}" is not ${EXCLUSION_OUTCOMES.join(', ')}`);
    return out;
  }
  const outcome = outcomeText as ExclusionOutcome;
  if (byText !== '' && !(OUTCOME_BY as readonly string[]).includes(byText)) fail('outcome_by', `"${byText.slice(0, 20)}" is not head or governors`);
  // Only the head withdraws or cancels (reg 8A); reinstatement is by the head or the governors.
  const by = (byText || (outcome === 'reinstated' ? '' : 'head')) as OutcomeBy | '';
  if (by === '') fail('outcome_by', 'is required for a reinstatement (head or governors)');
  else if (outcome !== 'reinstated' && by !== 'head') fail('outcome_by', `only the head can record "${outcome}"`);
  if (text(raw.outcome_date) === '') fail('outcome_date', 'is required with an outcome (the first day the pupil is back, or the day it was cancelled)');
  else if (outcomeDate && outcomeDate > ctx.today) fail('outcome_date', 'is after today');
  else if (outcomeDate && ctx.start && outcomeDate < addDays(ctx.start, -MAX_DECISION_DAYS_BEFORE)) fail('outcome_date', 'is long before start_date');
  if (outcomeDate && by) Object.assign(out, { outcome, outcome_date: outcomeDate, outcome_by: by });
  return out;
}
