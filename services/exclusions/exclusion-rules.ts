import { CalendarError, type SchoolCalendar } from '../calendar/school-calendar';
import type {
  Cohort,
  PupilAlert,
  PupilAlertFacts,
  PupilRuleId,
  RuleEnrolment,
  RuleExclusion,
  RulePlacement,
  RuleProblem,
  RulePupil,
} from './alert-types';
import {
  COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS,
  DAY_SIX_AFTER_DAYS,
  OPTIONAL_REVIEW_WITHIN_SCHOOL_DAYS,
  TERM_COMPULSORY_REVIEW_DAYS,
  TERM_OPTIONAL_REVIEW_DAYS,
  YEAR_CAP_DAYS,
  resolveRuleSettings,
  type RuleSettings,
} from './rule-settings';
import { byStart, firstSchoolDay, nthSchoolDay, runningTotals, suspensionDayShares, type DayShare } from './suspension-totals';

/**
 * The exclusion alert rules: pure functions from typed rows and the school calendar to alerts.
 * Nothing here reads the store or the clock; `today` is passed in. Each alert carries a dedupe key
 * (rule, pupil, exclusion, due date, and the term where relevant) so re-running the rules after
 * every import never sends the same alert twice.
 */

export interface PupilRuleInput {
  /** Europe/London date the rules run on (todayInLondon(clock)). */
  today: string;
  calendar: SchoolCalendar;
  pupils: readonly RulePupil[];
  /** Every exclusion of these pupils in the academic years of interest, at any school. */
  exclusions: readonly RuleExclusion[];
  enrolments?: readonly RuleEnrolment[];
  /**
   * Placements recorded for permanent exclusions. Leave undefined when the source cannot tell:
   * the "no placement recorded" rule then stays silent rather than raising false alarms.
   */
  placements?: readonly RulePlacement[];
  settings?: RuleSettings;
}

export interface RuleResult {
  alerts: PupilAlert[];
  problems: RuleProblem[];
}

export function cohortsOf(pupil: RulePupil): Cohort[] {
  const cohorts: Cohort[] = [];
  if (pupil.sen_provision === 'E') cohorts.push('ehc_plan');
  if (pupil.sen_provision === 'K') cohorts.push('sen_support');
  if (pupil.looked_after === 1) cohorts.push('looked_after');
  if (pupil.social_worker !== 'N') cohorts.push('social_worker');
  if (pupil.fsm === 1) cohorts.push('fsm');
  return cohorts;
}

export function alertDedupeKey(rule: PupilRuleId, pupilId: number, exclusionId: number, dueDate?: string, extra?: string): string {
  return [rule, `p${pupilId}`, `x${exclusionId}`, dueDate ?? '-', ...(extra ? [extra] : [])].join(':');
}

interface PupilContext {
  today: string;
  calendar: SchoolCalendar;
  settings: RuleSettings;
  eventsSince: string;
  pupil: RulePupil;
  cohorts: Cohort[];
  currentSchoolUrns: number[];
  placed: ReadonlySet<number> | undefined;
  alerts: PupilAlert[];
  problems: RuleProblem[];
}

/** Evaluates every pupil-level rule for the pupils given. */
export function evaluateExclusionRules(input: PupilRuleInput): RuleResult {
  const settings = input.settings ?? resolveRuleSettings();
  const alerts: PupilAlert[] = [];
  const problems: RuleProblem[] = [];
  let eventsSince: string;
  try {
    eventsSince = settings.eventsSince ?? input.calendar.academicYearStart(input.today);
    input.calendar.isSchoolDay(input.today); // fail once, clearly, if today is outside the calendar
  } catch (error) {
    return { alerts, problems: [{ message: (error as Error).message }] };
  }

  const byPupil = new Map<number, RuleExclusion[]>();
  for (const exclusion of input.exclusions) {
    const list = byPupil.get(exclusion.pupil_id);
    if (list) list.push(exclusion);
    else byPupil.set(exclusion.pupil_id, [exclusion]);
  }
  const currentSchools = new Map<number, number[]>();
  for (const e of input.enrolments ?? []) {
    if (!byPupil.has(e.pupil_id)) continue; // only pupils with exclusions get alerts
    if (e.start_date > input.today || (e.end_date !== null && e.end_date < input.today)) continue;
    const list = currentSchools.get(e.pupil_id) ?? [];
    if (!list.includes(e.school_urn)) list.push(e.school_urn);
    currentSchools.set(e.pupil_id, list);
  }
  const placed = input.placements ? new Set(input.placements.map((p) => p.exclusionId)) : undefined;

  for (const pupil of input.pupils) {
    const exclusions = byPupil.get(pupil.id);
    if (!exclusions || exclusions.length === 0) continue;
    const ctx: PupilContext = {
      today: input.today,
      calendar: input.calendar,
      settings,
      eventsSince,
      pupil,
      cohorts: cohortsOf(pupil),
      currentSchoolUrns: (currentSchools.get(pupil.id) ?? []).sort((a, b) => a - b),
      placed,
      alerts,
      problems,
    };
    evaluatePupil(ctx, [...exclusions].sort(byStart));
  }
  return { alerts, problems };
}

