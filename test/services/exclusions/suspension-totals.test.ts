import assert from 'node:assert/strict';
import { firstSchoolDay, nthSchoolDay, suspensionDayShares, suspensionDays } from '../../../services/exclusions/suspension-totals';
import { SCHOOL_A, SCHOOL_CLOSING, exclusion, pupil, sampleCalendar } from './rule-fixtures';

describe('suspension day counting', () => {
  const cal = sampleCalendar();
  const p = pupil();

  it('counts a whole-day suspension as consecutive school days', () => {
    const shares = suspensionDayShares(exclusion(p, { start_date: '2026-11-19', sessions: 6 }), cal);
    assert.deepEqual(shares, [
      { date: '2026-11-19', days: 1 },
      { date: '2026-11-20', days: 1 },
      { date: '2026-11-23', days: 1 },
    ]);
  });

  it('ends an odd number of sessions with a half day', () => {
    const shares = suspensionDayShares(exclusion(p, { start_date: '2026-11-23', sessions: 3 }), cal);
    assert.deepEqual(shares, [
      { date: '2026-11-23', days: 1 },
      { date: '2026-11-24', days: 0.5, half: 'AM' },
    ]);
    assert.equal(suspensionDays({ category: 'SUSP', sessions: 3 }), 1.5);
  });

  it('counts each lunchtime as half a day on its own school day', () => {
    const shares = suspensionDayShares(exclusion(p, { start_date: '2026-11-26', category: 'LUNC', sessions: 3 }), cal);
    assert.deepEqual(shares, [
      { date: '2026-11-26', days: 0.5 },
      { date: '2026-11-27', days: 0.5 },
      { date: '2026-11-30', days: 0.5 },
    ]);
    assert.equal(suspensionDays({ category: 'LUNC', sessions: 3 }), 1.5);
  });

  it('gives permanent exclusions no suspension days', () => {
    assert.deepEqual(suspensionDayShares(exclusion(p, { start_date: '2026-11-23', category: 'PERM', sessions: 0 }), cal), []);
    assert.equal(suspensionDays({ category: 'PERM', sessions: 10 }), 0);
  });

  it('skips half term and Christmas', () => {
    const halfTerm = suspensionDayShares(exclusion(p, { start_date: '2026-10-22', sessions: 6 }), cal).map((s) => s.date);
    assert.deepEqual(halfTerm, ['2026-10-22', '2026-10-23', '2026-11-02']);
    const christmas = suspensionDayShares(exclusion(p, { start_date: '2026-12-17', sessions: 8 }), cal).map((s) => s.date);
    assert.deepEqual(christmas, ['2026-12-17', '2026-12-18', '2027-01-05', '2027-01-06']);
  });

  it('starts on the next school day when the start date is not one', () => {
    assert.equal(firstSchoolDay({ start_date: '2026-11-28', school_urn: SCHOOL_A }, cal), '2026-11-30');
    assert.equal(firstSchoolDay({ start_date: '2026-11-27', school_urn: SCHOOL_CLOSING }, cal), '2026-12-01');
    assert.equal(nthSchoolDay({ start_date: '2026-11-23', school_urn: SCHOOL_A }, 6, cal), '2026-11-30');
  });

  it("uses the excluding school's own closures", () => {
    const shares = suspensionDayShares(exclusion(p, { start_date: '2026-11-26', sessions: 4, school_urn: SCHOOL_CLOSING }), cal);
    assert.deepEqual(
      shares.map((s) => s.date),
      ['2026-11-26', '2026-12-01'],
    );
  });
});
