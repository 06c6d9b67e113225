import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { addDays, dateInLondon, dayMonth, dayMonthYear, daysBetween, isIsoDate, isoWeekday, mondayOf, todayInLondon, weekdayDate } from '../../../services/calendar/dates';

describe('calendar dates', () => {
  describe('isIsoDate', () => {
    it('accepts real dates including 29 February in a leap year', () => {
      assert.equal(isIsoDate('2026-11-25'), true);
      assert.equal(isIsoDate('2028-02-29'), true);
    });
    it('rejects impossible dates, other layouts and non-strings', () => {
      for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-11-31', '2026-1-05', '25/11/2026', '2026-11-25T00:00:00Z', '', ' 2026-11-25'])
        assert.equal(isIsoDate(bad), false, bad);
      assert.equal(isIsoDate(20261125), false);
      assert.equal(isIsoDate(null), false);
    });
  });

  describe('todayInLondon', () => {
    it('uses the London date late in the evening in summer (BST, UTC+1)', () => {
      assert.equal(todayInLondon(fixedClock('2026-07-01T23:30:00Z')), '2026-07-02');
    });
    it('uses the London date in winter (GMT) when UTC and London agree', () => {
      assert.equal(todayInLondon(fixedClock('2026-11-25T23:30:00Z')), '2026-11-25');
      assert.equal(dateInLondon(new Date('2026-11-25T00:00:00Z')), '2026-11-25');
    });
    it('handles the night the clocks go forward', () => {
      // 29 March 2026: 01:00 GMT becomes 02:00 BST.
      assert.equal(todayInLondon(fixedClock('2026-03-28T23:59:00Z')), '2026-03-28');
      assert.equal(todayInLondon(fixedClock('2026-03-29T23:30:00Z')), '2026-03-30');
    });
  });

  describe('arithmetic', () => {
    it('adds days across month, year and DST changes', () => {
      assert.equal(addDays('2026-12-31', 1), '2027-01-01');
      assert.equal(addDays('2026-03-28', 2), '2026-03-30');
      assert.equal(addDays('2026-10-24', 3), '2026-10-27');
      assert.equal(addDays('2028-02-28', 1), '2028-02-29');
      assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    });
    it('refuses fractional days and bad dates', () => {
      assert.throws(() => addDays('2026-11-25', 0.5), /whole number/);
      assert.throws(() => addDays('2026-02-30', 1), /not an ISO date/);
    });
    it('numbers weekdays Monday=1 to Sunday=7', () => {
      assert.equal(isoWeekday('2026-11-23'), 1);
      assert.equal(isoWeekday('2026-11-25'), 3);
      assert.equal(isoWeekday('2026-11-29'), 7);
    });
    it('finds the Monday of a week', () => {
      assert.equal(mondayOf('2026-11-25'), '2026-11-23');
      assert.equal(mondayOf('2026-11-23'), '2026-11-23');
      assert.equal(mondayOf('2026-11-29'), '2026-11-23');
      assert.equal(mondayOf('2027-01-01'), '2026-12-28');
    });
    it('counts calendar days between dates, signed', () => {
      assert.equal(daysBetween('2026-11-25', '2026-12-25'), 30);
      assert.equal(daysBetween('2026-12-25', '2026-11-25'), -30);
      assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
      assert.equal(daysBetween('2026-11-25', '2026-11-25'), 0);
    });
  });

  it('writes dates in fixed English words, whatever the server locale', () => {
    assert.equal(weekdayDate('2026-12-09'), 'Wed 9 Dec 2026');
    assert.equal(dayMonth('2026-12-09'), '9 Dec');
    assert.equal(dayMonthYear('2026-09-01'), '1 September 2026');
    assert.equal(dayMonthYear('2027-02-28'), '28 February 2027');
  });
});
