import { addDays } from '../calendar/dates';
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
  RuleReview,
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
import { districtHasNoFreePlace, phaseOfYear, type ApPlaceRows } from '../places/free-places';
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
  /**
   * Pupil referral units among the excluding schools: day-6 education for a pupil suspended from
   * one is the authority's to arrange, not the unit's.
   */
  pruSchoolUrns?: ReadonlySet<number>;
  /** Recorded review steps (governors' decision, independent review), by exclusion. */
  reviews?: readonly RuleReview[];
  /** This authority's DfE code: a pupil whose home_la differs lives elsewhere. */
  localLaCode?: string;
  /** Alternative provision hubs and placements (issue 12); undefined: the no-free-place rule stays silent. */
  apPlaces?: ApPlaceRows;
  settings?: RuleSettings;
}

/** The board's duties to consider reinstatement: met once the governors' decision is recorded. */
const BOARD_DUTIES: ReadonlySet<PupilRuleId> = new Set(['pex_governors_review', 'term_total_over_15', 'term_total_over_5', 'missed_public_exam']);
/** School days for the review steps (SI 2012/1033 Sch 1 paras 1-2; regs 8, 17, 26). */
export const IRP_APPLY_WITHIN_SCHOOL_DAYS = 15;
export const IRP_PANEL_WITHIN_SCHOOL_DAYS = 15;
export const RECONSIDER_WITHIN_SCHOOL_DAYS = 10;

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
  /** Exclusion id -> the day its recorded full-time place starts. */
  placed: ReadonlyMap<number, string> | undefined;
  pruSchoolUrns: ReadonlySet<number>;
  reviews: ReadonlyMap<number, RuleReview>;
  localLaCode: string | undefined;
  apPlaces: ApPlaceRows | undefined;
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
  const placed = input.placements ? new Map(input.placements.map((p) => [p.exclusionId, p.recordedOn])) : undefined;
  const reviews = new Map((input.reviews ?? []).map((r) => [r.exclusion_id, r]));

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
      pruSchoolUrns: input.pruSchoolUrns ?? new Set<number>(),
      reviews,
      localLaCode: input.localLaCode,
      apPlaces: input.apPlaces,
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
  // Withdrawn, cancelled or reinstated: its duties and deadlines stop (its served days still count).
  if (exclusion.outcome) return;
  // The board has met and decided: its duty to consider reinstatement is done.
  if (BOARD_DUTIES.has(rule) && ctx.reviews.get(exclusion.id)?.governors_decision) return;
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
 * The day the board is taken to have notice: the head tells parents, the board and the authority
 * together, so the head's decision date (default the start date), never the day the authority
 * heard, which may be later.
 */
function boardNoticeDate(exclusion: RuleExclusion): string {
  return exclusion.decision_date ?? exclusion.start_date;
}

/** Facts every board deadline shows: the head's notice and, when known, when the authority heard. */
function noticeFacts(exclusion: RuleExclusion): PupilAlertFacts {
  return { decisionDate: boardNoticeDate(exclusion), ...(exclusion.notified_date ? { laNotifiedDate: exclusion.notified_date } : {}) };
}

/** The last school day before a date at this school (the board should meet before an exam). */
function schoolDayBefore(calendar: SchoolCalendar, date: string, urn: number): string | undefined {
  const from = addDays(date, -60) < calendar.firstDay() ? calendar.firstDay() : addDays(date, -60);
  const to = addDays(date, -1);
  if (to < from) return undefined;
  const days = calendar.schoolDays(from, to, urn);
  return days[days.length - 1];
}

/**
 * The board's 15-school-day deadline from its notice; with a public exam, the earlier of that and
 * the school day before the exam (reg 24(1)(b)(ii): meet before the exam where practicable).
 */
