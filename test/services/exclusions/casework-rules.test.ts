import assert from 'node:assert/strict';
import { ALERT_RULES } from '../../../services/alerts/alert-rules';
import type { PupilAlert, PupilRuleId, RuleExclusion, RulePupil, RuleReview } from '../../../services/exclusions/alert-types';
import { evaluateExclusionRules } from '../../../services/exclusions/exclusion-rules';
import { resolveRuleSettings, type RuleSettingsInput } from '../../../services/exclusions/rule-settings';
import { SCHOOL_A, SCHOOL_B, TODAY, exclusion, pupil, sampleCalendar } from './rule-fixtures';

/**
 * Issue 9: the exclusion rules checked against the regulations on dates counted by hand from
 * data/calendar/lincolnshire-sample.json. Autumn 2026: INSET 1-2 Sep, half term 26-30 Oct, term
 * ends Fri 18 Dec; spring 2027 starts with INSET Mon 4 Jan. Today is Wed 25 Nov 2026 unless said.
 */

const cal = sampleCalendar();

function run(pupils: RulePupil[], exclusions: RuleExclusion[], options: { today?: string; settings?: RuleSettingsInput; pru?: number[]; reviews?: RuleReview[]; la?: string } = {}) {
  return evaluateExclusionRules({
    today: options.today ?? TODAY,
    calendar: cal,
    pupils,
    exclusions,
    pruSchoolUrns: options.pru ? new Set(options.pru) : undefined,
    reviews: options.reviews,
    localLaCode: options.la ?? '925',
    settings: resolveRuleSettings(options.settings ?? {}),
  });
}

function only(alerts: PupilAlert[], rule: PupilRuleId): PupilAlert[] {
  return alerts.filter((a) => a.rule === rule);
}

