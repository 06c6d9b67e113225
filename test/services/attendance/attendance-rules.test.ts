import assert from 'node:assert/strict';
import { evaluateAttendanceRules, mergeWeeks, resolveAttendanceSettings, type AttendanceRulePupil, AttendanceSettingsError } from '../../../services/attendance/attendance-rules';
import { CODE_BY_NAME, EMPTY_WEEK } from '../../../services/attendance/attendance-codes';
import type { WeekMarks } from '../../../services/attendance/attendance-measures';
import { mondayOf } from '../../../services/calendar/dates';
import { loadCalendar } from '../../../services/calendar/school-calendar';

const calendar = loadCalendar();
const YEAR_DAYS = calendar.schoolDays('2026-09-01', '2026-12-18');
const settings = resolveAttendanceSettings();

/** A hand-made register: one [am, pm] pair of code names per school day, from the first day of term. */
function register(days: readonly [string, string][]): WeekMarks[] {
  const weeks = new Map<string, string[]>();
  days.forEach(([am, pm], i) => {
    const date = YEAR_DAYS[i]!;
    const monday = mondayOf(date);
    const marks = weeks.get(monday) ?? [...EMPTY_WEEK];
    const offset = (Date.parse(date) - Date.parse(monday)) / 86_400_000;
    marks[offset * 2] = CODE_BY_NAME.get(am)!.char;
    marks[offset * 2 + 1] = CODE_BY_NAME.get(pm)!.char;
    weeks.set(monday, marks);
  });
  return [...weeks].map(([weekStart, marks]) => ({ weekStart, marks: marks.join('') }));
}

const P: [string, string] = ['/', '\\'];
const O: [string, string] = ['O', 'O'];
const times = (n: number, day: [string, string]) => Array.from({ length: n }, () => day);

function pupil(overrides: Partial<AttendanceRulePupil> = {}): AttendanceRulePupil {
  return { id: 7, nc_year: 9, sen_provision: 'N', looked_after: 0, social_worker: 'N', youth_justice: 0, fsm: 0, ...overrides };
}

/** The rules as they would run on the evening of school day `dayNumber` (1-based) with the marks so far. */
function runOn(dayNumber: number, days: readonly [string, string][], p = pupil(), yjWorkers: number[] = []) {
  return evaluateAttendanceRules(
    { pupil: p, schoolUrn: 100001, currentSchoolUrns: [100001], weeks: register(days.slice(0, dayNumber)), youthJusticeWorkerIds: yjWorkers },
    { schoolDays: YEAR_DAYS.slice(0, dayNumber), academicYear: '2026/27', settings },
  );
}

const ofRule = (alerts: ReturnType<typeof runOn>, rule: string) => alerts.filter((a) => a.rule === rule);

