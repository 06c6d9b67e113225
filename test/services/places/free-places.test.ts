import assert from 'node:assert/strict';
import { districtRanks, neighbourTableFrom } from '../../../services/places/district-neighbours';
import { districtHasNoFreePlace, fewestFreeBetween, freePlacesOn, hubTakesPhase, phaseOfYear, type PlacementSpan } from '../../../services/places/free-places';

const hubA = { id: 1, commissioned: 16, transient: 3 };
const hubB = { id: 2, commissioned: 2, transient: 0 };

function span(hubId: number, kind: PlacementSpan['kind'], start: string, end: string | null = null): PlacementSpan {
  return { hubId, kind, start, end };
}

describe('free alternative provision places', () => {
  it('counts commissioned and transient places apart, on the day asked', () => {
    const placements = [
      ...Array.from({ length: 16 }, () => span(1, 'commissioned', '2026-09-03')),
      span(1, 'transient', '2026-11-20', '2026-11-27'),
      span(2, 'commissioned', '2026-11-02'),
    ];
    const free = freePlacesOn([hubA, hubB], placements, '2026-11-25');
    assert.deepEqual(free.get(1), { commissioned: 0, transient: 2 }, 'the 16 classroom places are full; one transient taken');
    assert.deepEqual(free.get(2), { commissioned: 1, transient: 0 });
  });

  it('frees a place the day after its end date, and takes one from its start date', () => {
    const placements = [span(1, 'transient', '2026-11-20', '2026-11-30'), span(1, 'transient', '2026-12-07')];
    // Today (Monday 30 November): the first still holds its place on its last day; the second has not started.
    assert.deepEqual(freePlacesOn([hubA], placements, '2026-11-30').get(1), { commissioned: 16, transient: 2 });
    // Day 6 (Monday 7 December): the first has ended, the second has started.
    assert.deepEqual(freePlacesOn([hubA], placements, '2026-12-07').get(1), { commissioned: 16, transient: 2 });
    assert.deepEqual(freePlacesOn([hubA], placements, '2026-12-01').get(1), { commissioned: 16, transient: 3 }, 'in between, all three are free');
  });

  it('never shows fewer than none at an over-full hub', () => {
    const placements = [span(2, 'commissioned', '2026-09-03'), span(2, 'commissioned', '2026-09-03'), span(2, 'commissioned', '2026-09-03')];
    assert.deepEqual(freePlacesOn([hubB], placements, '2026-11-25').get(2), { commissioned: 0, transient: 0 });
  });

  it('finds the fewest free places over a placement: a later start can fill the hub', () => {
    const placements = [span(1, 'transient', '2026-11-23', '2026-11-27'), span(1, 'transient', '2026-11-30'), span(1, 'transient', '2026-12-02'), span(1, 'transient', '2026-12-03')];
    assert.equal(fewestFreeBetween(hubA, placements, 'transient', '2026-11-30', null), 0, 'from 3 December all three are taken');
    assert.equal(fewestFreeBetween(hubA, placements, 'transient', '2026-11-30', '2026-12-02'), 1, 'ending before the third starts, one is free throughout');
    assert.equal(fewestFreeBetween(hubA, placements, 'transient', '2026-11-24', '2026-11-27'), 2, 'an ended placement counts only on its own days');
    assert.equal(fewestFreeBetween(hubA, placements, 'commissioned', '2026-11-30', null), 16);
  });

  it('matches a pupil to hubs by phase', () => {
    assert.equal(phaseOfYear(6), 'primary');
    assert.equal(phaseOfYear(7), 'secondary');
    assert.equal(phaseOfYear(0), 'primary');
    assert.ok(hubTakesPhase('all_through', 'primary'));
    assert.ok(!hubTakesPhase('secondary', 'primary'));
  });

  it('ranks districts home first, then in the table order, then the rest by name', () => {
    const table = neighbourTableFrom({ neighbours: { Boston: ['South Holland', 'East Lindsey'] } });
    const ranks = districtRanks('boston', ['Lincoln', 'East Lindsey', 'Boston', 'Adderby', 'South Holland'], table);
    assert.deepEqual(
      [...ranks].sort((a, b) => a[1] - b[1]).map(([d]) => d),
      ['Boston', 'South Holland', 'East Lindsey', 'Adderby', 'Lincoln'],
    );
    assert.throws(() => neighbourTableFrom({ neighbours: { Boston: 'Lincoln' } }));
  });

  it('says a district has no free place only when it has hubs for the phase and all are full that day', () => {
    const rows = {
      hubs: [
        { id: 1, districtId: 10, phase: 'secondary' as const, commissioned: 1, transient: 1 },
        { id: 2, districtId: 10, phase: 'primary' as const, commissioned: 8, transient: 2 },
      ],
      spans: [span(1, 'commissioned', '2026-09-07'), span(1, 'transient', '2026-11-30', '2026-12-04')],
      schoolDistricts: new Map<number, number>(),
      pupilYears: new Map<number, number>(),
    };
    assert.equal(districtHasNoFreePlace(rows, 10, 'secondary', '2026-11-30'), true);
    assert.equal(districtHasNoFreePlace(rows, 10, 'secondary', '2026-12-07'), false, 'the transient place is free again after its last day');
    assert.equal(districtHasNoFreePlace(rows, 10, 'primary', '2026-11-30'), false);
    assert.equal(districtHasNoFreePlace(rows, 11, 'secondary', '2026-11-30'), false, 'a district without hubs raises nothing');
  });
});
