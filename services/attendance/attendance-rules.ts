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
export const PENALTY_WINDOW_SCHOOL_WEEKS = 10;
/** Youth justice: "not attending regularly" is judged over the last four school weeks (issue 12). */
export const YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS = 4;

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

export const attendanceSettingsSchema = z
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
export function ofCompulsoryAge(ncYear: number): boolean {
  return ncYear >= 1 && ncYear <= 11;
}

export function cohortsOf(p: AttendanceRulePupil): Cohort[] {
  const out: Cohort[] = [];
  if (p.sen_provision === 'E') out.push('ehc_plan');
  if (p.looked_after === 1) out.push('looked_after');
  if (p.social_worker !== 'N') out.push('social_worker');
  return out;
}

/** Social worker (child in need or protection plan), looked after, EHC plan, or open to youth justice. */
export function inPersistentAbsenceCohort(p: AttendanceRulePupil): boolean {
  return p.social_worker !== 'N' || p.looked_after === 1 || p.sen_provision === 'E' || p.youth_justice === 1;
}

// Per mark character: 1 attended (present or approved off-site), 2 authorised, 3 unauthorised, 4 not counted.
const KIND = new Uint8Array(128);
for (const c of ATTENDANCE_CODES) {
  KIND[c.char.charCodeAt(0)] = c.counts === 'present' || c.counts === 'aea' ? 1 : c.counts === 'authorised' ? 2 : c.counts === 'unauthorised' ? 3 : 4;
}
const ILLNESS = CODE_BY_NAME.get('I')!.char.charCodeAt(0);

/** One school day of a pupil's register, as counts. */
interface Day {
  date: string;
  marked: boolean;
  attended: number;
  possible: number;
  unauthorised: number;
  illness: number;
  week: number;
}

