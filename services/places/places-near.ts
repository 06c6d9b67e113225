import type { Kysely } from 'kysely';
import type { SchoolCalendar } from '../calendar/school-calendar';
import { nthSchoolDay } from '../exclusions/suspension-totals';
import type { Database } from '../store/database';
import { districtRanks, loadNeighbourTable, type NeighbourTable } from './district-neighbours';
import { freePlacesOn, hubTakesPhase, phaseOfYear, type FreeCount } from './free-places';
import { loadHubs, loadPlacementSpans } from './places-repository';

/**
 * The free places a permanently excluded pupil could take: hubs of the pupil's phase in the
 * excluding school's district first, then the nearest other districts (district-neighbours.ts),
 * each with its free commissioned and transient places today and on the sixth school day. Counts
 * only: no other pupil is named.
 */

export interface HubPlacesView {
  hubId: number;
  hub: string;
  provider: string;
  district: string;
  /** 0: the pupil's district; 1, 2, ...: the nearest others, in order. */
  nearness: number;
  contact: string | null;
  today: FreeCount;
  daySix: FreeCount | null;
}

export interface PlacesNearView {
  phase: 'primary' | 'secondary';
  district: string;
  today: string;
  /** The sixth school day of the exclusion; null when the calendar cannot count it. */
  daySix: string | null;
  hubs: HubPlacesView[];
}

/** Hubs shown: every hub of the pupil's district, then other districts' until this many are listed. */
export const HUBS_SHOWN = 5;
/** Sixth school day: five days of the school's own provision, then the authority's. */
const DAY_SIX = 6;

export interface PlacesNearInput {
  schoolUrn: number;
  exclusionStart: string;
  ncYear: number;
  today: string;
}

export async function placesNear(db: Kysely<Database>, calendar: SchoolCalendar, input: PlacesNearInput, table: NeighbourTable = loadNeighbourTable()): Promise<PlacesNearView | null> {
  const school = await db
    .selectFrom('school')
    .innerJoin('district', 'district.id', 'school.district_id')
    .select(['district.name as district'])
    .where('school.urn', '=', input.schoolUrn)
    .executeTakeFirst();
  if (!school) return null;
  const phase = phaseOfYear(input.ncYear);
  const allHubs = await loadHubs(db);
  // No hubs recorded at all: the authority does not keep its places here; the card says nothing.
  if (allHubs.length === 0) return null;
  const hubs = allHubs.filter((h) => hubTakesPhase(h.phase, phase));
  let daySix: string | null = null;
  try {
    daySix = nthSchoolDay({ start_date: input.exclusionStart, school_urn: input.schoolUrn }, DAY_SIX, calendar);
  } catch {
    daySix = null;
  }
  const view: PlacesNearView = { phase, district: school.district, today: input.today, daySix, hubs: [] };
  if (hubs.length === 0) return view;
  const ranks = districtRanks(school.district, [...new Set(hubs.map((h) => h.districtName))], table);
  const ordered = [...hubs].sort((a, b) => ranks.get(a.districtName)! - ranks.get(b.districtName)! || a.hub.localeCompare(b.hub));
  const shown = ordered.filter((h, i) => ranks.get(h.districtName) === 0 || i < HUBS_SHOWN);
  const earliest = daySix && daySix < input.today ? daySix : input.today;
  const spans = await loadPlacementSpans(db, earliest);
  const freeToday = freePlacesOn(shown, spans, input.today);
  const freeDaySix = daySix ? freePlacesOn(shown, spans, daySix) : null;
  view.hubs = shown.map((h) => ({
    hubId: h.id,
    hub: h.hub,
    provider: h.provider,
    district: h.districtName,
    nearness: ranks.get(h.districtName)!,
    contact: h.contact,
    today: freeToday.get(h.id)!,
    daySix: freeDaySix ? freeDaySix.get(h.id)! : null,
  }));
  return view;
}