describe('attendance rules on hand-made registers', () => {
  it('severe absence: fires on the school day attendance first reaches 50%, once per episode, and again after a recovery', () => {
    // 10 days present, then absent: 20 of 20+2k sessions is 50% on the 10th absent day (school day 20).
    const days = [...times(10, P), ...times(12, O), ...times(15, P), ...times(20, O)];
    assert.deepEqual(ofRule(runOn(19, days), 'severe_absence_onset'), []);
    const first = ofRule(runOn(20, days), 'severe_absence_onset');
    assert.equal(first.length, 1);
    assert.equal(first[0]!.eventDate, YEAR_DAYS[19]);
    assert.equal(first[0]!.facts.yearRate, 50);
    // Later runs inside the same episode find the same key: the store keeps one alert.
    assert.equal(ofRule(runOn(22, days), 'severe_absence_onset')[0]!.dedupeKey, first[0]!.dedupeKey);
    // 15 days present lift the year to 50 of 74 sessions (68%): recovered, nothing current.
    assert.deepEqual(ofRule(runOn(37, days), 'severe_absence_onset'), []);
    // Absent again: 50 of 74+2k is 50% at k = 13, school day 50: a new episode, a new key.
    assert.deepEqual(ofRule(runOn(49, days), 'severe_absence_onset'), []);
    const second = ofRule(runOn(50, days), 'severe_absence_onset');
    assert.equal(second.length, 1);
    assert.equal(second[0]!.eventDate, YEAR_DAYS[49]);
    assert.notEqual(second[0]!.dedupeKey, first[0]!.dedupeKey);
  });

  it('persistent absence: only for a pupil with a social worker, a plan, in care or open to youth justice', () => {
    // 90% of 40 sessions: 36 present; a pupil absent 2 days in 20 is at exactly 90%.
    const days = [...times(18, P), ...times(2, O)];
    assert.deepEqual(ofRule(runOn(20, days), 'persistent_absence_cohort'), []);
    for (const flags of [{ social_worker: 'CP' }, { looked_after: 1 }, { sen_provision: 'E' }, { youth_justice: 1 }]) {
      const alerts = ofRule(runOn(20, days, pupil(flags)), 'persistent_absence_cohort');
      assert.equal(alerts.length, 1, JSON.stringify(flags));
      assert.equal(alerts[0]!.eventDate, YEAR_DAYS[19]);
    }
    assert.deepEqual(ofRule(runOn(19, days, pupil({ looked_after: 1 })), 'persistent_absence_cohort'), []);
  });

  it('10 consecutive school days of unauthorised absence: fires on the 10th day; an authorised day breaks the run', () => {
    const days = [...times(5, P), ...times(10, ['N', 'N'])];
    assert.deepEqual(ofRule(runOn(14, days), 'unauthorised_10_days'), []);
    const [alert] = ofRule(runOn(15, days), 'unauthorised_10_days');
    assert.equal(alert!.eventDate, YEAR_DAYS[14]);
    assert.equal(alert!.dueDate, YEAR_DAYS[14]);
    assert.equal(alert!.episodeStart, YEAR_DAYS[5]);
    const broken = [...times(5, P), ...times(5, ['N', 'N']), ['I', 'I'] as [string, string], ...times(5, ['N', 'N'])];
    assert.deepEqual(ofRule(runOn(16, broken), 'unauthorised_10_days'), []);
  });

  it('15 school days of illness, over the year: fires on the day the 15th is reached, one alert a year', () => {
    // Ill every other day: the 15th day of illness is school day 29.
    const days = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? (['I', 'I'] as [string, string]) : P));
    assert.deepEqual(ofRule(runOn(28, days), 'illness_15_days'), []);
    const [alert] = ofRule(runOn(29, days), 'illness_15_days');
    assert.equal(alert!.eventDate, YEAR_DAYS[28]);
    assert.equal(alert!.facts.illnessDays, 15);
    assert.equal(ofRule(runOn(40, days), 'illness_15_days')[0]!.dedupeKey, alert!.dedupeKey);
  });

  it('penalty-notice threshold: the 10th unauthorised session within 10 school weeks', () => {
    const days = times(20, ['G', '\\']);
    assert.deepEqual(ofRule(runOn(9, days), 'penalty_notice_threshold'), []);
    const [alert] = ofRule(runOn(10, days), 'penalty_notice_threshold');
    assert.equal(alert!.eventDate, YEAR_DAYS[9]);
    assert.equal(alert!.facts.unauthorisedSessions, 10);
    assert.equal(ofRule(runOn(20, days), 'penalty_notice_threshold')[0]!.dedupeKey, alert!.dedupeKey);
  });

  it('youth justice: below the rate over the last four school weeks, for a pupil open to youth justice, naming the linked worker', () => {
    const days = [...times(20, P), ...times(3, O), ...times(7, P)];
    const yj = pupil({ youth_justice: 1 });
    assert.deepEqual(ofRule(runOn(22, days, yj, [42]), 'youth_justice_not_attending'), []);
    // Over the last four school weeks the third absent day takes the rate below 90%.
    const alerts = ofRule(runOn(23, days, yj, [42]), 'youth_justice_not_attending');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.eventDate, YEAR_DAYS[22]);
    assert.deepEqual(alerts[0]!.youthJusticeWorkerIds, [42]);
    assert.deepEqual(alerts[0]!.recipientRoles, ['youth_justice_worker']);
    assert.deepEqual(ofRule(runOn(23, days, pupil(), [42]), 'youth_justice_not_attending'), []);
  });

  it('is configurable: a rule switched off or a threshold changed', () => {
    const days = [...times(10, P), ...times(10, O)];
    const off = resolveAttendanceSettings({ severe_absence_onset: { enabled: false } });
    const run = (s: typeof settings) =>
      evaluateAttendanceRules({ pupil: pupil(), schoolUrn: 1, currentSchoolUrns: [1], weeks: register(days), youthJusticeWorkerIds: [] }, { schoolDays: YEAR_DAYS.slice(0, 20), academicYear: '2026/27', settings: s });
    assert.equal(ofRule(run(off), 'severe_absence_onset').length, 0);
    const higher = ofRule(run(resolveAttendanceSettings({ severe_absence_onset: { threshold: 60 } })), 'severe_absence_onset');
    assert.equal(higher[0]!.eventDate, YEAR_DAYS[16]);
    assert.throws(() => resolveAttendanceSettings('{"severe_absence_onset": {"threshold": -1}}'), (e: Error) => e instanceof AttendanceSettingsError && /severe_absence_onset\.threshold/.test(e.message));
  });

  it('only compulsory school age (Year 1 to 11)', () => {
    const days = [...times(5, P), ...times(10, ['N', 'N'])];
    assert.deepEqual(runOn(15, days, pupil({ nc_year: 0 })), []);
    assert.deepEqual(runOn(15, days, pupil({ nc_year: 12 })), []);
  });

  it('merges two schools’ weeks by the best mark of each session', () => {
    const merged = mergeWeeks([
      { weekStart: '2026-09-07', marks: 'OO........' },
      { weekStart: '2026-09-07', marks: '/.N.......' },
    ]);
    assert.deepEqual(merged, [{ weekStart: '2026-09-07', marks: '/ON.......' }]);
  });
});
