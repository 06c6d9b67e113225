import type { Kysely } from 'kysely';
import type { SchoolCalendar } from '../../services/calendar/school-calendar';
import { nthSchoolDay } from '../../services/exclusions/suspension-totals';
import { chunk, ROWS_PER_INSERT } from '../../services/store/batches';
import type { Database } from '../../services/store/database';
import type { DemoCounty } from './demo-county';
import { Random } from './random';

/**
 * Alternative provision for the demo county, shaped like the seed sufficiency strategy: one hub
 * per district, two classrooms of 8 commissioned places and 2 or 3 transient places. Permanently
 * excluded pupils past their sixth school day hold a place at their district's hub from day 6
 * (their exclusion's full-time place is recorded), except every third one, who is still waiting;
 * the remaining places go to other Key Stage 3 and 4 pupils of the district, some leaving within
 * the next two weeks. Boston and Lincoln hubs are full. Fictional providers, deterministic by seed.
 */

const PROVIDERS = ['Wolds and Fens Learning Trust', 'Witham Valley AP Partnership'];
const FULL_DISTRICTS = new Set(['Boston', 'Lincoln']);
const COMMISSIONED = 16;

export interface DemoApPlan {
  hubs: { district_id: number; provider: string; hub: string; phase: 'secondary'; commissioned_places: number; transient_places: number; contact: string }[];
  placements: { districtId: number; pupil_id: number; place_kind: 'commissioned' | 'transient'; start_date: string; end_date: string | null; exclusion_id: number | null }[];
}

export function planDemoApPlaces(county: DemoCounty, today: string, calendar: SchoolCalendar, seed: string | number): DemoApPlan {
  const random = new Random(seed, 'ap-places');
  const schoolDistrict = new Map(county.schools.map((s) => [s.urn, s.district_id]));
  const schoolDays = calendar.schoolDays(county.window.yearStart, today);
  const ahead = (n: number) => calendar.addSchoolDays(today, n);
  const hubs: DemoApPlan['hubs'] = county.districts.map((d, i) => ({
    district_id: d.id,
    provider: PROVIDERS[i % PROVIDERS.length]!,
    hub: `${d.name} Hub`,
    phase: 'secondary',
    commissioned_places: COMMISSIONED,
    transient_places: i % 2 === 0 ? 3 : 2,
    contact: `ap-${d.name.toLowerCase().replace(/\s+/g, '-')}@example.org`,
  }));
  const placements: DemoApPlan['placements'] = [];
  const taken = new Map<number, { commissioned: number; transient: number }>(hubs.map((h) => [h.district_id, { commissioned: 0, transient: 0 }]));
  const placed = new Set<number>();

  // Permanently excluded pupils past day 6: a commissioned place from day 6, at their district's hub.
  const permanent = county.exclusions.filter((x) => x.category === 'PERM' && x.outcome === null).sort((a, b) => a.start_date.localeCompare(b.start_date) || a.id - b.id);
  permanent.forEach((x, index) => {
    const districtId = schoolDistrict.get(x.school_urn);
    if (districtId === undefined || placed.has(x.pupil_id) || index % 3 === 2) return;
    let daySix: string;
    try {
      daySix = nthSchoolDay(x, 6, calendar);
    } catch {
      return;
    }
    const t = taken.get(districtId)!;
    if (daySix > today || t.commissioned >= COMMISSIONED) return;
    t.commissioned++;
    placed.add(x.pupil_id);
    placements.push({ districtId, pupil_id: x.pupil_id, place_kind: 'commissioned', start_date: daySix, end_date: null, exclusion_id: x.id });
  });

  // Other pupils: Years 9 to 11 on roll in the district, never excluded permanently.
  const excluded = new Set(permanent.map((x) => x.pupil_id));
  const year = new Map(county.pupils.map((p) => [p.id, p.nc_year]));
  const candidates = new Map<number, number[]>();
  for (const e of county.enrolments) {
    const y = year.get(e.pupil_id) ?? 0;
    if (e.end_date !== null || y < 9 || y > 11 || excluded.has(e.pupil_id)) continue;
    const d = schoolDistrict.get(e.school_urn)!;
    const list = candidates.get(d) ?? [];
    list.push(e.pupil_id);
    candidates.set(d, list);
  }
  for (const hub of hubs) {
    const t = taken.get(hub.district_id)!;
    const name = county.districts.find((d) => d.id === hub.district_id)!.name;
    const full = FULL_DISTRICTS.has(name);
    const commissionedTarget = full ? COMMISSIONED : 11 + random.int(5);
    const transientTarget = full ? hub.transient_places : random.int(hub.transient_places);
    const pool = random.shuffle([...(candidates.get(hub.district_id) ?? [])]);
    let leaving = 0;
    for (const pupilId of pool) {
      if (placed.has(pupilId)) continue;
      const kind = t.commissioned < commissionedTarget ? 'commissioned' : t.transient < transientTarget ? 'transient' : null;
      if (!kind) break;
      t[kind]++;
      placed.add(pupilId);
      const start = schoolDays[random.int(schoolDays.length)] ?? today;
      // Transient stays are short; a few commissioned places end within the next two weeks.
      const end = kind === 'transient' ? ahead(1 + random.int(15)) : leaving < 2 && random.chance(0.25) ? (leaving++, ahead(1 + random.int(10))) : null;
      placements.push({ districtId: hub.district_id, pupil_id: pupilId, place_kind: kind, start_date: start, end_date: end, exclusion_id: null });
    }
  }
  return { hubs, placements };
}

/** Writes the plan inside the seed's transaction, with each placed exclusion's full-time place. */
export async function writeDemoApPlaces(db: Kysely<Database>, plan: DemoApPlan, now: string): Promise<void> {
  const hubIds = new Map<number, number>();
  for (const hub of plan.hubs) {
    const row = await db.insertInto('ap_hub').values({ ...hub, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    hubIds.set(hub.district_id, row.id);
  }
  for (const part of chunk(plan.placements, ROWS_PER_INSERT)) {
    await db
      .insertInto('ap_placement')
      .values(part.map((p) => ({ hub_id: hubIds.get(p.districtId)!, pupil_id: p.pupil_id, place_kind: p.place_kind, start_date: p.start_date, end_date: p.end_date, exclusion_id: p.exclusion_id, source: 'demo', created_at: now })))
      .execute();
  }
  const placed = plan.placements.filter((p) => p.exclusion_id !== null);
  if (placed.length > 0) {
    await db
      .insertInto('exclusion_placement')
      .values(placed.map((p) => ({ exclusion_id: p.exclusion_id!, placed_on: p.start_date, recorded_by: null, recorded_at: now })))
      .execute();
  }
}
