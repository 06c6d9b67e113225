import type { Enrolment, Exclusion, Pupil, Role, School } from '../store/database';
import type { Selectable } from 'kysely';
import type { ExclusionReviewTable } from '../store/tables/casework';

/** The typed rows the rules read: plain data, so the rules stay pure and fast. */
export type RulePupil = Pick<Pupil, 'id' | 'sen_provision' | 'looked_after' | 'social_worker' | 'fsm' | 'ethnicity'> & Partial<Pick<Pupil, 'home_la'>>;
export type RuleExclusion = Pick<
  Exclusion,
  'id' | 'pupil_id' | 'school_urn' | 'category' | 'start_date' | 'sessions' | 'notified_date' | 'missed_public_exam'
> &
  /** Casework fields (migration 0010); absent or null on older rows. */
  Partial<Pick<Exclusion, 'decision_date' | 'exam_date' | 'start_session' | 'outcome' | 'outcome_date' | 'outcome_by'>>;
export type RuleEnrolment = Pick<Enrolment, 'pupil_id' | 'school_urn' | 'start_date' | 'end_date' | 'registration'>;
export type RuleSchool = Pick<School, 'urn' | 'district_id'>;
/** The recorded review steps of an exclusion (governors' decision, IRP). */
export type RuleReview = Pick<
  Selectable<ExclusionReviewTable>,
  'exclusion_id' | 'governors_decision' | 'governors_meeting_date' | 'governors_notified_date' | 'irp_applied_date' | 'irp_sen_expert' | 'irp_outcome' | 'irp_decision_notified_date' | 'reconsidered_date'
>;
/** A permanently excluded pupil's new full-time place, as recorded by the authority. */
export interface RulePlacement {
  exclusionId: number;
  recordedOn: string;
}

export type Cohort = 'ehc_plan' | 'sen_support' | 'looked_after' | 'social_worker' | 'fsm';

export type PupilRuleId =
  | 'permanent_exclusion'
  | 'ehc_plan_excluded'
  | 'looked_after_excluded'
  | 'social_worker_excluded'
  | 'term_total_over_5'
  | 'term_total_over_15'
  | 'missed_public_exam'
  | 'year_total_warning'
  | 'year_total_over_cap'
  | 'suspension_day6'
  | 'pex_la_day6'
  | 'pex_governors_review'
  | 'pex_no_placement'
  | 'pex_no_free_place'
  | 'repeated_suspensions'
  | 'reported_late'
  | 'pru_suspension_day6'
  | 'irp_application_window'
  | 'irp_panel_deadline'
  | 'governors_reconsideration'
  | 'home_la_excluded';

export type DistrictRuleId = 'disproportionality';
/** Attendance rules (issue 12): pure functions in services/attendance/attendance-rules.ts. */
export type AttendanceRuleId =
  | 'severe_absence_onset'
  | 'persistent_absence_cohort'
  | 'unauthorised_10_days'
  | 'illness_15_days'
  | 'penalty_notice_threshold'
  | 'youth_justice_not_attending';
export type AlertRuleId = PupilRuleId | DistrictRuleId | AttendanceRuleId;