function boardDeadline(ctx: PupilContext, exclusion: RuleExclusion): { dueDate: string | undefined; facts: PupilAlertFacts } {
  const facts = noticeFacts(exclusion);
  const fifteenth = due(ctx, exclusion, () => ctx.calendar.addSchoolDays(boardNoticeDate(exclusion), COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
  if (!exclusion.exam_date) return { dueDate: fifteenth, facts };
  const beforeExam = schoolDayBefore(ctx.calendar, exclusion.exam_date, exclusion.school_urn);
  if (beforeExam && (fifteenth === undefined || beforeExam < fifteenth)) return { dueDate: beforeExam, facts: { ...facts, examDate: exclusion.exam_date, beforeExam: true } };
  return { dueDate: fifteenth, facts: { ...facts, examDate: exclusion.exam_date } };
}

function eventRules(ctx: PupilContext, exclusion: RuleExclusion): void {
  const { calendar, pupil } = ctx;
  if (exclusion.category === 'PERM') {
    // Basis: SI 2012/1033 reg 5 - the LA must be told of every permanent exclusion without delay.
    emit(ctx, 'permanent_exclusion', exclusion, exclusion.exam_date ? { facts: { examDate: exclusion.exam_date, missesExam: true } } : {});

    // Basis: Education Act 1996 s.19(3A) (inserted by EIA 2006 s.101) - the LA arranges full-time education from day 6.
    const daySix = due(ctx, exclusion, () => nthSchoolDay(exclusion, DAY_SIX_AFTER_DAYS + 1, calendar));
    emit(ctx, 'pex_la_day6', exclusion, { dueDate: daySix });

    // Basis: SI 2012/1033 reg 24(1)(a) and parallels - board considers reinstatement within 15 school days of its notice (before an exam if practicable).
    const review = boardDeadline(ctx, exclusion);
    emit(ctx, 'pex_governors_review', exclusion, { dueDate: review.dueDate, facts: exclusion.exam_date ? { ...review.facts, missesExam: true } : review.facts });

    reviewStepRules(ctx, exclusion);

    // Basis: SI 2012/1033 regs 2 and 5 and EA 1996 s.19 - the home authority must be told, and arranges day-6 education.
    if (pupil.home_la && pupil.home_la !== ctx.localLaCode) emit(ctx, 'home_la_excluded', exclusion, { facts: { homeLa: pupil.home_la } });

    // Basis: as pex_la_day6 - warn before day 6 passes without a recorded placement. Only a place
    // starting on or before day 6 meets the duty; a later one still leaves days without education.
    const placedOn = ctx.placed?.get(exclusion.id);
    if (ctx.placed && daySix && (placedOn === undefined || placedOn > daySix)) {
      const left = calendar.schoolDaysBetween(ctx.today, daySix, exclusion.school_urn);
      if (left <= ctx.settings.placementWarnSchoolDays) emit(ctx, 'pex_no_placement', exclusion, { dueDate: daySix, facts: { daySix } });
    }

    // Basis: as pex_la_day6 - an upcoming day 6 with no free alternative provision place in the
    // excluding school's district (for the pupil's phase): the authority must find one elsewhere.
    const year = ctx.apPlaces?.pupilYears.get(pupil.id);
    const districtId = ctx.apPlaces?.schoolDistricts.get(exclusion.school_urn);
    if (ctx.apPlaces && daySix && daySix >= ctx.today && (placedOn === undefined || placedOn > daySix) && year !== undefined && districtId !== undefined) {
      if (districtHasNoFreePlace(ctx.apPlaces, districtId, phaseOfYear(year), daySix)) emit(ctx, 'pex_no_free_place', exclusion, { dueDate: daySix, facts: { daySix } });
    }
  }

  // Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 - the LA must be told of every exclusion without delay (local rule: within a school day).
  reportedLateRule(ctx, exclusion);

  // Basis: exclusion guidance - avoid excluding pupils with EHC plans; the LA must secure the plan's provision.
  if (pupil.sen_provision === 'E') emit(ctx, 'ehc_plan_excluded', exclusion);
  // Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 - the virtual school head must be told without delay.
  if (pupil.looked_after === 1) emit(ctx, 'looked_after_excluded', exclusion);
  // Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 - the social worker must be told without delay.
  if (pupil.social_worker !== 'N') emit(ctx, 'social_worker_excluded', exclusion);

  // Basis: SI 2012/1033 reg 24(1)(b)(ii) and parallels - a missed public exam obliges the board to meet (before the exam if practicable).
  if (exclusion.category !== 'PERM' && (exclusion.missed_public_exam === 1 || exclusion.exam_date)) {
    const { dueDate, facts } = boardDeadline(ctx, exclusion);
    emit(ctx, 'missed_public_exam', exclusion, { dueDate, facts });
  }
}

/**
 * Basis: SI 2012/1033 Sch 1 paras 1-2 and regs 8, 17, 26 - after the governors uphold a permanent
 * exclusion: parents' 15 school days to apply for an independent review from notice of the decision;
 * the panel's 15 school days from the application; the board's 10 school days to reconsider from
 * notice of a panel recommendation or quash.
 */
function reviewStepRules(ctx: PupilContext, exclusion: RuleExclusion): void {
  const review = ctx.reviews.get(exclusion.id);
  if (!review || review.governors_decision !== 'upheld') return;
  const { calendar } = ctx;
  const urn = exclusion.school_urn;
  const notice = review.governors_notified_date ?? review.governors_meeting_date;
  const facts: PupilAlertFacts = {
    ...(review.governors_meeting_date ? { governorsMeetingDate: review.governors_meeting_date } : {}),
    ...(notice ? { governorsNotifiedDate: notice } : {}),
  };
  if (!review.irp_applied_date) {
    if (!notice) return;
    const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(notice, IRP_APPLY_WITHIN_SCHOOL_DAYS, urn));
    emit(ctx, 'irp_application_window', exclusion, { dueDate, facts });
    return;
  }
  const applied = { ...facts, irpAppliedDate: review.irp_applied_date, irpSenExpert: review.irp_sen_expert === 1 };
  if (!review.irp_outcome) {
    const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(review.irp_applied_date!, IRP_PANEL_WITHIN_SCHOOL_DAYS, urn));
    emit(ctx, 'irp_panel_deadline', exclusion, { dueDate, facts: applied });
    return;
  }
  if (review.irp_outcome === 'upheld' || review.reconsidered_date || !review.irp_decision_notified_date) return;
  const panelNotice = review.irp_decision_notified_date;
  const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(panelNotice, RECONSIDER_WITHIN_SCHOOL_DAYS, urn));
  emit(ctx, 'governors_reconsideration', exclusion, { dueDate, facts: { ...applied, irpOutcome: review.irp_outcome } });
}