describe('exclusion casework to the regulation (issue 9)', () => {
  describe('reg 24(1)(b)(i) and (c): every later suspension over a threshold starts its own duty', () => {
    const p = pupil();
    // 14 Sep: 4 days (14-17 Sep), total 4. 5 Oct: 6 days (5-9, 12 Oct), total 10.
    // 9 Nov: 6 days (9-13, 16 Nov), total 16: crosses 15. 23 Nov: 2 days (23, 24 Nov), total 18: already over.
    const xs = [
      exclusion(p, { start_date: '2026-09-14', sessions: 8 }),
      exclusion(p, { start_date: '2026-10-05', sessions: 12 }),
      exclusion(p, { start_date: '2026-11-09', sessions: 12 }),
      exclusion(p, { start_date: '2026-11-23', sessions: 4 }),
    ];

    it("gives the third suspension in a term (the one past 15 days) and the fourth each their own board deadline", () => {
      const over15 = only(run([p], xs).alerts, 'term_total_over_15');
      assert.deepEqual(
        over15.map((a) => [a.exclusionId, a.facts.termTotalDays, a.dueDate]),
        [
          // 15 school days from Mon 9 Nov: 10-13 (4), 16-20 (9), 23-27 (14), Mon 30 Nov (15).
          [xs[2]!.id, 16, '2026-11-30'],
          // 15 school days from Mon 23 Nov: 24-27 (4), 30 Nov-4 Dec (9), 7-11 (14), Mon 14 Dec (15).
          [xs[3]!.id, 18, '2026-12-14'],
        ],
      );
      assert.notEqual(over15[0]!.dedupeKey, over15[1]!.dedupeKey, 'two separate duties, delivered separately');
      assert.equal(over15[1]!.schoolDaysLeft, 13, '26 Nov to 14 Dec inclusive: 2 + 5 + 5 + 1');
    });

    it('gives every suspension that leaves the total over 5 (but not over 15) its own 50-school-day window', () => {
      const q = pupil();
      // 14 Sep: 6 days (14-18, 21 Sep), total 6. 5 Oct: 2 days (5, 6 Oct), total 8: over 5 again.
      const ys = [exclusion(q, { start_date: '2026-09-14', sessions: 12 }), exclusion(q, { start_date: '2026-10-05', sessions: 4 })];
      const over5 = only(run([q], ys).alerts, 'term_total_over_5');
      assert.deepEqual(
        over5.map((a) => [a.exclusionId, a.facts.termTotalDays]),
        [
          [ys[0]!.id, 6],
          [ys[1]!.id, 8],
        ],
      );
      // 50 school days from Mon 5 Oct: 6-9 Oct (4), 12-23 Oct (14), half term, 2 Nov-18 Dec (49), INSET Mon 4 Jan, Tue 5 Jan (50).
      assert.equal(over5[1]!.dueDate, '2027-01-05');
    });

    it('raises over 15 (not over 5) for the suspension that crosses 15, and nothing new for the first ones', () => {
      const { alerts } = run([p], xs);
      assert.deepEqual(only(alerts, 'term_total_over_5').map((a) => a.exclusionId), [xs[1]!.id], 'only the 5 Oct one leaves the total at 10');
    });
  });

  describe("reg 24: the board's clock runs from the head's notice (decision_date), not the LA's", () => {
    it('counts a suspension over 15 from the decision date and shows both dates', () => {
      const p = pupil();
      // Decided and told to parents and board Fri 20 Nov for a suspension from Mon 23 Nov; LA told Wed 25 Nov.
      const xs = [
        exclusion(p, { start_date: '2026-11-02', sessions: 30 }), // 15 days: 2 Nov-20 Nov
        exclusion(p, { start_date: '2026-11-23', sessions: 2, decision_date: '2026-11-20', notified_date: '2026-11-25' }),
      ];
      const over15 = only(run([p], xs).alerts, 'term_total_over_15');
      assert.equal(over15.length, 1);
      // 15 school days from Fri 20 Nov: 23-27 (5), 30 Nov-4 Dec (10), 7-11 Dec (15).
      assert.equal(over15[0]!.dueDate, '2026-12-11');
      assert.equal(over15[0]!.facts.decisionDate, '2026-11-20');
      assert.equal(over15[0]!.facts.laNotifiedDate, '2026-11-25');
    });
  });

  describe('reg 5 as amended 2022 and the local one-school-day rule: reported late', () => {
    const p = pupil();
    it('stays quiet when the LA hears the next school day, and flags the day after', () => {
      // Decided Mon 23 Nov: the local rule allows until Tue 24 Nov.
      assert.deepEqual(only(run([p], [exclusion(p, { start_date: '2026-11-23', notified_date: '2026-11-24' })]).alerts, 'reported_late'), []);
      const late = only(run([p], [exclusion(p, { start_date: '2026-11-23', notified_date: '2026-11-25' })]).alerts, 'reported_late');
      assert.equal(late.length, 1);
      assert.equal(late[0]!.facts.schoolDaysLate, 1, 'deadline Tue 24, told Wed 25');
      assert.equal(late[0]!.facts.decisionDate, '2026-11-23');
      assert.equal(late[0]!.facts.laNotifiedDate, '2026-11-25');
    });

    it('counts school days: a Friday decision reported on Monday is on time; from the decision date, not the start', () => {
      assert.deepEqual(only(run([p], [exclusion(p, { start_date: '2026-11-23', decision_date: '2026-11-20', notified_date: '2026-11-23' })]).alerts, 'reported_late'), []);
      // Decided Fri 20 Nov, deadline Mon 23, told Wed 25: 24, 25 -> 2 school days late.
      const late = only(run([p], [exclusion(p, { start_date: '2026-11-23', decision_date: '2026-11-20', notified_date: '2026-11-25' })]).alerts, 'reported_late');
      assert.equal(late[0]!.facts.schoolDaysLate, 2);
    });

    it('applies to every exclusion (permanent and lunchtime too), uses the configured allowance, and says nothing when the date is unknown', () => {
      const pex = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, notified_date: '2026-11-25' });
      const lunch = exclusion(p, { start_date: '2026-11-23', category: 'LUNC', sessions: 1, notified_date: '2026-11-25' });
      assert.equal(only(run([p], [pex]).alerts, 'reported_late').length, 1);
      assert.equal(only(run([p], [lunch]).alerts, 'reported_late').length, 1);
      assert.equal(only(run([p], [exclusion(p, { start_date: '2026-11-23', notified_date: '2026-11-24' })], { settings: { laReportWithinSchoolDays: 0 } }).alerts, 'reported_late').length, 1, 'same day required');
      assert.deepEqual(only(run([p], [exclusion(p, { start_date: '2026-11-23', notified_date: null })]).alerts, 'reported_late'), []);
      assert.throws(() => resolveRuleSettings({ laReportWithinSchoolDays: -1 }), /laReportWithinSchoolDays/);
    });
  });

  describe('reg 24(1)(b)(ii): public examinations', () => {
    const p = pupil();
    it('shows the school day before the exam when it is earlier than the 15th school day', () => {
      // Suspension from Mon 11 Jan 2027, exam Mon 18 Jan: 15th school day is Mon 1 Feb (12-15, 18-22, 25-29, 1 Feb), the day before the exam Fri 15 Jan.
      const x = exclusion(p, { start_date: '2027-01-11', sessions: 6, exam_date: '2027-01-18' });
      const exam = only(run([p], [x], { today: '2027-01-11' }).alerts, 'missed_public_exam');
      assert.equal(exam.length, 1, 'an exam date alone raises the duty');
      assert.equal(exam[0]!.dueDate, '2027-01-15');
      assert.equal(exam[0]!.facts.examDate, '2027-01-18');
      assert.equal(exam[0]!.facts.beforeExam, true);
    });

    it('keeps the 15th school day when the exam is later', () => {
      const x = exclusion(p, { start_date: '2027-01-11', sessions: 6, exam_date: '2027-03-01', missed_public_exam: 1 });
      const exam = only(run([p], [x], { today: '2027-01-11' }).alerts, 'missed_public_exam');
      assert.equal(exam[0]!.dueDate, '2027-02-01');
      assert.equal(exam[0]!.facts.beforeExam, undefined);
    });

    it('says a permanent exclusion also misses an exam and brings the board forward to the day before it', () => {
      // PEx Mon 23 Nov, exam Wed 2 Dec: the day before is Tue 1 Dec, earlier than the 15th school day (Mon 14 Dec).
      const x = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, exam_date: '2026-12-02' });
      const { alerts } = run([p], [x]);
      assert.equal(only(alerts, 'pex_governors_review')[0]!.dueDate, '2026-12-01');
      assert.equal(only(alerts, 'pex_governors_review')[0]!.facts.missesExam, true);
      assert.equal(only(alerts, 'permanent_exclusion')[0]!.facts.missesExam, true);
      assert.deepEqual(only(alerts, 'missed_public_exam'), [], 'the PEx review covers it');
    });
  });

  describe('day 6: half-day hand-overs (the 2007 provision regulations as amended)', () => {
    const p = pupil();
    it('joins a suspension ending at lunchtime to one starting that afternoon', () => {
      // First: Mon 16, Tue 17, Wed 18 morning (5 sessions). Second: Wed 18 afternoon, Thu 19, Fri 20, Mon 23 (7 sessions).
      const first = exclusion(p, { start_date: '2026-11-16', sessions: 5 });
      const second = exclusion(p, { start_date: '2026-11-18', sessions: 7, start_session: 'PM' });
      const day6 = only(run([p], [first, second]).alerts, 'suspension_day6');
      assert.equal(day6.length, 1);
      assert.equal(day6[0]!.dueDate, '2026-11-23', 'days 16, 17, 18, 19, 20: day 6 is Mon 23 Nov');
      assert.equal(day6[0]!.exclusionId, second.id);
      assert.equal(day6[0]!.facts.consecutiveDays, 6);
    });

    it('does not join when the pupil was back for an afternoon in between', () => {
      // First ends Wed 18 at lunchtime; the second starts Thu 19 morning (19, 20, 23): Wed afternoon in school.
      const first = exclusion(p, { start_date: '2026-11-16', sessions: 5 });
      const second = exclusion(p, { start_date: '2026-11-19', sessions: 6 });
      assert.deepEqual(only(run([p], [first, second]).alerts, 'suspension_day6'), []);
    });
  });

  describe('day 6 for a pupil suspended from a pupil referral unit: EA 1996 s.19(3A)', () => {
    it("makes day 6 the authority's duty, not the unit's", () => {
      const p = pupil();
      const x = exclusion(p, { start_date: '2026-11-16', sessions: 12, school_urn: SCHOOL_B });
      const { alerts } = run([p], [x], { pru: [SCHOOL_B] });
      assert.deepEqual(only(alerts, 'suspension_day6'), []);
      const la = only(alerts, 'pru_suspension_day6');
      assert.equal(la.length, 1);
      assert.equal(la[0]!.dueDate, '2026-11-23', 'Mon 16-Fri 20, day 6 Mon 23');
      assert.match(ALERT_RULES.pru_suspension_day6.basis, /Education Act 1996 s\.19\(3A\)/);
      assert.equal(only(run([p], [{ ...x, school_urn: SCHOOL_A }], { pru: [SCHOOL_B] }).alerts, 'suspension_day6').length, 1, 'a school keeps its own duty');
    });

    it('names the right sections: s.100 for suspensions (school), s.19(3A) via s.101 for permanent exclusions (LA)', () => {
      assert.match(ALERT_RULES.suspension_day6.basis, /EIA|Education and Inspections Act 2006 s\.100/);
      assert.doesNotMatch(ALERT_RULES.suspension_day6.basis, /s\.101/);
      assert.match(ALERT_RULES.pex_la_day6.basis, /s\.19\(3A\).*s\.101/);
      assert.match(ALERT_RULES.pex_no_placement.basis, /s\.19\(3A\)/);
    });
  });

  describe('outcomes stop the clocks (reg 8A cancellation, withdrawal, reinstatement)', () => {
    it('raises nothing for a withdrawn permanent exclusion', () => {
      const p = pupil({ sen_provision: 'E' });
      const x = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, outcome: 'withdrawn', outcome_date: '2026-11-24', outcome_by: 'head' });
      assert.deepEqual(run([p], [x]).alerts, []);
    });

    it('counts only the days served before reinstatement, and later suspensions still see them', () => {
      const p = pupil();
      // Reinstated by the governors from Thu 19 Nov: 16, 17, 18 served (3 days), so no day 6; no alert of its own.
      const reinstated = exclusion(p, { start_date: '2026-11-16', sessions: 12, outcome: 'reinstated', outcome_date: '2026-11-19', outcome_by: 'governors' });
      const earlier = exclusion(p, { start_date: '2026-09-14', sessions: 8 }); // 4 days
      const later = exclusion(p, { start_date: '2026-11-23', sessions: 2 }); // 4 + 3 + 1 = 8
      const { alerts } = run([p], [earlier, reinstated, later]);
      assert.deepEqual(alerts.filter((a) => a.exclusionId === reinstated.id), []);
      const over5 = only(alerts, 'term_total_over_5');
      assert.deepEqual(over5.map((a) => [a.exclusionId, a.facts.termTotalDays]), [[later.id, 8]]);
    });
  });

  describe("governors' decision and the independent review panel (SI 2012/1033 Sch 1; regs 8, 17, 26)", () => {
    const p = pupil();
    const pex = exclusion(p, { start_date: '2026-11-02', category: 'PERM', sessions: 0 });
    const review = (steps: Partial<RuleReview>): RuleReview => ({
      exclusion_id: pex.id,
      governors_decision: null,
      governors_meeting_date: null,
      governors_notified_date: null,
      irp_applied_date: null,
      irp_sen_expert: null,
      irp_outcome: null,
      irp_decision_notified_date: null,
      reconsidered_date: null,
      ...steps,
    });
    const upheld = { governors_decision: 'upheld' as const, governors_meeting_date: '2026-11-13', governors_notified_date: '2026-11-16' };

    it('Sch 1 para 2: upheld opens the 15-school-day application window from notice of the decision, and the board duty is met', () => {
      const { alerts } = run([p], [pex], { reviews: [review(upheld)] });
      assert.deepEqual(only(alerts, 'pex_governors_review'), [], 'the board has met');
      const window = only(alerts, 'irp_application_window');
      // From Mon 16 Nov: 17-20 (4), 23-27 (9), 30 Nov-4 Dec (14), Mon 7 Dec (15).
      assert.equal(window[0]!.dueDate, '2026-12-07');
      assert.equal(window[0]!.facts.governorsMeetingDate, '2026-11-13');
      assert.equal(window[0]!.facts.governorsNotifiedDate, '2026-11-16');
    });

    it('Sch 1 para 1: an application starts the panel deadline, the 15th school day after it, and says if an SEN expert was asked for', () => {
      const { alerts } = run([p], [pex], { reviews: [review({ ...upheld, irp_applied_date: '2026-11-25', irp_sen_expert: 1 })] });
      assert.deepEqual(only(alerts, 'irp_application_window'), []);
      const panel = only(alerts, 'irp_panel_deadline');
      // From Wed 25 Nov: 26, 27 (2), 30 Nov-4 Dec (7), 7-11 (12), 14, 15, Wed 16 Dec (15).
      assert.equal(panel[0]!.dueDate, '2026-12-16');
      assert.equal(panel[0]!.facts.irpSenExpert, true);
    });

    it('regs 8/17/26: a quash starts the board’s 10 school days to reconsider; a reconsideration or an upheld panel ends the case', () => {
      const quashed = { ...upheld, irp_applied_date: '2026-11-25', irp_sen_expert: 0, irp_outcome: 'quashed' as const, irp_decision_notified_date: '2026-12-11' };
      const { alerts } = run([p], [pex], { today: '2026-12-14', reviews: [review(quashed)] });
      assert.deepEqual(only(alerts, 'irp_panel_deadline'), []);
      // From Fri 11 Dec: 14-18 Dec (5), Christmas, INSET Mon 4 Jan, 5-8 Jan (9), Mon 11 Jan (10).
      assert.equal(only(alerts, 'governors_reconsideration')[0]!.dueDate, '2027-01-11');
      assert.equal(only(alerts, 'governors_reconsideration')[0]!.facts.irpOutcome, 'quashed');
      assert.deepEqual(only(run([p], [pex], { today: '2026-12-14', reviews: [review({ ...quashed, reconsidered_date: '2026-12-14' })] }).alerts, 'governors_reconsideration'), []);
      assert.deepEqual(only(run([p], [pex], { today: '2026-12-14', reviews: [review({ ...quashed, irp_outcome: 'upheld' })] }).alerts, 'governors_reconsideration'), []);
    });

    it('a governors’ reinstatement opens no review window', () => {
      const { alerts } = run([p], [pex], { reviews: [review({ governors_decision: 'reinstated', governors_meeting_date: '2026-11-13' })] });
      assert.deepEqual(only(alerts, 'irp_application_window'), []);
      assert.deepEqual(only(alerts, 'pex_governors_review'), []);
    });
  });

  describe('home authority (SI 2012/1033 regs 2 and 5; EA 1996 s.19)', () => {
    it('flags a permanent exclusion of a pupil living in another authority, not one of ours or a suspension', () => {
      const elsewhere = pupil({ home_la: '891' });
      const ours = pupil({ home_la: '925' });
      const pex = (p: RulePupil) => exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0 });
      const flagged = only(run([elsewhere], [pex(elsewhere)]).alerts, 'home_la_excluded');
      assert.equal(flagged.length, 1);
      assert.equal(flagged[0]!.facts.homeLa, '891');
      assert.deepEqual(only(run([ours], [pex(ours)]).alerts, 'home_la_excluded'), []);
      assert.deepEqual(only(run([elsewhere], [exclusion(elsewhere, { start_date: '2026-11-23' })]).alerts, 'home_la_excluded'), []);
    });
  });
});
