import { z } from 'zod';
import { mondayOf } from '../calendar/dates';
import type { AttendanceAlert, AttendanceRuleId, Cohort } from '../exclusions/alert-types';
import type { Role } from '../store/database';
import type { WeekMarks } from './attendance-measures';
import { ATTENDANCE_CODES, CODE_BY_NAME } from './attendance-codes';

/**
 * Attendance alert rules (issue 12) as pure functions over one pupil's marks and the school days
 * of the academic year so far. Nothing here reads the store, the clock or the calendar.
 *
 * Every rule is replayed school day by school day from the first day of the year, so "it was above
 * at the previous evaluation" means "it was above on the previous school day": the answer does not
 * depend on when, or how often, the rules ran. An episode starts on the day a rule's condition
 * begins and ends when the pupil recovers; the alert's dedupe key names the episode's first day, so
 * every run finds the same key for the same episode and a later fall is a new episode.
 * Only the episode current on the last marked day raises an alert: a fall that has already
 * recovered by the time the marks arrive is history, not something to act on today.
 */

export const ATTENDANCE_RULE_IDS: readonly AttendanceRuleId[] = [
  'severe_absence_onset',
  'persistent_absence_cohort',
  'unauthorised_10_days',
  'illness_15_days',
  'penalty_notice_threshold',
  'youth_justice_not_attending',
];

/** Penalty-notice framework (2024): unauthorised sessions are counted over 10 school weeks. */
const PENALTY_WINDOW_SCHOOL_WEEKS = 10;
/** Youth justice: "not attending regularly" is judged over the last four school weeks (issue 12). */
const YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS = 4;

const roleSchema = z.enum(['la_manager', 'attendance_officer', 'school_leader', 'cluster_member', 'admin', 'youth_justice_worker']);

function ruleSchema(threshold: number, recipients: Role[], max: number) {
  return z
    .object({
      enabled: z.boolean().default(true),
      threshold: z.number().positive().max(max).default(threshold),
      /** Roles whose default subscription receives the rule (anyone may still subscribe to it). */
      recipients: z.array(roleSchema).default(recipients),
    })
    .strict()
    .default({});
}

const attendanceSettingsSchema = z
  .object({
    /** Percent: attendance this year at or below it is severe absence (DfE: 50%). */
    severe_absence_onset: ruleSchema(50, ['school_leader', 'attendance_officer'], 100),
    /** Percent: at or below it is persistent absence (DfE: 90%), for the pupils in the cohorts. */
    persistent_absence_cohort: ruleSchema(90, ['school_leader', 'attendance_officer', 'youth_justice_worker'], 100),
    /** School days in a row with every session unauthorised. */
    unauthorised_10_days: ruleSchema(10, ['attendance_officer', 'school_leader'], 200),
    /** School days of illness (code I) this year, consecutive or not. */
    illness_15_days: ruleSchema(15, ['la_manager', 'attendance_officer'], 200),
    /** Unauthorised sessions within the last 10 school weeks. */
    penalty_notice_threshold: ruleSchema(10, ['school_leader', 'attendance_officer'], 100),
    /** Percent over the last four school weeks below which a youth justice pupil is "not attending regularly". Local choice. */
    youth_justice_not_attending: ruleSchema(90, ['youth_justice_worker'], 100),
    /** Rate rules wait until this many possible sessions are marked, so one day off in September is not "0%". */
    minPossibleSessions: z.number().int().min(1).default(10),
    /** A rate rule's episode ends when the rate climbs this many points above its threshold (no daily flapping). Local choice. */
    recoveryPoints: z.number().min(0).max(50).default(2),
  })
  .strict();

export type AttendanceSettings = z.infer<typeof attendanceSettingsSchema>;

export class AttendanceSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttendanceSettingsError';
  }
}