function registerDays(weeks: readonly WeekMarks[], schoolDays: readonly string[]): { days: Day[]; lastMarked: number } {
  const byWeek = new Map<string, string>();
  for (const w of weeks) byWeek.set(w.weekStart, w.marks);
  const days: Day[] = [];
  let lastMarked = -1;
  let weekIndex = -1;
  let currentMonday = '';
  for (const date of schoolDays) {
    const monday = mondayOf(date);
    if (monday !== currentMonday) {
      currentMonday = monday;
      weekIndex++;
    }
    const marks = byWeek.get(monday);
    const offset = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${monday}T00:00:00Z`)) / 86_400_000;
    const day: Day = { date, marked: false, attended: 0, possible: 0, unauthorised: 0, illness: 0, week: weekIndex };
    if (marks !== undefined && offset >= 0 && offset < 5) {
      for (let s = offset * 2; s < offset * 2 + 2; s++) {
        const code = marks.charCodeAt(s);
        const kind = KIND[code] ?? 0;
        if (kind === 0) continue;
        day.marked = true;
        if (kind === 4) continue;
        day.possible++;
        if (kind === 1) day.attended++;
        else if (kind === 3) day.unauthorised++;
        if (code === ILLNESS) day.illness++;
      }
    }
    if (day.marked) lastMarked = days.length;
    days.push(day);
  }
  return { days, lastMarked };
}

function percent(attended: number, possible: number): number {
  return Math.round((attended / possible) * 1000) / 10;
}

/**
 * Replays a "falls to or below the threshold" condition day by day and returns the episode open on
 * the last day, if any. `rateOn` gives the rate on day i, or null when too few sessions are marked.
 */
function rateEpisode(count: number, threshold: number, recovery: number, rateOn: (i: number) => number | null): { start: number } | null {
  let open: number | null = null;
  for (let i = 0; i < count; i++) {
    const rate = rateOn(i);
    if (rate === null) continue;
    if (open === null && rate <= threshold) open = i;
    else if (open !== null && rate > threshold + recovery) open = null;
  }
  return open === null ? null : { start: open };
}

/** Every attendance rule for one pupil; at most one alert per rule (the current episode). */
export function evaluateAttendanceRules(input: AttendancePupilInput, ctx: AttendanceRuleContext): AttendanceAlert[] {
  const { pupil } = input;
  if (!ofCompulsoryAge(pupil.nc_year)) return [];
  const { days, lastMarked } = registerDays(input.weeks, ctx.schoolDays);
  if (lastMarked < 0) return [];
  const n = lastMarked + 1;
  const s = ctx.settings;

  // Running totals: cum[i] is the sum over days 0..i-1.
  const cumAttended = new Int32Array(n + 1);
  const cumPossible = new Int32Array(n + 1);
  const cumUnauth = new Int32Array(n + 1);
  const weekFirstDay: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = days[i]!;
    cumAttended[i + 1] = cumAttended[i]! + d.attended;
    cumPossible[i + 1] = cumPossible[i]! + d.possible;
    cumUnauth[i + 1] = cumUnauth[i]! + d.unauthorised;
    if (weekFirstDay[d.week] === undefined) weekFirstDay[d.week] = i;
  }
  const windowStart = (i: number, weeks: number) => weekFirstDay[Math.max(0, days[i]!.week - weeks + 1)] ?? 0;
  const yearRate = (i: number) => (cumPossible[i + 1]! >= s.minPossibleSessions ? percent(cumAttended[i + 1]!, cumPossible[i + 1]!) : null);

  const alerts: AttendanceAlert[] = [];
  const raise = (rule: AttendanceRuleId, eventIndex: number, episodeStart: string, facts: AttendanceAlert['facts'], key?: string) => {
    const eventDate = days[eventIndex]!.date;
    alerts.push({
      scope: 'attendance',
      rule,
      pupilId: pupil.id,
      schoolUrn: input.schoolUrn,
      currentSchoolUrns: input.currentSchoolUrns,
      eventDate,
      ...(rule === 'unauthorised_10_days' || rule === 'illness_15_days' ? { dueDate: eventDate } : {}),
      episodeStart,
      cohorts: cohortsOf(pupil),
      youthJustice: pupil.youth_justice === 1,
      youthJusticeWorkerIds: input.youthJusticeWorkerIds,
      recipientRoles: s[rule].recipients,
      facts,
      dedupeKey: `attendance:${rule}:${pupil.id}:${key ?? episodeStart}`,
    });
  };
  const rateAlert = (rule: 'severe_absence_onset' | 'persistent_absence_cohort') => {
    const threshold = s[rule].threshold;
    const episode = rateEpisode(n, threshold, s.recoveryPoints, yearRate);
    if (episode) raise(rule, episode.start, days[episode.start]!.date, { yearRate: yearRate(n - 1)!, threshold });
  };

  if (s.severe_absence_onset.enabled) rateAlert('severe_absence_onset');
  if (s.persistent_absence_cohort.enabled && inPersistentAbsenceCohort(pupil)) rateAlert('persistent_absence_cohort');

  if (s.unauthorised_10_days.enabled) {
    // A day counts when every possible session is unauthorised; anything else ends the run.
    const need = s.unauthorised_10_days.threshold;
    let runStart = -1;
    let run = 0;
    for (let i = 0; i < n; i++) {
      const d = days[i]!;
      if (d.possible > 0 && d.unauthorised === d.possible) {
        if (run === 0) runStart = i;
        run++;
      } else run = 0;
    }
    if (run >= need) raise('unauthorised_10_days', runStart + need - 1, days[runStart]!.date, { consecutiveDays: run, threshold: need });
  }

  if (s.illness_15_days.enabled) {
    // Consecutive or over the year: fifteen days in a row are fifteen over the year, so one count does both.
    const needSessions = s.illness_15_days.threshold * 2;
    let sessions = 0;
    let reached = -1;
    for (let i = 0; i < n; i++) {
      sessions += days[i]!.illness;
      if (reached < 0 && sessions >= needSessions) reached = i;
    }
    if (reached >= 0) raise('illness_15_days', reached, days[reached]!.date, { illnessDays: sessions / 2, threshold: s.illness_15_days.threshold }, ctx.academicYear);
  }

  if (s.penalty_notice_threshold.enabled) {
    const need = s.penalty_notice_threshold.threshold;
    let open = -1;
    for (let i = 0; i < n; i++) {
      const count = cumUnauth[i + 1]! - cumUnauth[windowStart(i, PENALTY_WINDOW_SCHOOL_WEEKS)]!;
      if (open < 0 && count >= need) open = i;
      else if (open >= 0 && count < need) open = -1;
    }
    if (open >= 0) {
      const from = windowStart(n - 1, PENALTY_WINDOW_SCHOOL_WEEKS);
      raise('penalty_notice_threshold', open, days[open]!.date, { unauthorisedSessions: cumUnauth[n]! - cumUnauth[from]!, threshold: need, windowStart: days[from]!.date });
    }
  }

  if (s.youth_justice_not_attending.enabled && pupil.youth_justice === 1) {
    const threshold = s.youth_justice_not_attending.threshold;
    const windowRate = (i: number) => {
      const from = windowStart(i, YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS);
      const possible = cumPossible[i + 1]! - cumPossible[from]!;
      return possible >= s.minPossibleSessions ? percent(cumAttended[i + 1]! - cumAttended[from]!, possible) : null;
    };
    // "Below" the rate, so the comparison is strict: a nudge under the threshold is the episode.
    const episode = rateEpisode(n, threshold - 0.05, s.recoveryPoints, windowRate);
    if (episode) {
      const from = windowStart(n - 1, YOUTH_JUSTICE_WINDOW_SCHOOL_WEEKS);
      raise('youth_justice_not_attending', episode.start, days[episode.start]!.date, { windowRate: windowRate(n - 1)!, threshold, windowStart: days[from]!.date });
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
