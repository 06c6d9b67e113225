import type { AlertRuleId } from '../exclusions/alert-types';

/**
 * What a rule's due date is: a `duty` someone (authority, school, board, panel) must meet by then,
 * so once past it is overdue; or a `window` someone else may act within (parents applying for an
 * independent review), so once past it has simply closed: nobody is overdue and nothing is urgent.
 */
export type DueKind = 'duty' | 'window';

export interface RuleInfo {
  title: string;
  /** Short legal basis shown on cards. */
  basis: string;
  /** What the recipient should do next. */
  nextStep: string;
  /**
   * Content still to check (e.g. a citation not yet verified). Shown to administrators only
   * (`alerts rules`): a manager reads the basis as written, never a reviewer's note inside it.
   */
  check?: string;
  /** Omitted: 'duty'. */
  dueKind?: DueKind;
}

/** One catalogue of the rules, for cards, subscriptions (`alerts subscribe ... [types]`) and help. */
export const ALERT_RULES: Readonly<Record<AlertRuleId, RuleInfo>> = {
  permanent_exclusion: {
    title: 'New permanent exclusion',
    basis: 'SI 2012/1033 reg 5: the head must tell the local authority without delay',
    nextStep: 'Check the pupil reintegration team has the case and plan provision from day 6.',
  },
  ehc_plan_excluded: {
    title: 'Pupil with an EHC plan excluded',
    basis: 'Exclusion guidance: avoid excluding pupils with EHC plans; the LA must secure the plan’s provision',
    nextStep: 'Ask the SEND team to review the plan; consider an early annual review.',
  },
  looked_after_excluded: {
    title: 'Looked-after pupil excluded',
    basis: 'SI 2012/1033 reg 5 (as amended 2022): the virtual school head must be told without delay',
    nextStep: 'Make sure the virtual school head knows and is involved in any review.',
  },
  social_worker_excluded: {
    title: 'Pupil with a social worker excluded',
    basis: 'SI 2012/1033 reg 5 (as amended 2022): the social worker must be told without delay',
    nextStep: 'Make sure the social worker knows; they may attend the governors’ meeting.',
  },
  term_total_over_5: {
    // A duty, not a window: the date is the board's 50 school days to consider parents'
    // representations (reg 24(1)(c)); if parents asked and it passes, the board has missed it.
    title: 'More than 5 days suspended this term',
    basis: 'SI 2012/1033 reg 24(1)(c) for academies, parallel duties for maintained schools and PRUs: if parents make representations the board must meet within 50 school days',
    nextStep: 'Tell parents they may ask the governing board to consider reinstatement.',
  },
  term_total_over_15: {
    title: 'More than 15 days suspended this term',
    basis: 'SI 2012/1033 reg 24(1)(b)(i) and parallel duties: the board must consider reinstatement within 15 school days',
    nextStep: 'Arrange the governing board meeting and invite parents, the LA and any social worker or VSH.',
  },
  missed_public_exam: {
    title: 'Suspension means missing a public exam',
    basis: 'SI 2012/1033 reg 24(1)(b)(ii) and parallel duties: the board must consider it, before the exam if practicable',
    nextStep: 'Ask the board to meet before the exam date.',
  },
  year_total_warning: {
    title: 'Nearing the 45-day yearly limit',
    basis: 'Education Act 2002 s.51A and exclusion guidance: at most 45 school days of suspension in a school year, across schools',
    nextStep: 'Review support on the ladder; further suspensions are running out.',
  },
  year_total_over_cap: {
    title: 'Over the 45-day yearly limit',
    basis: 'Education Act 2002 s.51A and exclusion guidance: at most 45 school days of suspension in a school year, across schools',
    nextStep: 'Challenge the school: the total breaches the statutory limit.',
  },
  suspension_day6: {
    title: 'Suspension over 5 days: school provision from day 6',
    basis: 'Education and Inspections Act 2006 s.100 and the 2007 provision regulations as amended: the school must arrange full-time education from the 6th consecutive school day',
    nextStep: 'Confirm the school has full-time provision in place from the date shown.',
  },
  pru_suspension_day6: {
    title: 'Suspension from a PRU over 5 days: LA provision from day 6',
    basis: 'Education Act 1996 s.19(3A): for a pupil suspended from a pupil referral unit the authority arranges full-time education from the 6th consecutive school day',
    nextStep: 'The authority (not the unit) must arrange full-time provision from the date shown.',
  },
  pex_la_day6: {
    title: 'Permanent exclusion: LA provision from day 6',
    basis: 'Education Act 1996 s.19(3A) (inserted by EIA 2006 s.101): the authority must arrange full-time education from day 6',
    nextStep: 'Pupil reintegration team: arrange a placement from the date shown.',
  },
  pex_governors_review: {
    title: 'Permanent exclusion: governors must meet',
    basis: 'SI 2012/1033 reg 24(1)(a) and parallel duties: the board must consider reinstatement within 15 school days of notice',
    nextStep: 'Confirm the governing board meeting date; the LA may attend.',
  },
  pex_no_placement: {
    title: 'Day 6 is near and no placement is recorded',
    basis: 'Education Act 1996 s.19(3A) (inserted by EIA 2006 s.101): full-time provision from day 6 of a permanent exclusion',
    nextStep: 'Record the placement, or escalate today.',
  },
  pex_no_free_place: {
    title: 'No free AP place in the district on day 6',
    basis: 'Education Act 1996 s.19(3A) (inserted by EIA 2006 s.101): full-time provision from day 6 of a permanent exclusion',
    nextStep: 'Offer a place at a hub in a nearby district (listed on this card) or commission one.',
  },
  repeated_suspensions: {
    title: 'Repeated suspensions',
    basis: 'Local practice (Lincolnshire ladder): repeated suspensions prompt a review of support; pattern thresholds are a local choice',
    nextStep: 'Review the pupil’s rung on the ladder of behavioural intervention.',
  },
  irp_application_window: {
    title: 'Governors upheld the permanent exclusion: parents’ review window',
    // The parents' 15 school days to apply, not a duty: once past, the window has closed.
    dueKind: 'window',
    basis: 'SI 2012/1033 Sch 1 para 2: parents may apply for an independent review within 15 school days of notice of the board’s decision (with an SEN expert if they ask)',
    nextStep: 'Check parents have the decision letter explaining the independent review and SEN expert rights.',
  },
  irp_panel_deadline: {
    title: 'Independent review applied for: panel deadline',
    basis: 'SI 2012/1033 Sch 1 para 1: the panel must review the decision by the 15th school day after the application',
    nextStep: 'Arrange the panel (and the SEN expert if asked for) before the date shown.',
  },
  governors_reconsideration: {
    title: 'Panel asked the governors to reconsider',
    basis: 'SI 2012/1033 regs 8, 17 and 26: the board must reconsider within 10 school days of notice of the panel’s decision',
    nextStep: 'Confirm the board’s reconsideration meeting date; the authority may attend.',
  },
  home_la_excluded: {
    title: 'Permanently excluded pupil lives in another authority',
    basis: 'SI 2012/1033 reg 2 and 5 (home authority) and Education Act 1996 s.19: the home authority must be told and arranges full-time education from day 6',
    nextStep: 'Tell the home authority today and agree who places the pupil from day 6.',
  },
  reported_late: {
    title: 'Exclusion reported to the authority late',
    basis: 'SI 2012/1033 reg 5 as amended by SI 2022/788: the head must tell the authority of every suspension and permanent exclusion without delay (local rule: within one school day)',
    nextStep: 'Remind the school to report exclusions on the day; check the governors’ dates, which run from the head’s notice.',
  },
  severe_absence_onset: {
    title: 'Severely absent: attendance this year at or below 50%',
    basis: 'Working together to improve school attendance (DfE, 2024): severely absent pupils (missing half or more of sessions) need an intensive, multi-agency response',
    nextStep: 'Agree an attendance plan with the school and family; consider early help and a lead practitioner.',
  },
  persistent_absence_cohort: {
    title: 'Persistently absent (90% or below), with a social worker, plan, care or youth justice',
    basis: 'Working together to improve school attendance (DfE, 2024): attendance of children with a social worker, looked after, with an EHC plan or known to youth justice must feature in their plans and reviews',
    nextStep: 'Raise attendance at the pupil’s next plan or review meeting; tell the lead professional.',
  },
  unauthorised_10_days: {
    title: '10 consecutive school days of unauthorised absence',
    basis: 'School Attendance (Pupil Registration) (England) Regulations 2024 and the 2024 guidance: schools tell the authority of pupils absent without authorisation for 10 consecutive school days (children missing education)',
    nextStep: 'Attendance officer: check the school has made contact, and start children-missing-education enquiries.',
  },
  illness_15_days: {
    title: '15 school days of absence through illness',
    basis: 'Education Act 1996 s.19 and the statutory guidance on education for children unable to attend because of health needs: the authority arranges education when illness keeps a pupil away 15 school days, consecutive or over the year',
    nextStep: 'Check medical evidence with the school and consider arranging education under section 19.',
  },
  penalty_notice_threshold: {
    title: '10 unauthorised sessions within 10 school weeks',
    basis: 'School attendance national framework for penalty notices (DfE, 2024): 10 unauthorised sessions in a rolling 10 school weeks is the threshold to consider a notice',
    nextStep: 'School and attendance officer: consider a notice to improve or a penalty notice, after support has been offered.',
  },
  youth_justice_not_attending: {
    title: 'Open to youth justice and not attending regularly',
    basis: 'Local youth justice plan: automatic notice to the youth justice worker when a young person open to the service is not attending regularly (rate over the last four school weeks)',
    nextStep: 'Youth justice worker: talk to the young person and the school this week.',
  },
  disproportionality: {
    title: 'Disproportionate suspensions in a district',
    basis: 'Equality Act 2010 s.149 (public sector equality duty): monitor groups over-represented in suspensions',
    nextStep: 'Look at the district’s schools with the group’s highest rates.',
  },
};

export function dueKindOf(rule: string): DueKind {
  return ALERT_RULES[rule as AlertRuleId]?.dueKind ?? 'duty';
}

/** Rules whose date is a window for someone else (see DueKind), for the queries that count what is past due. */
export const WINDOW_RULES: readonly AlertRuleId[] = (Object.keys(ALERT_RULES) as AlertRuleId[]).filter((r) => ALERT_RULES[r].dueKind === 'window');
