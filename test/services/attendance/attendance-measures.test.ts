import assert from 'node:assert/strict';
import {
  absenceBand,
  absenceRate,
  attendanceRate,
  attendanceTrend,
  codeBreakdown,
  codePatterns,
  countSessions,
  groupMeasures,
  sessionRange,
  type SessionCounts,
  type WeekMarks,
} from '../../../services/attendance/attendance-measures';

/** Writes a week with spaces between days for readability: week('2026-11-02', '/\\ /\\ II NN ..'). */
function week(weekStart: string, days: string): WeekMarks {
  const marks = days.replace(/ /g, '');
  assert.equal(marks.length, 10, `fixture week ${weekStart} needs ten marks`);
  return { weekStart, marks };
}

const ALL_PRESENT = '/\\ /\\ /\\ /\\ /\\';

function counts(present: number, authorised: number, unauthorised: number, aea = 0): SessionCounts {
  return { present, aea, authorised, unauthorised, notCounted: 0, possible: present + aea + authorised + unauthorised };
}

describe('attendance measures', () => {
  describe('countSessions', () => {
    it('counts present, authorised and unauthorised sessions; no-mark sessions are not possible', () => {
      // Week 2: Mon present, Tue ill (I), Wed N N, Thu G then present, Fri no marks.
      const weeks = [week('2026-11-02', ALL_PRESENT), week('2026-11-09', '/\\ II NN G/ ..')];
      const c = countSessions(weeks);
      assert.deepEqual(c, { present: 13, aea: 0, authorised: 2, unauthorised: 3, notCounted: 0, possible: 18 });
      assert.equal(attendanceRate(c), 13 / 18);
      assert.equal(absenceRate(c), 5 / 18);
    });

    it('counts approved education off site as attendance and leaves D, X, Q, Y, Z and # out of possible sessions', () => {
      // K and V attend elsewhere; D, X, Q, Y1 (stored '1'), Z and # are not possible sessions; C2 (stored 'p') is authorised.
      const c = countSessions([week('2026-11-02', 'KV DX Q1 Z# p/')]);
      assert.deepEqual(c, { present: 1, aea: 2, authorised: 1, unauthorised: 0, notCounted: 6, possible: 4 });
      assert.equal(attendanceRate(c), 3 / 4);
    });

    it('keeps only the sessions inside the period, by date', () => {
      const weeks = [week('2026-11-02', ALL_PRESENT), week('2026-11-09', '/\\ II NN G/ OO')];
      // Wednesday 4th to Thursday 12th: 3 days of week 1, 4 days of week 2.
      const c = countSessions(weeks, { from: '2026-11-04', to: '2026-11-12' });
      assert.deepEqual(c, counts(9, 2, 3));
      assert.deepEqual(sessionRange('2026-11-02', { from: '2026-11-04', to: '2026-11-12' }), [4, 10]);
      assert.deepEqual(sessionRange('2026-11-09', { from: '2026-11-04', to: '2026-11-12' }), [0, 8]);
      assert.deepEqual(sessionRange('2026-11-16', { from: '2026-11-04', to: '2026-11-12' }), [0, 0]);
    });
  });

  describe('absenceBand (persistent 10%+, severe 50%+)', () => {
    it('puts exactly 10% missed into persistent absence and just under it outside', () => {
      assert.equal(absenceBand(counts(18, 1, 1)), 'persistent'); // 2 of 20 = 10%
      assert.equal(absenceBand(counts(10, 0, 1)), 'none'); // 1 of 11 = 9.1%
    });
    it('puts exactly 50% missed into severe absence and 45% into persistent', () => {
      assert.equal(absenceBand(counts(10, 6, 4)), 'severe'); // 10 of 20
      assert.equal(absenceBand(counts(11, 9, 0)), 'persistent'); // 9 of 20 = 45%
    });
    it('counts authorised absence (illness) towards persistent absence', () => {
      assert.equal(absenceBand(countSessions([week('2026-11-02', 'II /\\ /\\ /\\ /\\')])), 'persistent');
    });
    it('is none with no possible sessions', () => {
      assert.equal(absenceBand(countSessions([week('2026-11-02', '.. .. ## 11 ..')])), 'none');
      assert.equal(attendanceRate(countSessions([])), null);
    });
  });

  describe('attendanceTrend (last 6 school weeks against the 6 before)', () => {
    // Twelve school weeks of autumn 2026, half term (26 October) left out as the calendar does.
    const schoolWeeks = ['2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30'];
    const previousWeeks = schoolWeeks.slice(0, 6);
    const recentWeeks = schoolWeeks.slice(6);

    it('is worsening when attendance falls by 5 points or more', () => {
      // Previous: 60/60 = 100%. Recent: three sessions missed of 60 = 95%: exactly -5.0 points.
      const weeks = [
        ...previousWeeks.map((w) => week(w, ALL_PRESENT)),
        ...recentWeeks.map((w, i) => week(w, i === 0 ? 'OO O\\ /\\ /\\ /\\' : ALL_PRESENT)),
      ];
      const trend = attendanceTrend(weeks, schoolWeeks, '2026-12-04');
      assert.equal(trend.previous.possible, 60);
      assert.equal(trend.recent.possible, 60);
      assert.equal(trend.changePoints, -5);
      assert.equal(trend.direction, 'worsening');
    });

    it('is steady for a smaller fall and improving for a rise of 5 points or more', () => {
      const steady = [...previousWeeks.map((w) => week(w, ALL_PRESENT)), ...recentWeeks.map((w, i) => week(w, i === 0 ? 'OO /\\ /\\ /\\ /\\' : ALL_PRESENT))];
      assert.equal(attendanceTrend(steady, schoolWeeks, '2026-12-04').direction, 'steady'); // -3.3
      // Previous: 10 of 60 missed (83.3%); recent all present: +16.7.
      const better = [...previousWeeks.map((w, i) => week(w, i < 2 ? 'OO OO I/ /\\ /\\' : ALL_PRESENT)), ...recentWeeks.map((w) => week(w, ALL_PRESENT))];
      const trend = attendanceTrend(better, schoolWeeks, '2026-12-04');
      assert.equal(trend.changePoints, 16.7);
      assert.equal(trend.direction, 'improving');
    });

    it('ignores marks after the as-of date and is unknown without a week of sessions in each window', () => {
      const weeks = [...previousWeeks.map((w) => week(w, ALL_PRESENT)), ...recentWeeks.map((w) => week(w, 'OO OO OO OO OO'))];
      // As of Monday 19 October only one recent-window day is counted: 2 possible sessions.
      const trend = attendanceTrend(weeks, schoolWeeks, '2026-10-19');
      assert.equal(trend.recent.possible, 2);
      assert.equal(trend.direction, 'unknown');
      assert.equal(trend.changePoints, null);
    });
  });

  describe('codePatterns', () => {
    it('counts unexplained (N, O), holiday (G), part-time (C2) and illness (I) sessions', () => {
      const p = codePatterns([week('2026-11-02', 'NO GG pp I/ E\\')]);
      assert.equal(p.unexplainedSessions, 2);
      assert.equal(p.holidaySessions, 2);
      assert.equal(p.partTimeSessions, 2);
      assert.equal(p.illnessSessions, 1);
      assert.equal(p.excludedSessions, 1);
    });

    it('finds 10 school days of unauthorised absence in a row across a half term', () => {
      const weeks = [
        week('2026-10-19', 'OO OO OO OO OO'),
        week('2026-10-26', '.. .. .. .. ..'), // half term: no marks, does not break the run
        week('2026-11-02', 'NN NN GG UO NN'),
      ];
      const p = codePatterns(weeks);
      assert.equal(p.longestUnauthorisedRunDays, 10);
      assert.equal(p.currentUnauthorisedRunDays, 10);
      assert.equal(p.notAttendingRegularly, true);
    });

    it('breaks the run on a day with any attendance or authorised absence', () => {
      const weeks = [week('2026-10-19', 'OO OO OO OO OO'), week('2026-11-02', 'NN NN /O NN NN')];
      const p = codePatterns(weeks);
      assert.equal(p.longestUnauthorisedRunDays, 7);
      assert.equal(p.currentUnauthorisedRunDays, 2);
      assert.equal(p.notAttendingRegularly, false);
    });

    it('sees weeks out of order as the same run', () => {
      const weeks = [week('2026-11-02', 'NN NN GG UO NN'), week('2026-10-19', 'OO OO OO OO OO')];
      assert.equal(codePatterns(weeks).notAttendingRegularly, true);
    });

    it('flags illness reaching 15 days in total (the s.19 duty)', () => {
      // 15 days of illness spread over four weeks, never more than 5 in a row.
      const weeks = [
        week('2026-09-07', 'II II II II II'),
        week('2026-09-14', ALL_PRESENT),
        week('2026-09-21', 'II II II II II'),
        week('2026-09-28', ALL_PRESENT),
        week('2026-10-05', 'II II II II II'),
        week('2026-10-12', ALL_PRESENT),
      ];
      const p = codePatterns(weeks);
      assert.equal(p.illnessSessions, 30);
      assert.equal(p.longestIllnessRunDays, 5);
      assert.equal(p.s19Illness, 'reached');
    });

    it('expects illness to pass 15 days when the pupil is still ill after 10 days, and not once back', () => {
      const ill = [week('2026-11-09', 'II II II II II'), week('2026-11-16', 'II II II II II')];
      const stillIll = codePatterns(ill);
      assert.equal(stillIll.longestIllnessRunDays, 10);
      assert.equal(stillIll.s19Illness, 'expected');
      const back = codePatterns([...ill, week('2026-11-23', '/\\ .. .. .. ..')]);
      assert.equal(back.s19Illness, null);
    });
  });

  it('codeBreakdown counts sessions by DfE code name', () => {
    const breakdown = codeBreakdown([week('2026-11-02', '/\\ pp c1 NN ..')]);
    assert.deepEqual(Object.fromEntries(breakdown), { '/': 1, '\\': 1, C1: 1, C2: 2, N: 2, Y1: 1 });
  });

  it('groupMeasures sums sessions and counts PA and SA pupils as DfE does', () => {
    const g = groupMeasures([counts(20, 0, 0), counts(18, 2, 0), counts(8, 4, 8), counts(0, 0, 0)]);
    assert.equal(g.pupils, 3);
    assert.equal(g.persistent, 2);
    assert.equal(g.severe, 1);
    assert.equal(g.sessions.possible, 60);
    assert.equal(g.absenceRate, 14 / 60);
    assert.equal(g.unauthorisedRate, 8 / 60);
    assert.equal(g.persistentRate, 2 / 3);
    assert.equal(g.severeRate, 1 / 3);
  });
});
