import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { ApPlaceRows } from './free-places';
import { chunk, IDS_PER_QUERY } from '../store/batches';

/**
 * The hub and placement rows the exclusion rules read (the no-free-place rule), for the pupils with
 * a permanent exclusion. Undefined when no hubs are recorded: the rule then stays silent.
 */
export async function loadApPlaceRows(db: Kysely<Database>, since: string, permanentlyExcluded: readonly number[]): Promise<ApPlaceRows | undefined> {
  if (permanentlyExcluded.length === 0) return undefined;
  const hubs = await db.selectFrom('ap_hub').select(['id', 'district_id', 'phase', 'commissioned_places', 'transient_places']).execute();
  if (hubs.length === 0) return undefined;
  const spans = await db
    .selectFrom('ap_placement')
    .select(['hub_id', 'place_kind', 'start_date', 'end_date'])
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', since)]))
    .execute();
  const schools = await db.selectFrom('school').select(['urn', 'district_id']).execute();
  const pupilYears = new Map<number, number>();
  const ids = [...new Set(permanentlyExcluded)];
  for (const part of chunk(ids, IDS_PER_QUERY)) {
    for (const p of await db.selectFrom('pupil').select(['id', 'nc_year']).where('id', 'in', part).execute()) pupilYears.set(p.id, p.nc_year);
  }
  return {
    hubs: hubs.map((h) => ({ id: h.id, districtId: h.district_id, phase: h.phase, commissioned: h.commissioned_places, transient: h.transient_places })),
    spans: spans.map((s) => ({ hubId: s.hub_id, kind: s.place_kind, start: s.start_date, end: s.end_date })),
    schoolDistricts: new Map(schools.map((s) => [s.urn, s.district_id])),
    pupilYears,
  };
}
