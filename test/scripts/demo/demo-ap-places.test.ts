import assert from 'node:assert/strict';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { planDemoApPlaces } from '../../../scripts/demo/ap-places-generator';
import { generateDemoCounty } from '../../../scripts/demo/demo-county';
import { nthSchoolDay } from '../../../services/exclusions/suspension-totals';
import { freePlacesOn } from '../../../services/places/free-places';

/** Issue 12 item 9: the demo county's alternative provision, shaped like the seed's plan. */

const TODAY = '2026-11-25';
const calendar = loadCalendar();

describe('demo county AP places (issue 12)', () => {
  const county = generateDemoCounty({ pupils: 20_000, seed: 'ap-places', today: TODAY, calendar });
  const plan = planDemoApPlaces(county, TODAY, calendar, 'ap-places');

  it('has a hub per district of 2 x 8 commissioned and 2-3 transient places, some full, none over', () => {
    assert.deepEqual(plan.hubs.map((h) => h.district_id).sort(), county.districts.map((d) => d.id).sort());
    for (const h of plan.hubs) {
      assert.equal(h.commissioned_places, 16);
      assert.ok(h.transient_places >= 2 && h.transient_places <= 3);
    }
    const capacity = plan.hubs.map((h) => ({ id: h.district_id, commissioned: h.commissioned_places, transient: h.transient_places }));
    const spans = plan.placements.map((p) => ({ hubId: p.districtId, kind: p.place_kind, start: p.start_date, end: p.end_date }));
    // No demo placement ends before today and none starts after it: today counts every one.
    const free = freePlacesOn(capacity, spans, TODAY);
    const full = county.districts.filter((d) => free.get(d.id)!.commissioned + free.get(d.id)!.transient === 0).map((d) => d.name);
    assert.deepEqual(full.sort(), ['Boston', 'Lincoln']);
    for (const h of plan.hubs) {
      const taken = spans.filter((s) => s.hubId === h.district_id && s.start <= TODAY && (s.end === null || s.end >= TODAY));
      assert.ok(taken.filter((s) => s.kind === 'commissioned').length <= 16 && taken.filter((s) => s.kind === 'transient').length <= h.transient_places);
    }
    assert.ok(plan.placements.some((p) => p.end_date !== null && p.end_date > TODAY), 'someone is due to leave');
  });

  it('places most permanently excluded pupils from their sixth school day, and leaves some waiting', () => {
    const byId = new Map(county.exclusions.map((x) => [x.id, x]));
    const placed = plan.placements.filter((p) => p.exclusion_id !== null);
    assert.ok(placed.length > 0);
    for (const p of placed) assert.equal(p.start_date, nthSchoolDay(byId.get(p.exclusion_id!)!, 6, calendar));
    const pastDaySix = county.exclusions.filter((x) => x.category === 'PERM' && x.outcome === null && nthSchoolDay(x, 6, calendar) <= TODAY);
    assert.ok(placed.length < pastDaySix.length, 'some are still waiting');
  });
});