/** Fills defaults; a bad override throws naming the field. `text` is JSON (ATTENDANCE_ALERTS). */
export function resolveAttendanceSettings(input: unknown = {}, sourceName = 'ATTENDANCE_ALERTS'): AttendanceSettings {
  let value = input;
  if (typeof input === 'string') {
    if (input.trim() === '') value = {};
    else {
      try {
        value = JSON.parse(input);
      } catch {
        throw new AttendanceSettingsError(`${sourceName}: is not JSON (expected e.g. {"severe_absence_onset": {"threshold": 50}})`);
      }
    }
  }
  const parsed = attendanceSettingsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AttendanceSettingsError(`${sourceName}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface AttendanceRulePupil {
  id: number;
  nc_year: number;
  sen_provision: string;
  looked_after: number;
  social_worker: string;
  youth_justice: number;
  fsm: number;
}

export interface AttendancePupilInput {
  pupil: AttendanceRulePupil;
  /** The school whose marks are newest (the alert's school). */
  schoolUrn: number;
  currentSchoolUrns: number[];
  /** The pupil's weeks this year, one per week (already merged across schools), any order. */
  weeks: readonly WeekMarks[];
  youthJusticeWorkerIds: number[];
}

export interface AttendanceRuleContext {
  /** The school days from the start of the academic year to today, ascending (the pupil's school's). */
  schoolDays: readonly string[];
  academicYear: string;
  settings: AttendanceSettings;
}

/**
 * Compulsory school age, as the DfE's published absence figures count it: Year 1 to Year 11.
 * (The legal start is the term after the fifth birthday; reception is not counted here.)
 */
function ofCompulsoryAge(ncYear: number): boolean {
  return ncYear >= 1 && ncYear <= 11;
}

function cohortsOf(p: AttendanceRulePupil): Cohort[] {
  const out: Cohort[] = [];
  if (p.sen_provision === 'E') out.push('ehc_plan');
  if (p.looked_after === 1) out.push('looked_after');
  if (p.social_worker !== 'N') out.push('social_worker');
  return out;
}

/** Social worker (child in need or protection plan), looked after, EHC plan, or open to youth justice. */
function inPersistentAbsenceCohort(p: AttendanceRulePupil): boolean {
  return p.social_worker !== 'N' || p.looked_after === 1 || p.sen_provision === 'E' || p.youth_justice === 1;
}

// Per mark character: 1 attended (present or approved off-site), 2 authorised, 3 unauthorised, 4 not counted.
const KIND = new Uint8Array(128);
for (const c of ATTENDANCE_CODES) {
  KIND[c.char.charCodeAt(0)] = c.counts === 'present' || c.counts === 'aea' ? 1 : c.counts === 'authorised' ? 2 : c.counts === 'unauthorised' ? 3 : 4;
}
const ILLNESS = CODE_BY_NAME.get('I')!.char.charCodeAt(0);

/** The school-day list of one school, with each day's place in its week (shared by all its pupils). */
interface DayPlaces {
  /** Monday of each distinct school week, in order. */
  mondays: string[];
  weekIndex: Map<string, number>;
  /** Per school day: its week's index and its weekday (0 = Monday). */
  week: Int32Array;
  offset: Int32Array;
  /** Per week: the index of its first school day. */
  weekFirstDay: Int32Array;
}

const placesCache = new WeakMap<readonly string[], DayPlaces>();
function placesOf(schoolDays: readonly string[]): DayPlaces {
  let places = placesCache.get(schoolDays);
  if (places) return places;
  const mondays: string[] = [];
  const week = new Int32Array(schoolDays.length);
  const offset = new Int32Array(schoolDays.length);
  const first: number[] = [];
  schoolDays.forEach((date, i) => {
    const monday = mondayOf(date);
    if (mondays[mondays.length - 1] !== monday) {
      mondays.push(monday);
      first.push(i);
    }
    week[i] = mondays.length - 1;
    offset[i] = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${monday}T00:00:00Z`)) / 86_400_000;
  });
  places = { mondays, weekIndex: new Map(mondays.map((m, i) => [m, i])), week, offset, weekFirstDay: Int32Array.from(first) };
  placesCache.set(schoolDays, places);
  return places;
}

// Scratch arrays reused for every pupil (the rules run for 100,000 pupils in one go): per school day.
let capacity = 0;
let attended = new Int32Array(0);
let possible = new Int32Array(0);
let unauthorised = new Int32Array(0);
let illness = new Int32Array(0);
let cumAttended = new Int32Array(0);
let cumPossible = new Int32Array(0);
let cumUnauth = new Int32Array(0);
function ensureCapacity(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, 256);
  attended = new Int32Array(capacity);
  possible = new Int32Array(capacity);
  unauthorised = new Int32Array(capacity);
  illness = new Int32Array(capacity);
  cumAttended = new Int32Array(capacity + 1);
  cumPossible = new Int32Array(capacity + 1);
  cumUnauth = new Int32Array(capacity + 1);
}