/**
 * Basis: SI 2012/1033 reg 5 as amended by SI 2022/788 (every suspension and permanent exclusion,
 * without delay) and the local rule (within one school day, configurable): a late report is a fault.
 */
function reportedLateRule(ctx: PupilContext, exclusion: RuleExclusion): void {
  if (!exclusion.notified_date) return; // not known when the authority heard: nothing to judge
  const decided = boardNoticeDate(exclusion);
  const within = ctx.settings.laReportWithinSchoolDays;
  const urn = exclusion.school_urn;
  // The reporting deadline: the decision day itself when 0, else that many school days after it.
  const deadline = within === 0 ? decided : ctx.calendar.addSchoolDays(decided, within, urn);
  if (exclusion.notified_date <= deadline) return;
  emit(ctx, 'reported_late', exclusion, {
    facts: { ...noticeFacts(exclusion), schoolDaysLate: Math.max(1, ctx.calendar.schoolDaysBetween(deadline, exclusion.notified_date, urn)) },
  });
}

/**
 * Basis: EIA 2006 s.100 and the 2007 full-time provision regulations as amended (for a PRU, EA 1996
 * s.19(3A)) - full-time education from the 6th consecutive school day of one or more back-to-back
 * suspensions at one school. Joining back-to-back suspensions is the law, not a setting.
 */
function suspensionDaySixRule(ctx: PupilContext, exclusions: RuleExclusion[], shares: ReadonlyMap<number, DayShare[]>): void {
  const bySchool = new Map<number, RuleExclusion[]>();
  for (const e of exclusions) {
    if (e.category !== 'SUSP' || (shares.get(e.id)?.length ?? 0) === 0) continue;
    bySchool.set(e.school_urn, [...(bySchool.get(e.school_urn) ?? []), e]);
  }
  for (const [urn, list] of bySchool) {
    const rule: PupilRuleId = ctx.pruSchoolUrns.has(urn) ? 'pru_suspension_day6' : 'suspension_day6';
    let chainDates: string[] = [];
    let chainOwners: RuleExclusion[] = [];
    let chainFirst: RuleExclusion | undefined;
    let lastShare: DayShare | undefined;
    const close = () => {
      if (chainDates.length > DAY_SIX_AFTER_DAYS && chainFirst) {
        const daySix = chainDates[DAY_SIX_AFTER_DAYS]!;
        const owner = chainOwners[DAY_SIX_AFTER_DAYS]!;
        if (isEvent(ctx, owner))
          emit(ctx, rule, owner, {
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
      const own = shares.get(exclusion.id)!;
      if (!(lastShare && continuesRun(ctx.calendar, urn, lastShare, own[0]!))) close();
      if (!chainFirst) chainFirst = exclusion;
      for (const share of own) {
        if (chainDates[chainDates.length - 1] === share.date) continue;
        chainDates.push(share.date);
        chainOwners.push(exclusion);
      }
      lastShare = own[own.length - 1];
    }
    close();
  }
}

/**
 * Whether the next suspension continues the run without the pupil back in school in between: it
 * starts the afternoon of the day the last one ended at lunchtime, or the next school day's morning
 * after one that ran to the end of a day.
 */
function continuesRun(calendar: SchoolCalendar, urn: number, last: DayShare, next: DayShare): boolean {
  if (next.date === last.date) return last.half === 'AM' && next.half === 'PM';
  return last.half !== 'AM' && next.half !== 'PM' && calendar.addSchoolDays(last.date, 1, urn) === next.date;
}

/**
 * Basis: SI 2012/1033 reg 24(1)(b)(i) and (c) and parallels - every suspension after which the term
 * total is over 15 school days brings the board's duty to meet within 15 school days of its notice;
 * every one leaving it over 5 (up to 15), within 50 if parents make representations.
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
      const facts = { term, termTotalDays: change.after, ...noticeFacts(exclusion) };
      if (change.after > TERM_COMPULSORY_REVIEW_DAYS) {
        // Only the higher duty is raised when the total is over 15: the compulsory meeting covers it.
        const deadline = boardDeadline(ctx, exclusion);
        emit(ctx, 'term_total_over_15', exclusion, { dueDate: deadline.dueDate, facts: { ...deadline.facts, ...facts }, keyExtra: term });
      } else if (change.after > TERM_OPTIONAL_REVIEW_DAYS) {
        const dueDate = due(ctx, exclusion, () => calendar.addSchoolDays(boardNoticeDate(exclusion), OPTIONAL_REVIEW_WITHIN_SCHOOL_DAYS, exclusion.school_urn));
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
