import assert from 'node:assert/strict';
import type { PupilAlert, PupilRuleId, RuleEnrolment, RuleExclusion, RulePlacement, RulePupil } from '../../../services/exclusions/alert-types';
import { alertDedupeKey, evaluateExclusionRules } from '../../../services/exclusions/exclusion-rules';
import { resolveRuleSettings, type RuleSettingsInput } from '../../../services/exclusions/rule-settings';
import { SCHOOL_A, SCHOOL_B, SCHOOL_CLOSING, TODAY, exclusion, pupil, sampleCalendar } from './rule-fixtures';

const cal = sampleCalendar();

function run(
  pupils: RulePupil[],
  exclusions: RuleExclusion[],
  options: { today?: string; settings?: RuleSettingsInput; enrolments?: RuleEnrolment[]; placements?: RulePlacement[] } = {},
) {
  return evaluateExclusionRules({
    today: options.today ?? TODAY,
    calendar: cal,
    pupils,
    exclusions,
    enrolments: options.enrolments,
    placements: options.placements,
    settings: resolveRuleSettings(options.settings ?? {}),
  });
}

function only(alerts: PupilAlert[], rule: PupilRuleId): PupilAlert[] {
  return alerts.filter((a) => a.rule === rule);
}

function rules(alerts: PupilAlert[]): PupilRuleId[] {
  return alerts.map((a) => a.rule).sort();
}

