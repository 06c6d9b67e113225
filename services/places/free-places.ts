import type { ApPhase, PlaceKind } from './places-schema';

/**
 * Free-place arithmetic, pure: a place is taken on a day when a placement of its kind at the hub
 * has started on or before that day and has not ended before it (the end date is the last day in
 * the place). Commissioned and transient places are counted apart: a hub with 16 commissioned and
 * 3 transient places, 16 commissioned placements and one transient has 0 + 2 free.
 */

export interface HubCapacity {
  id: number;
  commissioned: number;
  transient: number;
}

export interface PlacementSpan {
  hubId: number;
  kind: PlaceKind;
  start: string;
  end: string | null;
}

export interface FreeCount {
  commissioned: number;
  transient: number;
}

export function occupiesOn(placement: Pick<PlacementSpan, 'start' | 'end'>, date: string): boolean {
  return placement.start <= date && (placement.end === null || placement.end >= date);
}

/** Free places of each kind at each hub on `date` (never below zero; an over-full hub shows 0). */
export function freePlacesOn(hubs: readonly HubCapacity[], placements: readonly PlacementSpan[], date: string): Map<number, FreeCount> {
  const taken = new Map<number, FreeCount>();
  for (const p of placements) {
    if (!occupiesOn(p, date)) continue;
    const t = taken.get(p.hubId) ?? { commissioned: 0, transient: 0 };
    t[p.kind]++;
    taken.set(p.hubId, t);
  }
  const free = new Map<number, FreeCount>();
  for (const hub of hubs) {
    const t = taken.get(hub.id) ?? { commissioned: 0, transient: 0 };
    free.set(hub.id, { commissioned: Math.max(0, hub.commissioned - t.commissioned), transient: Math.max(0, hub.transient - t.transient) });
  }
  return free;
}

/**
 * The fewest free places of one kind at a hub on any day from `from` to `to` inclusive: whether a
 * placement over those days fits. Only the start and the days other placements start on can lower
 * the count, so those are the days checked.
 */
export function fewestFreeBetween(hub: HubCapacity, placements: readonly PlacementSpan[], kind: PlaceKind, from: string, to: string | null): number {
  const mine = placements.filter((p) => p.hubId === hub.id && p.kind === kind);
  const days = new Set([from, ...mine.map((p) => p.start).filter((d) => d > from && (to === null || d <= to))]);
  let fewest = hub[kind];
  for (const day of days) {
    const taken = mine.filter((p) => occupiesOn(p, day)).length;
    fewest = Math.min(fewest, hub[kind] - taken);
  }
  return Math.max(0, fewest);
}

/** Reception to Year 6 is primary; Year 7 and above secondary (nursery counts as primary). */
export function phaseOfYear(ncYear: number): 'primary' | 'secondary' {
  return ncYear <= 6 ? 'primary' : 'secondary';
}

export function hubTakesPhase(hubPhase: ApPhase, phase: 'primary' | 'secondary'): boolean {
  return hubPhase === 'all_through' || hubPhase === phase;
}

/** What the rules need to know about places: plain rows, so the rules stay pure. */
export interface ApPlaceRows {
  hubs: readonly (HubCapacity & { districtId: number; phase: ApPhase })[];
  spans: readonly PlacementSpan[];
  /** School URN -> district id. */
  schoolDistricts: ReadonlyMap<number, number>;
  /** Pupil id -> national curriculum year (pupils with a permanent exclusion). */
  pupilYears: ReadonlyMap<number, number>;
}

/**
 * True when the district has hubs for the phase and none has a place of either kind free on the
 * day. A district with no hubs for the phase at all says nothing (the authority has not loaded its
 * places there, or places such pupils elsewhere): no alarm.
 */
export function districtHasNoFreePlace(rows: ApPlaceRows, districtId: number, phase: 'primary' | 'secondary', date: string): boolean {
  const hubs = rows.hubs.filter((h) => h.districtId === districtId && hubTakesPhase(h.phase, phase));
  if (hubs.length === 0) return false;
  const free = freePlacesOn(hubs, rows.spans, date);
  return hubs.every((h) => {
    const f = free.get(h.id)!;
    return f.commissioned + f.transient === 0;
  });
}
