import type { Kysely } from 'kysely';
import type { Database } from '../../services/store/database';
import type { DemoCounty } from './demo-county';

/**
 * Youth justice workers for the demo county (issue 12): one per district for the `districts`
 * districts with most young people open to youth justice, each linked to up to `perWorker` young people of compulsory school age
 * open to youth justice and on roll in that district, so the attendance alert for a young person
 * not attending regularly has someone to go to. No Teams object id: they are not Playground users.
 */
export const DEMO_YOUTH_JUSTICE_DISTRICTS = 3;
const DEMO_YOUTH_JUSTICE_CASELOAD = 12;

export interface DemoYouthJusticeWorker {
  email: string;
  name: string;
  districtName: string;
  pupilIds: number[];
}

/** Pure: which workers, and which young people each is linked to (lowest pupil ids first, so every seed gives the same demo). */
export function planYouthJusticeWorkers(county: Pick<DemoCounty, 'districts' | 'schools' | 'pupils' | 'enrolments'>, districts = DEMO_YOUTH_JUSTICE_DISTRICTS, perWorker = DEMO_YOUTH_JUSTICE_CASELOAD): DemoYouthJusticeWorker[] {
  const districtOf = new Map(county.schools.map((s) => [s.urn, s.district_id]));
  const open = new Set(county.pupils.filter((p) => p.youth_justice === 1 && p.nc_year >= 1 && p.nc_year <= 11).map((p) => p.id));
  const byDistrict = new Map<number, number[]>();
  for (const e of county.enrolments) {
    if (e.end_date !== null || !open.has(e.pupil_id)) continue;
    const district = districtOf.get(e.school_urn);
    if (district === undefined) continue;
    const list = byDistrict.get(district) ?? [];
    if (!list.includes(e.pupil_id)) list.push(e.pupil_id);
    byDistrict.set(district, list);
  }
  // The districts with the most young people open to the service, so each worker has a caseload.
  const chosen = [...county.districts].sort((a, b) => (byDistrict.get(b.id)?.length ?? 0) - (byDistrict.get(a.id)?.length ?? 0) || a.id - b.id).slice(0, districts);
  return chosen.map((d, i) => ({
    // Numbered, not named by district: a re-seed with another county updates the same three users.
    email: `youth.justice.${i + 1}@example.com`,
    name: `Youth Justice Worker ${i + 1}`,
    districtName: d.name,
    pupilIds: (byDistrict.get(d.id) ?? []).sort((a, b) => a - b).slice(0, perWorker),
  }));
}

/** Writes the workers (as staff users, scoped to their district) and their links. */
export async function seedYouthJusticeWorkers(db: Kysely<Database>, workers: readonly DemoYouthJusticeWorker[], now: string): Promise<number> {
  let links = 0;
  for (const w of workers) {
    const user = await db
      .insertInto('staff_user')
      .values({ aad_object_id: null, email: w.email, name: w.name, role: 'youth_justice_worker', scope: `district:${w.districtName}`, created_at: now })
      .onConflict((oc) => oc.column('email').doUpdateSet({ role: 'youth_justice_worker', scope: `district:${w.districtName}` }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.deleteFrom('pupil_youth_justice_worker').where('staff_user_id', '=', user.id).execute();
    if (w.pupilIds.length) await db.insertInto('pupil_youth_justice_worker').values(w.pupilIds.map((pupil_id) => ({ pupil_id, staff_user_id: user.id }))).execute();
    links += w.pupilIds.length;
  }
  return links;
}