describe('exclusion rules', () => {
  describe('permanent exclusion', () => {
    const p = pupil();
    const pex = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, notified_date: '2026-11-23' });

    it('raises the new-exclusion alert, the LA day-6 date and the governors 15-school-day deadline', () => {
      const { alerts, problems } = run([p], [pex]);
      assert.deepEqual(problems, []);
      assert.deepEqual(rules(alerts), ['permanent_exclusion', 'pex_governors_review', 'pex_la_day6']);
      const day6 = only(alerts, 'pex_la_day6')[0]!;
      // Day 1 Mon 23 Nov ... day 5 Fri 27, day 6 Mon 30 Nov; today Wed 25: 26, 27, 30 -> 3 school days left.
      assert.equal(day6.dueDate, '2026-11-30');
      assert.equal(day6.schoolDaysLeft, 3);
      const review = only(alerts, 'pex_governors_review')[0]!;
      assert.equal(review.dueDate, '2026-12-14');
      assert.equal(review.schoolDaysLeft, 13);
      assert.equal(review.exclusionId, pex.id);
      assert.equal(review.pupilId, p.id);
      assert.equal(review.schoolUrn, SCHOOL_A);
      assert.equal(review.eventDate, '2026-11-23');
    });

    it("reg 24(1)(a): counts the board's 15 school days from the head's notice, not from the day the LA heard", () => {
      // LA told Wed 25 Nov, head decided Mon 23 Nov (start date, the default): 24-27 (4), 30 Nov-4 Dec (9), 7-11 (14), Mon 14 Dec (15).
      const lateToLa = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, notified_date: '2026-11-25' });
      const review = only(run([p], [lateToLa]).alerts, 'pex_governors_review')[0]!;
      assert.equal(review.dueDate, '2026-12-14');
      assert.equal(review.facts.decisionDate, '2026-11-23');
      assert.equal(review.facts.laNotifiedDate, '2026-11-25', 'both dates shown');
      // Head notified parents and board Wed 25 Nov for an exclusion from Mon 23: 26, 27 (2), 30-4 (7), 7-11 (12), 14, 15, Wed 16 Dec (15).
      const decided = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, decision_date: '2026-11-25', notified_date: '2026-11-25' });
      assert.equal(only(run([p], [decided]).alerts, 'pex_governors_review')[0]!.dueDate, '2026-12-16');
    });

    it("counts day 6 in the school's own days, skipping its closures", () => {
      const atClosing = exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0, school_urn: SCHOOL_CLOSING });
      const day6 = only(run([p], [atClosing]).alerts, 'pex_la_day6')[0]!;
      assert.equal(day6.dueDate, '2026-12-02');
      assert.equal(day6.schoolDaysLeft, 3, 'Thu 26, Tue 1, Wed 2');
    });

    it('warns when day 6 is near and no placement is recorded', () => {
      assert.deepEqual(only(run([p], [pex], { placements: [] }).alerts, 'pex_no_placement'), [], '3 school days left is not yet near');
      const near = only(run([p], [pex], { today: '2026-11-26', placements: [] }).alerts, 'pex_no_placement');
      assert.equal(near.length, 1);
      assert.equal(near[0]!.dueDate, '2026-11-30');
      assert.equal(near[0]!.schoolDaysLeft, 2);
      assert.equal(near[0]!.facts.daySix, '2026-11-30');
      const overdue = only(run([p], [pex], { today: '2026-12-03', placements: [] }).alerts, 'pex_no_placement');
      assert.equal(overdue[0]!.schoolDaysLeft, -3);
    });

    it('does not warn once a placement is recorded, nor when placements are unknown', () => {
      assert.deepEqual(only(run([p], [pex], { today: '2026-11-27', placements: [{ exclusionId: pex.id, recordedOn: '2026-11-26' }] }).alerts, 'pex_no_placement'), []);
      assert.deepEqual(only(run([p], [pex], { today: '2026-11-27' }).alerts, 'pex_no_placement'), []);
    });

    it('uses a configurable warning distance', () => {
      assert.equal(only(run([p], [pex], { placements: [], settings: { placementWarnSchoolDays: 3 } }).alerts, 'pex_no_placement').length, 1);
    });
  });

  describe('cohorts', () => {
    const cases: [string, Partial<RulePupil>, PupilRuleId[], string[]][] = [
      ['EHC plan', { sen_provision: 'E' }, ['ehc_plan_excluded'], ['ehc_plan']],
      ['SEN support', { sen_provision: 'K' }, [], ['sen_support']],
      ['looked after', { looked_after: 1 }, ['looked_after_excluded'], ['looked_after']],
      ['child in need social worker', { social_worker: 'CIN' }, ['social_worker_excluded'], ['social_worker']],
      ['child protection social worker', { social_worker: 'CP' }, ['social_worker_excluded'], ['social_worker']],
      ['no flags', {}, [], []],
      ['FSM only', { fsm: 1 }, [], ['fsm']],
      [
        'looked after with an EHC plan and a social worker',
        { sen_provision: 'E', looked_after: 1, social_worker: 'CP' },
        ['ehc_plan_excluded', 'looked_after_excluded', 'social_worker_excluded'],
        ['ehc_plan', 'looked_after', 'social_worker'],
      ],
    ];
    for (const [name, flags, expected, cohorts] of cases) {
      it(`a one-day suspension of a pupil (${name}) raises ${expected.join(', ') || 'nothing'}`, () => {
        const p = pupil(flags);
        const { alerts } = run([p], [exclusion(p, { start_date: '2026-11-24' })]);
        assert.deepEqual(rules(alerts), expected);
        for (const alert of alerts) assert.deepEqual(alert.cohorts, cohorts);
      });
    }

    it('counts a lunchtime suspension of a looked-after pupil as an exclusion to report', () => {
      const p = pupil({ looked_after: 1 });
      assert.deepEqual(rules(run([p], [exclusion(p, { start_date: '2026-11-24', category: 'LUNC', sessions: 1 })]).alerts), ['looked_after_excluded']);
    });

    it('raises the cohort alert for a permanent exclusion too', () => {
      const p = pupil({ sen_provision: 'E' });
      const { alerts } = run([p], [exclusion(p, { start_date: '2026-11-24', category: 'PERM', sessions: 0 })]);
      assert.ok(rules(alerts).includes('ehc_plan_excluded'));
      assert.ok(rules(alerts).includes('permanent_exclusion'));
    });
  });

  describe('missed public exam', () => {
    it('asks the board to meet within 15 school days of notice', () => {
      const p = pupil();
      const x = exclusion(p, { start_date: '2026-11-24', missed_public_exam: 1 });
      const exam = only(run([p], [x]).alerts, 'missed_public_exam');
      assert.equal(exam.length, 1);
      assert.equal(exam[0]!.dueDate, cal.addSchoolDays('2026-11-24', 15));
    });
  });

  describe('term totals', () => {
    it('raises "over 5" when a suspension takes the term total past 5 days, with a 50-school-day date', () => {
      const p = pupil();
      const xs = [
        exclusion(p, { start_date: '2026-09-14', sessions: 4 }),
        exclusion(p, { start_date: '2026-10-05', sessions: 4 }),
        exclusion(p, { start_date: '2026-11-16', sessions: 4, notified_date: '2026-11-17' }),
      ];
      const over5 = only(run([p], xs).alerts, 'term_total_over_5');
      assert.equal(over5.length, 1);
      assert.equal(over5[0]!.exclusionId, xs[2]!.id);
      assert.deepEqual(over5[0]!.facts, { term: '2026/27 autumn', termTotalDays: 6, decisionDate: '2026-11-16', laNotifiedDate: '2026-11-17' });
      // reg 24(1)(c): 50 school days from the head's notice (Mon 16 Nov, the start date), not the LA's (17 Nov).
      assert.equal(over5[0]!.dueDate, '2027-02-09', '24 school days 17 Nov-18 Dec, INSET 4 Jan skipped, 26 more 5 Jan-9 Feb');
    });

    it('does not raise at exactly 5 days', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-09-14', sessions: 4 }), exclusion(p, { start_date: '2026-10-05', sessions: 6 })];
      assert.deepEqual(only(run([p], xs).alerts, 'term_total_over_5'), []);
    });

    it('counts lunchtimes as half days: ten lunchtimes are 5 days, the eleventh passes it', () => {
      const p = pupil();
      const ten = exclusion(p, { start_date: '2026-11-02', category: 'LUNC', sessions: 10 });
      assert.deepEqual(only(run([p], [ten]).alerts, 'term_total_over_5'), []);
      const eleventh = exclusion(p, { start_date: '2026-11-23', category: 'LUNC', sessions: 1 });
      const over5 = only(run([p], [ten, eleventh]).alerts, 'term_total_over_5');
      assert.equal(over5.length, 1);
      assert.equal(over5[0]!.exclusionId, eleventh.id);
      assert.equal(over5[0]!.facts.termTotalDays, 5.5);
    });

    it('raises only "over 15" when one suspension crosses both thresholds, due in 15 school days', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-09-14', sessions: 8 }), exclusion(p, { start_date: '2026-10-05', sessions: 24, notified_date: '2026-10-05' })];
      const { alerts } = run([p], xs);
      assert.deepEqual(only(alerts, 'term_total_over_5'), []);
      const over15 = only(alerts, 'term_total_over_15');
      assert.equal(over15.length, 1);
      assert.equal(over15[0]!.facts.termTotalDays, 16);
      assert.equal(over15[0]!.dueDate, cal.addSchoolDays('2026-10-05', 15));
      assert.equal(over15[0]!.dueDate, '2026-11-02', 'half term skipped');
      assert.ok(over15[0]!.schoolDaysLeft! < 0, 'already overdue on 25 Nov');
    });

    it('raises both over time when separate suspensions cross each threshold', () => {
      const p = pupil();
      const xs = [
        exclusion(p, { start_date: '2026-09-07', sessions: 12 }),
        exclusion(p, { start_date: '2026-10-05', sessions: 12 }),
        exclusion(p, { start_date: '2026-11-09', sessions: 12 }),
      ];
      const { alerts } = run([p], xs);
      assert.equal(only(alerts, 'term_total_over_5')[0]!.exclusionId, xs[0]!.id);
      assert.equal(only(alerts, 'term_total_over_15')[0]!.exclusionId, xs[2]!.id);
    });

    it('keeps terms apart: 4 days before Christmas and 4 after is no alert', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-12-07', sessions: 8 }), exclusion(p, { start_date: '2027-01-11', sessions: 8 })];
      const { alerts } = run([p], xs, { today: '2027-01-12' });
      assert.deepEqual(only(alerts, 'term_total_over_5'), []);
    });

    it('splits one suspension that runs over the Christmas break between the terms', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-12-01', sessions: 6 }), exclusion(p, { start_date: '2026-12-16', sessions: 12 })];
      // Autumn: 3 + 3 (16, 17, 18 Dec) = 6 -> over 5; spring: 3 (5, 6, 7 Jan).
      const over5 = only(run([p], xs, { today: '2027-01-12' }).alerts, 'term_total_over_5');
      assert.equal(over5.length, 1);
      assert.equal(over5[0]!.facts.term, '2026/27 autumn');
      assert.equal(over5[0]!.facts.termTotalDays, 6);
    });

    it('counts suspensions either side of half term in the same term', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-10-19', sessions: 6 }), exclusion(p, { start_date: '2026-11-02', sessions: 6 })];
      assert.equal(only(run([p], xs).alerts, 'term_total_over_5')[0]!.facts.termTotalDays, 6);
    });

    it('counts term totals per school by default, across schools when configured (pupil who moved)', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-09-14', sessions: 8, school_urn: SCHOOL_A }), exclusion(p, { start_date: '2026-11-16', sessions: 6, school_urn: SCHOOL_B })];
      assert.deepEqual(only(run([p], xs).alerts, 'term_total_over_5'), []);
      const across = only(run([p], xs, { settings: { termTotalsAcrossSchools: true } }).alerts, 'term_total_over_5');
      assert.equal(across.length, 1);
      assert.equal(across[0]!.schoolUrn, SCHOOL_B);
    });
  });

  describe('year totals', () => {
    /** Suspensions at one school through 2026/27, each sessions long, on Mondays from startWeek. */
    function weekly(p: RulePupil, count: number, sessions: number, school: number, firstMonday: string): RuleExclusion[] {
      const mondays = cal.schoolDays(firstMonday, '2027-07-21').filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1);
      return mondays.slice(0, count).map((d) => exclusion(p, { start_date: d, sessions, school_urn: school }));
    }

    it('warns at 35 days counted across schools, for a pupil who moved', () => {
      const p = pupil();
      const atA = weekly(p, 10, 6, SCHOOL_A, '2026-09-07'); // 30 days
      const atB = weekly(p, 3, 4, SCHOOL_B, '2027-01-11'); // 2 + 2 + 2 -> 32, 34, 36
      const enrolments: RuleEnrolment[] = [
        { pupil_id: p.id, school_urn: SCHOOL_A, start_date: '2022-09-01', end_date: '2026-12-18', registration: 'C' },
        { pupil_id: p.id, school_urn: SCHOOL_B, start_date: '2027-01-05', end_date: null, registration: 'C' },
      ];
      const warning = only(run([p], [...atA, ...atB], { today: '2027-02-01', enrolments }).alerts, 'year_total_warning');
      assert.equal(warning.length, 1);
      assert.equal(warning[0]!.exclusionId, atB[2]!.id);
      assert.equal(warning[0]!.schoolUrn, SCHOOL_B);
      assert.deepEqual(warning[0]!.currentSchoolUrns, [SCHOOL_B]);
      assert.deepEqual(warning[0]!.facts, { academicYear: '2026/27', yearTotalDays: 36, yearTotalSchools: 2 });
    });

    it('does not warn when each school alone stays under the level and totals are per school', () => {
      const p = pupil();
      const xs = [...weekly(p, 10, 6, SCHOOL_A, '2026-09-07'), ...weekly(p, 3, 4, SCHOOL_B, '2027-01-11')];
      assert.deepEqual(only(run([p], xs, { today: '2027-02-01', settings: { yearTotalsAcrossSchools: false } }).alerts, 'year_total_warning'), []);
    });

    it('uses a configurable warning level', () => {
      const p = pupil();
      const xs = weekly(p, 4, 6, SCHOOL_A, '2026-09-07'); // 3, 6, 9, 12
      const warning = only(run([p], xs, { settings: { yearWarnDays: 10 } }).alerts, 'year_total_warning');
      assert.equal(warning[0]!.exclusionId, xs[3]!.id);
    });

    it('allows exactly 45 days, and raises the cap alert when a lunchtime takes it to 45.5', () => {
      const p = pupil();
      const xs = weekly(p, 15, 6, SCHOOL_A, '2026-09-07'); // 45 days
      const forty5 = run([p], xs, { today: '2027-01-20' }).alerts;
      assert.deepEqual(only(forty5, 'year_total_over_cap'), []);
      assert.equal(only(forty5, 'year_total_warning').length, 1);
      const lunch = exclusion(p, { start_date: '2027-01-19', category: 'LUNC', sessions: 1 });
      const over = only(run([p], [...xs, lunch], { today: '2027-01-20' }).alerts, 'year_total_over_cap');
      assert.equal(over.length, 1);
      assert.equal(over[0]!.exclusionId, lunch.id);
      assert.equal(over[0]!.facts.yearTotalDays, 45.5);
    });

    it('raises only the cap alert when one suspension jumps from below the warning level past 45', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2026-09-07', sessions: 60 }), exclusion(p, { start_date: '2026-12-01', sessions: 32 })];
      const { alerts } = run([p], xs, { today: '2027-01-20' });
      assert.deepEqual(only(alerts, 'year_total_warning'), [], '30 days, then 46: the warning level is jumped over');
      const cap = only(alerts, 'year_total_over_cap');
      assert.equal(cap.length, 1);
      assert.equal(cap[0]!.exclusionId, xs[1]!.id);
      assert.equal(cap[0]!.facts.yearTotalDays, 46);
    });

    it('starts again in a new academic year', () => {
      const p = pupil();
      const last = weekly(p, 13, 6, SCHOOL_A, '2026-09-07'); // 39 days in 2026/27
      const lastYear = last.map((x) => ({ ...x, start_date: x.start_date.replace('2026-', '2025-').replace('2027-', '2026-') }));
      const thisYear = [exclusion(p, { start_date: '2026-11-02', sessions: 4 })];
      const { alerts } = run([p], [...lastYear, ...thisYear]);
      assert.deepEqual(only(alerts, 'year_total_warning'), []);
    });
  });

  describe('suspensions over 5 consecutive days', () => {
    it("gives the school's day-6 date for a 6-day suspension", () => {
      const p = pupil();
      const x = exclusion(p, { start_date: '2026-11-16', sessions: 12 });
      const day6 = only(run([p], [x]).alerts, 'suspension_day6');
      assert.equal(day6.length, 1);
      assert.equal(day6[0]!.dueDate, '2026-11-23');
      assert.equal(day6[0]!.schoolDaysLeft, -2);
      assert.equal(day6[0]!.facts.consecutiveDays, 6);
    });

    it('stays silent for exactly 5 days, and counts a half sixth day', () => {
      const p = pupil();
      assert.deepEqual(only(run([p], [exclusion(p, { start_date: '2026-11-16', sessions: 10 })]).alerts, 'suspension_day6'), []);
      const half = only(run([p], [exclusion(p, { start_date: '2026-11-16', sessions: 11 })]).alerts, 'suspension_day6');
      assert.equal(half[0]!.dueDate, '2026-11-23');
    });

    it('finds day 6 after half term and after Christmas', () => {
      const p = pupil();
      const halfTerm = only(run([p], [exclusion(p, { start_date: '2026-10-21', sessions: 12 })]).alerts, 'suspension_day6');
      assert.equal(halfTerm[0]!.dueDate, '2026-11-04');
      const christmas = only(run([p], [exclusion(p, { start_date: '2026-12-16', sessions: 12 })], { today: '2027-01-05' }).alerts, 'suspension_day6');
      assert.equal(christmas[0]!.dueDate, '2027-01-07');
      assert.equal(christmas[0]!.schoolDaysLeft, 2);
    });

    it('joins back-to-back suspensions at one school (the 2007 provision regulations as amended); no setting switches it off', () => {
      const p = pupil();
      const first = exclusion(p, { start_date: '2026-11-16', sessions: 6 }); // 16, 17, 18
      const second = exclusion(p, { start_date: '2026-11-19', sessions: 6 }); // 19, 20, 23
      const joined = only(run([p], [first, second]).alerts, 'suspension_day6');
      assert.equal(joined.length, 1);
      assert.equal(joined[0]!.exclusionId, second.id);
      assert.equal(joined[0]!.dueDate, '2026-11-23');
      assert.equal(joined[0]!.dedupeKey, `suspension_day6:p${p.id}:x${second.id}:2026-11-23:from-x${first.id}`);
      assert.throws(() => resolveRuleSettings({ combineBackToBackSuspensions: false }), /combineBackToBackSuspensions/);
    });

    it('does not join suspensions with a school day between them, or at different schools', () => {
      const p = pupil();
      const gap = [exclusion(p, { start_date: '2026-11-16', sessions: 6 }), exclusion(p, { start_date: '2026-11-20', sessions: 6 })];
      assert.deepEqual(only(run([p], gap).alerts, 'suspension_day6'), []);
      const moved = [exclusion(p, { start_date: '2026-11-16', sessions: 6 }), exclusion(p, { start_date: '2026-11-19', sessions: 6, school_urn: SCHOOL_B })];
      assert.deepEqual(only(run([p], moved).alerts, 'suspension_day6'), []);
    });

    it('does not treat lunchtimes as consecutive days of exclusion', () => {
      const p = pupil();
      assert.deepEqual(only(run([p], [exclusion(p, { start_date: '2026-11-16', category: 'LUNC', sessions: 8 })]).alerts, 'suspension_day6'), []);
    });
  });

  describe('repeated suspensions', () => {
    it('suggests a ladder review on the third suspension within 30 school days', () => {
      const p = pupil();
      const xs = [
        exclusion(p, { start_date: '2026-10-12' }),
        exclusion(p, { start_date: '2026-11-04' }),
        exclusion(p, { start_date: '2026-11-20' }),
      ];
      const repeated = only(run([p], xs).alerts, 'repeated_suspensions');
      assert.equal(repeated.length, 1);
      assert.equal(repeated[0]!.exclusionId, xs[2]!.id);
      assert.equal(repeated[0]!.facts.suspensionsInWindow, 3);
    });

    it('uses a window of 30 school days inclusive: 30 raises, 31 does not', () => {
      const p = pupil();
      const start = '2026-10-01';
      const day30 = cal.addSchoolDays(start, 29);
      const day31 = cal.addSchoolDays(start, 30);
      const inside = [exclusion(p, { start_date: start }), exclusion(p, { start_date: '2026-10-15' }), exclusion(p, { start_date: day30 })];
      assert.equal(only(run([p], inside).alerts, 'repeated_suspensions').length, 1);
      const outside = [exclusion(p, { start_date: start }), exclusion(p, { start_date: '2026-10-15' }), exclusion(p, { start_date: day31 })];
      assert.deepEqual(only(run([p], outside).alerts, 'repeated_suspensions'), []);
    });

    it('counts lunchtimes by default and not when configured, and counts across schools', () => {
      const p = pupil();
      const xs = [
        exclusion(p, { start_date: '2026-11-02', category: 'LUNC', sessions: 1, school_urn: SCHOOL_A }),
        exclusion(p, { start_date: '2026-11-09', school_urn: SCHOOL_A }),
        exclusion(p, { start_date: '2026-11-23', school_urn: SCHOOL_B }),
      ];
      assert.equal(only(run([p], xs).alerts, 'repeated_suspensions').length, 1);
      assert.deepEqual(only(run([p], xs, { settings: { repeatedIncludesLunchtimes: false } }).alerts, 'repeated_suspensions'), []);
    });

    it('ignores permanent exclusions in the pattern', () => {
      const p = pupil();
      const xs = [
        exclusion(p, { start_date: '2026-11-02' }),
        exclusion(p, { start_date: '2026-11-09' }),
        exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0 }),
      ];
      assert.deepEqual(only(run([p], xs).alerts, 'repeated_suspensions'), []);
    });
  });

  describe('event window, dedupe keys and problems', () => {
    it('raises no event alerts for exclusions before the current academic year', () => {
      const p = pupil({ looked_after: 1 });
      const old = exclusion(p, { start_date: '2026-06-10', category: 'PERM', sessions: 0 });
      assert.deepEqual(run([p], [old]).alerts, []);
      assert.equal(run([p], [old], { settings: { eventsSince: '2026-06-01' } }).alerts.length > 0, true);
    });

    it('builds dedupe keys from rule, pupil, exclusion and due date, stable between runs', () => {
      const p = pupil({ sen_provision: 'E' });
      const xs = [exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0 })];
      const first = run([p], xs).alerts.map((a) => a.dedupeKey);
      const second = run([p], xs, { today: '2026-11-26' }).alerts.map((a) => a.dedupeKey);
      assert.deepEqual(first, second);
      assert.ok(first.includes(alertDedupeKey('pex_la_day6', p.id, xs[0]!.id, '2026-11-30')));
      assert.ok(first.includes(`ehc_plan_excluded:p${p.id}:x${xs[0]!.id}:-`));
      assert.equal(new Set(first).size, first.length);
    });

    it('reports a row outside the calendar as a problem without losing other pupils', () => {
      const bad = pupil({ looked_after: 1 });
      const good = pupil({ looked_after: 1 });
      const { alerts, problems } = run([bad, good], [exclusion(bad, { start_date: '2028-01-10' }), exclusion(good, { start_date: '2026-11-24' })]);
      assert.deepEqual(alerts.map((a) => a.pupilId), [good.id]);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.pupilId, bad.id);
      assert.match(problems[0]!.message, /2028-01-10 is outside the school calendar/);
    });

    it('still raises an alert whose deadline falls after the calendar ends, without the date', () => {
      const p = pupil();
      const xs = [exclusion(p, { start_date: '2027-07-05', sessions: 8 }), exclusion(p, { start_date: '2027-07-12', sessions: 6, notified_date: '2027-07-12' })];
      const { alerts, problems } = run([p], xs, { today: '2027-07-13' });
      const over5 = only(alerts, 'term_total_over_5');
      assert.equal(over5.length, 1, '50 school days from 12 July runs past 31 August 2027');
      assert.equal(over5[0]!.dueDate, undefined);
      assert.equal(over5[0]!.facts.dueBeyondCalendar, true);
      assert.equal(over5[0]!.dedupeKey, `term_total_over_5:p${p.id}:x${xs[1]!.id}:-:2026/27 summer`);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!.message, /runs past the end of the school calendar/);
    });

    it('reports once when today is outside the calendar', () => {
      const p = pupil({ looked_after: 1 });
      const { alerts, problems } = run([p], [exclusion(p, { start_date: '2026-11-24' })], { today: '2030-01-01' });
      assert.deepEqual(alerts, []);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!.message, /2030-01-01 is outside/);
    });

    it('gives pupils with no exclusions no alerts and lists current schools from enrolments', () => {
      const quiet = pupil({ looked_after: 1 });
      const moved = pupil({ looked_after: 1 });
      const enrolments: RuleEnrolment[] = [
        { pupil_id: moved.id, school_urn: SCHOOL_A, start_date: '2024-09-01', end_date: '2026-11-06', registration: 'C' },
        { pupil_id: moved.id, school_urn: SCHOOL_B, start_date: '2026-11-09', end_date: null, registration: 'M' },
        { pupil_id: moved.id, school_urn: SCHOOL_CLOSING, start_date: '2026-11-09', end_date: null, registration: 'S' },
      ];
      const { alerts } = run([quiet, moved], [exclusion(moved, { start_date: '2026-11-02', school_urn: SCHOOL_A })], { enrolments });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.schoolUrn, SCHOOL_A);
      assert.deepEqual(alerts[0]!.currentSchoolUrns, [SCHOOL_CLOSING, SCHOOL_B].sort((a, b) => a - b));
    });
  });
});