function evaluatePupil(ctx: PupilContext, exclusions: RuleExclusion[]): void {
  const shares = new Map<number, DayShare[]>();
  const usable: RuleExclusion[] = [];
  for (const exclusion of exclusions) {
    attempt(ctx, exclusion, () => {
      shares.set(exclusion.id, suspensionDayShares(exclusion, ctx.calendar));
      usable.push(exclusion);
    });
  }
  for (const exclusion of usable) {
    if (!isEvent(ctx, exclusion)) continue;
    attempt(ctx, exclusion, () => eventRules(ctx, exclusion));
  }
  attempt(ctx, undefined, () => suspensionDaySixRule(ctx, usable, shares));
  attempt(ctx, undefined, () => termTotalRules(ctx, usable, shares));
  attempt(ctx, undefined, () => yearTotalRules(ctx, usable, shares));
  attempt(ctx, undefined, () => repeatedSuspensionRule(ctx, usable));
}

function isEvent(ctx: PupilContext, exclusion: RuleExclusion): boolean {
  return exclusion.start_date >= ctx.eventsSince;
}

/** Runs one rule; a calendar gap or bad row becomes a problem for that row, not a crash. */
function attempt(ctx: PupilContext, exclusion: RuleExclusion | undefined, run: () => void): void {
  try {
    run();
  } catch (error) {
    ctx.problems.push({ pupilId: ctx.pupil.id, exclusionId: exclusion?.id, message: (error as Error).message });
  }
}

/**
 * A deadline in school days, or undefined when it falls after the loaded calendar ends (e.g. 50
 * school days from a July suspension). The alert still goes out without the date, and a problem
 * tells the authority to load next year's term dates.
 */
function due(ctx: PupilContext, exclusion: RuleExclusion, compute: () => string): string | undefined {
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof CalendarError) || !/runs past the end/.test(error.message)) throw error;
    ctx.problems.push({ pupilId: ctx.pupil.id, exclusionId: exclusion.id, message: error.message });
    return undefined;
  }
}

function emit(
  ctx: PupilContext,
  rule: PupilRuleId,
  exclusion: RuleExclusion,
  options: { dueDate?: string; facts?: PupilAlertFacts; keyExtra?: string } = {},
): void {
  const alert: PupilAlert = {
    scope: 'pupil',
    rule,
    pupilId: ctx.pupil.id,
    exclusionId: exclusion.id,
    schoolUrn: exclusion.school_urn,
    currentSchoolUrns: ctx.currentSchoolUrns,
    eventDate: exclusion.start_date,
    cohorts: ctx.cohorts,
    facts: options.facts ?? {},
    dedupeKey: alertDedupeKey(rule, ctx.pupil.id, exclusion.id, options.dueDate, options.keyExtra),
  };
  if (options.dueDate) {
    alert.dueDate = options.dueDate;
    alert.schoolDaysLeft = ctx.calendar.schoolDaysBetween(ctx.today, options.dueDate, exclusion.school_urn);
  } else if ('dueDate' in options) {
    alert.facts = { ...alert.facts, dueBeyondCalendar: true };
  }
  ctx.alerts.push(alert);
}

/**
 * The day the board is taken to have notice. The row records when the LA was told; heads must tell
 * the board and the LA together ("without delay"), so that date stands in, else the start date.
 */
function noticeDate(exclusion: RuleExclusion): string {
  return exclusion.notified_date ?? exclusion.start_date;
}

