import assert from 'node:assert/strict';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { generateDemoCounty } from '../../../scripts/demo/demo-county';
import { evaluateExclusionRules } from '../../../services/exclusions/exclusion-rules';

/** Issue 9 item 11: the demo county's exclusions carry casework like a real county's. */

const TODAY = '2026-11-25';
const calendar = loadCalendar();

describe('demo county casework (issue 9)', () => {
  const county = generateDemoCounty({ pupils: 60_000, seed: 'casework', today: TODAY, calendar });

  it('has governors’ decisions on permanent exclusions, some reviews in flight, dates in order and not after today', () => {
    const byId = new Map(county.exclusions.map((x) => [x.id, x]));
    assert.ok(county.reviews.length > 0);
    for (const r of county.reviews) {
      const x = byId.get(r.exclusion_id)!;
      assert.equal(x.category, 'PERM');
      const dates = [x.start_date, r.governors_meeting_date, r.governors_notified_date, r.irp_applied_date, r.irp_decision_notified_date, r.reconsidered_date].filter((d): d is string => d !== null);
      assert.deepEqual([...dates].sort(), dates, 'steps in order');
      assert.ok(dates.every((d) => d <= TODAY));
    }
    const perm = county.exclusions.filter((x) => x.category === 'PERM').length;
    assert.ok(county.reviews.length < perm, 'recent permanent exclusions still wait for the governors');
  });

  it('has a few late reports and a few withdrawn suspensions, and the rules raise them', () => {
    const withdrawn = county.exclusions.filter((x) => x.outcome === 'withdrawn');
    assert.ok(withdrawn.length > 0 && withdrawn.length < county.exclusions.length * 0.03);
    const { alerts } = evaluateExclusionRules({ today: TODAY, calendar, pupils: county.pupils, exclusions: county.exclusions, enrolments: county.enrolments });
    const late = alerts.filter((a) => a.rule === 'reported_late').length;
    assert.ok(late > 0 && late < county.exclusions.length * 0.06, `${late} late of ${county.exclusions.length}`);
    const withdrawnIds = new Set(withdrawn.map((x) => x.id));
    assert.ok(!alerts.some((a) => withdrawnIds.has(a.exclusionId)), 'withdrawn suspensions raise nothing');
  });
});