/** Fills the scratch arrays from the marks; returns the index of the last school day with any mark, or -1. */
function fillRegister(weeks: readonly WeekMarks[], schoolDays: readonly string[], places: DayPlaces): number {
  const n = schoolDays.length;
  ensureCapacity(n);
  attended.fill(0, 0, n);
  possible.fill(0, 0, n);
  unauthorised.fill(0, 0, n);
  illness.fill(0, 0, n);
  let lastMarked = -1;
  for (const w of weeks) {
    const wi = places.weekIndex.get(w.weekStart);
    if (wi === undefined) continue;
    const end = wi + 1 < places.weekFirstDay.length ? places.weekFirstDay[wi + 1]! : n;
    for (let i = places.weekFirstDay[wi]!; i < end; i++) {
      const base = places.offset[i]! * 2;
      for (let s = base; s < base + 2; s++) {
        const code = w.marks.charCodeAt(s);
        const kind = KIND[code] ?? 0;
        if (kind === 0) continue;
        if (i > lastMarked) lastMarked = i;
        if (kind === 4) continue;
        possible[i]!++;
        if (kind === 1) attended[i]!++;
        else if (kind === 3) unauthorised[i]!++;
        if (code === ILLNESS) illness[i]!++;
      }
    }
  }
  return lastMarked;
}

function percent(attendedSessions: number, possibleSessions: number): number {
  return Math.round((attendedSessions / possibleSessions) * 1000) / 10;
}

/** First school day of the window of `weeks` school weeks ending with day i's week. */
function windowStartOf(places: DayPlaces, i: number, weeks: number): number {
  return places.weekFirstDay[Math.max(0, places.week[i]! - weeks + 1)]!;
}

/** Attendance (percent) over days from..i, or -1 when fewer than `minPossible` sessions are marked. */
function rateOver(from: number, i: number, minPossible: number): number {
  const sessions = cumPossible[i + 1]! - cumPossible[from]!;
  return sessions >= minPossible ? percent(cumAttended[i + 1]! - cumAttended[from]!, sessions) : -1;
}

/**
 * Replays a "falls to or below the threshold" condition day by day over the year so far
 * (`windowWeeks` 0) or a rolling window of school weeks, and returns the first day of the episode
 * open on the last day, or -1. A rate needs `minPossible` marked sessions to count.
 */
function rateEpisode(places: DayPlaces, n: number, windowWeeks: number, threshold: number, recovery: number, minPossible: number): number {
  let open = -1;
  for (let i = 0; i < n; i++) {
    const rate = rateOver(windowWeeks === 0 ? 0 : windowStartOf(places, i, windowWeeks), i, minPossible);
    if (rate < 0) continue;
    if (open < 0 && rate <= threshold) open = i;
    else if (open >= 0 && rate > threshold + recovery) open = -1;
  }
  return open;
}

/** The window's rate, left out when too few sessions are marked in it to give one. */
function windowFacts(rate: number): { windowRate?: number } {
  return rate < 0 ? {} : { windowRate: rate };
}

function alertOf(input: AttendancePupilInput, ctx: AttendanceRuleContext, rule: AttendanceRuleId, eventIndex: number, episodeStart: string, facts: AttendanceAlert['facts'], key?: string): AttendanceAlert {
  const eventDate = ctx.schoolDays[eventIndex]!;
  return {
    scope: 'attendance',
    rule,
    pupilId: input.pupil.id,
    schoolUrn: input.schoolUrn,
    currentSchoolUrns: input.currentSchoolUrns,
    eventDate,
    ...(rule === 'unauthorised_10_days' || rule === 'illness_15_days' ? { dueDate: eventDate } : {}),
    episodeStart,
    cohorts: cohortsOf(input.pupil),
    youthJustice: input.pupil.youth_justice === 1,
    youthJusticeWorkerIds: input.youthJusticeWorkerIds,
    recipientRoles: ctx.settings[rule].recipients,
    facts,
    dedupeKey: `attendance:${rule}:${input.pupil.id}:${key ?? episodeStart}`,
  };
}