function eventRules(ctx: PupilContext, exclusion: RuleExclusion): void {
  const { calendar, pupil } = ctx;
  if (exclusion.category === 'PERM') {
    // Basis: SI 2012/1033 reg 5 - the LA must be told of every permanent exclusion without delay.
    emit(ctx, 'permanent_exclusion', exclusion);

    // Basis: exclusion guidance (EIA 2006 s.100) - the LA arranges full-time education from day 6.
    const daySix = due(ctx, exclusion, () => nthSchoolDay(exclusion, DAY_SIX_AFTER_DAYS + 1, calendar));
    emit(ctx, 'pex_la_day6', exclusion, { dueDate: daySix });

    // Basis: SI 2012/1033 reg 24(1)(a) and parallels - board considers reinstatement within 15 school days of notice.
    const review = due(ctx, exclusion, () => calendar.addSchoolDays(noticeDate(exclusion), COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
    emit(ctx, 'pex_governors_review', exclusion, { dueDate: review });

    // Basis: as pex_la_day6 - warn before day 6 passes without a recorded placement.
    if (ctx.placed && !ctx.placed.has(exclusion.id) && daySix) {
      const left = calendar.schoolDaysBetween(ctx.today, daySix, exclusion.school_urn);
      if (left <= ctx.settings.placementWarnSchoolDays) emit(ctx, 'pex_no_placement', exclusion, { dueDate: daySix, facts: { daySix } });
    }
  }

  // Basis: exclusion guidance - avoid excluding pupils with EHC plans; the LA must secure the plan's provision.
  if (pupil.sen_provision === 'E') emit(ctx, 'ehc_plan_excluded', exclusion);
  // Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 - the virtual school head must be told without delay.
  if (pupil.looked_after === 1) emit(ctx, 'looked_after_excluded', exclusion);
  // Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 - the social worker must be told without delay.
  if (pupil.social_worker !== 'N') emit(ctx, 'social_worker_excluded', exclusion);

  // Basis: SI 2012/1033 reg 24(1)(b)(ii) and parallels - a missed public exam obliges the board to meet (before the exam if practicable).
  if (exclusion.category !== 'PERM' && exclusion.missed_public_exam === 1) {
    const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(noticeDate(exclusion), COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
    emit(ctx, 'missed_public_exam', exclusion, { dueDate });
  }
}

/**
 * Basis: exclusion guidance (EIA 2006 s.101) - the school arranges full-time education from day 6
 * of a suspension of more than five consecutive school days.
 */
function suspensionDaySixRule(ctx: PupilContext, exclusions: RuleExclusion[], shares: ReadonlyMap<number, DayShare[]>): void {
  const bySchool = new Map<number, RuleExclusion[]>();
  for (const e of exclusions) {
    if (e.category !== 'SUSP' || (shares.get(e.id)?.length ?? 0) === 0) continue;
    bySchool.set(e.school_urn, [...(bySchool.get(e.school_urn) ?? []), e]);
  }
  for (const [urn, list] of bySchool) {
    let chainDates: string[] = [];
    let chainOwners: RuleExclusion[] = [];
    let chainFirst: RuleExclusion | undefined;
    const close = () => {
      if (chainDates.length > DAY_SIX_AFTER_DAYS && chainFirst) {
        const daySix = chainDates[DAY_SIX_AFTER_DAYS]!;
        const owner = chainOwners[DAY_SIX_AFTER_DAYS]!;
        if (isEvent(ctx, owner))
          emit(ctx, 'suspension_day6', owner, {
            dueDate: daySix,
            facts: { consecutiveDays: chainDates.length },
            keyExtra: chainFirst.id === owner.id ? undefined : `from-x${chainFirst.id}`,
          });
      }
      chainDates = [];
      chainOwners = [];
      chainFirst = undefined;
    };
    for (const exclusion of list) {
      const dates = shares.get(exclusion.id)!.map((s) => s.date);
      const last = chainDates[chainDates.length - 1];
      const continues =
        ctx.settings.combineBackToBackSuspensions && last !== undefined && ctx.calendar.addSchoolDays(last, 1, urn) === dates[0];
      if (!continues) close();
      if (!chainFirst) chainFirst = exclusion;
      for (const date of dates) {
        if (chainDates[chainDates.length - 1] === date) continue;
        chainDates.push(date);
        chainOwners.push(exclusion);
      }
    }
    close();
  }
}

/**
 * Basis: SI 2012/1033 reg 24(1)(b)(i) and (c) and parallels - term totals over 5 (board meets within
 * 50 school days if parents make representations) and over 15 (board must meet within 15 school days).
 */
function termTotalRules(ctx: PupilContext, exclusions: RuleExclusion[], shares: ReadonlyMap<number, DayShare[]>): void {
  const { calendar } = ctx;
  const totals = runningTotals(exclusions, shares, (exclusion, share) => {
    const term = calendar.termOf(share.date);
    const termLabel = term ? `${term.academicYear} ${term.name}` : `outside term ${share.date}`;
    return ctx.settings.termTotalsAcrossSchools ? termLabel : `${termLabel}|${exclusion.school_urn}`;
  });
  for (const exclusion of exclusions) {
    if (!isEvent(ctx, exclusion)) continue;
    for (const change of totals.get(exclusion.id) ?? []) {
      const term = change.bucket.split('|')[0]!;
      const facts = { term, termTotalDays: change.after };
      if (change.before <= TERM_COMPULSORY_REVIEW_DAYS && change.after > TERM_COMPULSORY_REVIEW_DAYS) {
        const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(noticeDate(exclusion), COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
        emit(ctx, 'term_total_over_15', exclusion, { dueDate, facts, keyExtra: term });
      } else if (change.before <= TERM_OPTIONAL_REVIEW_DAYS && change.after > TERM_OPTIONAL_REVIEW_DAYS) {
        // Only the higher threshold is raised when one suspension crosses both: the compulsory meeting covers it.
        const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(noticeDate(exclusion), OPTIONAL_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
        emit(ctx, 'term_total_over_5', exclusion, { dueDate, facts, keyExtra: term });
      }
    }
  }
}

/** Basis: Education Act 2002 s.51A and exclusion guidance - at most 45 school days of suspension per school year, across schools. */
function yearTotalRules(ctx: PupilContext, exclusions: RuleExclusion[], shares: ReadonlyMap<number, DayShare[]>): void {
  const { calendar, settings } = ctx;
  const bucketOf = (exclusion: RuleExclusion, share: DayShare) =>
    settings.yearTotalsAcrossSchools ? calendar.academicYearOf(share.date) : `${calendar.academicYearOf(share.date)}|${exclusion.school_urn}`;
  const totals = runningTotals(exclusions, shares, bucketOf);
  const schoolsSoFar = new Map<string, Set<number>>();
  for (const exclusion of exclusions) {
    for (const share of shares.get(exclusion.id) ?? []) {
      const bucket = bucketOf(exclusion, share);
      const set = schoolsSoFar.get(bucket) ?? new Set<number>();
      set.add(exclusion.school_urn);
      schoolsSoFar.set(bucket, set);
    }
    if (!isEvent(ctx, exclusion)) continue;
    for (const change of totals.get(exclusion.id) ?? []) {
      const academicYear = change.bucket.split('|')[0]!;
      const facts = { academicYear, yearTotalDays: change.after, yearTotalSchools: schoolsSoFar.get(change.bucket)?.size ?? 1 };
      if (change.before <= YEAR_CAP_DAYS && change.after > YEAR_CAP_DAYS)
        emit(ctx, 'year_total_over_cap', exclusion, { facts, keyExtra: academicYear });
      else if (change.before < settings.yearWarnDays && change.after >= settings.yearWarnDays && change.after <= YEAR_CAP_DAYS)
        emit(ctx, 'year_total_warning', exclusion, { facts, keyExtra: academicYear });
    }
  }
}

/**
 * Basis: local practice (Lincolnshire ladder; thresholds a local choice) - 3 or more suspensions
 * whose first days fall within 30 school days suggest reviewing the pupil's rung on the ladder.
 */
function repeatedSuspensionRule(ctx: PupilContext, exclusions: RuleExclusion[]): void {
  const { calendar, settings } = ctx;
  const counted = exclusions.filter((e) => e.category === 'SUSP' || (e.category === 'LUNC' && settings.repeatedIncludesLunchtimes));
  const firstDays = counted.map((e) => firstSchoolDay(e, calendar));
  for (let i = 0; i < counted.length; i++) {
    const exclusion = counted[i]!;
    if (!isEvent(ctx, exclusion)) continue;
    let inWindow = 1;
    for (let j = i - 1; j >= 0; j--) {
      // Span from the earlier first day to this one, both inclusive, in this school's days.
      const span = calendar.schoolDaysBetween(firstDays[j]!, firstDays[i]!, exclusion.school_urn) + 1;
      if (span > settings.repeatedWindowSchoolDays) break;
      inWindow++;
    }
    if (inWindow >= settings.repeatedCount) emit(ctx, 'repeated_suspensions', exclusion, { facts: { suspensionsInWindow: inWindow } });
  }
}