export interface PupilAlertFacts {
  /** 'YYYY/YY autumn' etc. for term totals. */
  term?: string;
  termTotalDays?: number;
  academicYear?: string;
  yearTotalDays?: number;
  /** Distinct schools whose suspensions make up the year total. */
  yearTotalSchools?: number;
  consecutiveDays?: number;
  /** Suspensions inside the repeated-suspension window, including this one. */
  suspensionsInWindow?: number;
  /** The sixth school day of a permanent exclusion (for the placement alert). */
  daySix?: string;
  /** The deadline falls after the last day of the loaded calendar: the alert is raised without it. */
  dueBeyondCalendar?: boolean;
  /** The day the head notified parents and the board (the board's clock runs from it). */
  decisionDate?: string;
  /** The day the authority was told, when known. */
  laNotifiedDate?: string;
  /** School days between the local reporting deadline and the day the authority was told. */
  schoolDaysLate?: number;
  /** A public exam the exclusion makes the pupil miss (the board should meet before it). */
  examDate?: string;
  /** The deadline shown is the school day before the exam, earlier than the 15th school day. */
  beforeExam?: boolean;
  /** A permanent exclusion that also makes the pupil miss a public exam. */
  missesExam?: boolean;
  /** Review steps: when the governors met and when parents were told. */
  governorsMeetingDate?: string;
  governorsNotifiedDate?: string;
  irpAppliedDate?: string;
  irpSenExpert?: boolean;
  irpOutcome?: string;
  /** The pupil's home authority (DfE code) when it is not this one. */
  homeLa?: string;
}

export interface PupilAlert {
  scope: 'pupil';
  rule: PupilRuleId;
  pupilId: number;
  exclusionId: number;
  /** The excluding school. */
  schoolUrn: number;
  /** Schools the pupil is on roll at today (differs from schoolUrn after a move). */
  currentSchoolUrns: number[];
  /** The exclusion's start date. */
  eventDate: string;
  dueDate?: string;
  /** School days from today to the due date at the excluding school; negative when overdue. */
  schoolDaysLeft?: number;
  cohorts: Cohort[];
  facts: PupilAlertFacts;
  /** Same event, same rule, same due date: same key, so the outbox sends it once per subscriber. */
  dedupeKey: string;
}

export type DisproportionalityGroup = { kind: 'sen' } | { kind: 'fsm' } | { kind: 'ethnicity'; code: string };

export interface DistrictAlert {
  scope: 'district';
  rule: DistrictRuleId;
  districtId: number;
  /** Monday of the week evaluated. */
  weekStart: string;
  periodStart: string;
  periodEnd: string;
  group: DisproportionalityGroup;
  groupPupils: number;
  groupSuspensions: number;
  /** Suspensions per 100 pupils. */
  groupRate: number;
  restPupils: number;
  restSuspensions: number;
  restRate: number;
  /** groupRate / restRate; null when the rest had no suspensions at all. */
  ratio: number | null;
  dedupeKey: string;
}

/** The counts behind an attendance alert (ids, dates and numbers; never names). */
export interface AttendanceAlertFacts {
  /** Attendance this academic year to the evaluated day, percent with one decimal. */
  yearRate?: number;
  /** The threshold the rule used (percent, days or sessions). */
  threshold?: number;
  consecutiveDays?: number;
  illnessDays?: number;
  unauthorisedSessions?: number;
  /** First school day of the window the count covers. */
  windowStart?: string;
  /** Attendance over the window, percent. */
  windowRate?: number;
}

export interface AttendanceAlert {
  scope: 'attendance';
  rule: AttendanceRuleId;
  pupilId: number;
  /** The school whose marks the pupil has most recently. */
  schoolUrn: number;
  currentSchoolUrns: number[];
  /** The school day the rule fired (the episode's onset). */
  eventDate: string;
  /** The duty's date (the school's return, a decision), when the rule has one. */
  dueDate?: string;
  /** First day of the episode (a pupil who recovers and falls again starts a new one). */
  episodeStart: string;
  cohorts: Cohort[];
  youthJustice: boolean;
  /** Staff linked to the pupil as youth justice workers when the rule ran. */
  youthJusticeWorkerIds: number[];
  /** Roles whose default subscription receives this rule (configured; explicit subscriptions may add more). */
  recipientRoles: Role[];
  facts: AttendanceAlertFacts;
  dedupeKey: string;
}

export type ExclusionAlert = PupilAlert | DistrictAlert | AttendanceAlert;

/** A row the rules could not evaluate (e.g. a date outside the calendar). Ids only, never names. */
export interface RuleProblem {
  pupilId?: number;
  exclusionId?: number;
  message: string;
}