/** Every attendance rule for one pupil; at most one alert per rule (the current episode). */
export function evaluateAttendanceRules(input: AttendancePupilInput, ctx: AttendanceRuleContext): AttendanceAlert[] {
  const { pupil } = input;
  if (!ofCompulsoryAge(pupil.nc_year)) return [];
  const places = placesOf(ctx.schoolDays);
  const lastMarked = fillRegister(input.weeks, ctx.schoolDays, places);
  if (lastMarked < 0) return [];
  const n = lastMarked + 1;
  const s = ctx.settings;
  const dates = ctx.schoolDays;
  const minPossible = s.minPossibleSessions;

  // Running totals: cum[i] is the sum over days 0..i-1.
  for (let i = 0; i < n; i++) {
    cumAttended[i + 1] = cumAttended[i]! + attended[i]!;
    cumPossible[i + 1] = cumPossible[i]! + possible[i]!;
    cumUnauth[i + 1] = cumUnauth[i]! + unauthorised[i]!;
  }

  const alerts: AttendanceAlert[] = [];
  for (const rule of ['severe_absence_onset', 'persistent_absence_cohort'] as const) {
    if (!s[rule].enabled || (rule === 'persistent_absence_cohort' && !inPersistentAbsenceCohort(pupil))) continue;
    const threshold = s[rule].threshold;
    const start = rateEpisode(places, n, 0, threshold, s.recoveryPoints, minPossible);
    if (start >= 0) alerts.push(alertOf(input, ctx, rule, start, dates[start]!, { yearRate: rateOver(0, n - 1, minPossible), threshold }));
  }

  if (s.unauthorised_10_days.enabled) {
    // A day counts when every possible session is unauthorised; anything else ends the run.
    const need = s.unauthorised_10_days.threshold;
    let runStart = -1;
    let run = 0;
    for (let i = 0; i < n; i++) {
      if (possible[i]! > 0 && unauthorised[i] === possible[i]) {
        if (run === 0) runStart = i;
        run++;
      } else run = 0;
    }
    if (run >= need) alerts.push(alertOf(input, ctx, 'unauthorised_10_days', runStart + need - 1, dates[runStart]!, { consecutiveDays: run, threshold: need }));
  }

  if (s.illness_15_days.enabled) {
    // Consecutive or over the year: fifteen days in a row are fifteen over the year, so one count does both.
    const needSessions = s.illness_15_days.threshold * 2;
    let sessions = 0;
    let reached = -1;
    for (let i = 0; i < n; i++) {
      sessions += illness[i]!;
      if (reached < 0 && sessions >= needSessions) reached = i;
    }
    if (reached >= 0) alerts.push(alertOf(input, ctx, 'illness_15_days', reached, dates[reached]!, { illnessDays: sessions / 2, threshold: s.illness_15_days.threshold }, ctx.academicYear));
  }

  if (s.penalty_notice_threshold.enabled) {
    const need = s.penalty_notice_threshold.threshold;
    let open = -1;
    for (let i = 0; i < n; i++) {
      const count = cumUnauth[i + 1]! - cumUnauth[windowStartOf(places, i, PENALTY_WINDOW_SCHOOL_WEEKS)]!;
      if (open < 0 && count >= need) open = i;
      else if (open >= 0 && count < need) open = -1;
    }
    if (open >= 0) {
      const from = windowStartOf(places, n - 1, PENALTY_WINDOW_SCHOOL_WEEKS);
      alerts.push(alertOf(input, ctx, 'penalty_notice_threshold', open, dates[open]!, { unauthorisedSessions: cumUnauth[n]! - cumUnauth[from]!, threshold: need, windowStart: dates[from]! }));
    }
  }

  if (s.youth_justice_not_attending.enabled && pupil.youth_justice === 1) {
    const threshold = s.youth_justice_not_attending.threshold;
    // "Below" the rate, so the comparison is strict: a nudge under the threshold is the episode.
    const start = rateEpisode(places, n, YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS, threshold - 0.05, s.recoveryPoints, minPossible);
    if (start >= 0) {
      const from = windowStartOf(places, n - 1, YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS);
      alerts.push(alertOf(input, ctx, 'youth_justice_not_attending', start, dates[start]!, { ...windowFacts(rateOver(from, n - 1, minPossible)), threshold, windowStart: dates[from]! }));
    }
  }
  return alerts;
}

/** Merges a pupil's week rows from several schools (dual registration, a move): the best mark of each session wins. */
export function mergeWeeks(rows: readonly WeekMarks[]): WeekMarks[] {
  const byWeek = new Map<string, string>();
  for (const r of rows) {
    const known = byWeek.get(r.weekStart);
    if (known === undefined) {
      byWeek.set(r.weekStart, r.marks);
      continue;
    }
    let merged = '';
    for (let k = 0; k < r.marks.length; k++) merged += betterMark(known[k]!, r.marks[k]!);
    byWeek.set(r.weekStart, merged);
  }
  return [...byWeek].map(([weekStart, marks]) => ({ weekStart, marks }));
}

// Best-mark order (Arbor), by KIND: attended > authorised > unauthorised > not counted > no mark.
const RANK = [0, 4, 3, 2, 1];
function betterMark(a: string, b: string): string {
  return RANK[KIND[b.charCodeAt(0)] ?? 0]! > RANK[KIND[a.charCodeAt(0)] ?? 0]! ? b : a;
}
