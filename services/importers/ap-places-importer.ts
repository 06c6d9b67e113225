import type { ApPhase } from '../store/tables/places';
import { AP_PHASES } from '../places/places-schema';
import { choice, optionalText, requiredText, type RowView } from './fields';
import type { ImportEnv, Importer } from './importer';
import { PLACEMENT_RECORDS_PER_BATCH } from '../store/batches';

/**
 * `ap-places`: provider,hub,district,phase,commissioned_places,transient_places,contact. One row
 * per alternative provision hub; upserts by provider and hub (matched regardless of case), so
 * re-importing a file changes nothing. The district must already exist (the schools file creates
 * districts). Hubs missing from a later file are kept: placements still point at them.
 */

export interface ApPlaceRecord {
  provider: string;
  hub: string;
  districtId: number;
  phase: ApPhase;
  commissioned: number;
  transient: number;
  contact: string | null;
}

export interface ApPlacesContext {
  env: ImportEnv;
  /** Lower-cased district name -> id. */
  districts: Map<string, number>;
}

const PHASE_SPELLINGS: ReadonlyMap<string, ApPhase> = new Map<string, ApPhase>([
  ...AP_PHASES.map((p) => [p, p] as [string, ApPhase]),
  ['all', 'all_through'],
  ['both', 'all_through'],
]);

/** Enough for any hub; a bigger number is a typo. */
const MAX_PLACES_PER_HUB = 500;

/** A whole number of places, 0 to MAX_PLACES_PER_HUB. */
function placesCount(row: RowView, column: string): number | undefined {
  const value = row.get(column);
  if (value === '') return row.fail(column, 'is empty (expected a whole number of places, 0 or more)');
  if (!/^\d{1,4}$/.test(value) || Number(value) > MAX_PLACES_PER_HUB) return row.fail(column, `"${value.slice(0, 20)}" is not a whole number of places from 0 to ${MAX_PLACES_PER_HUB}`);
  return Number(value);
}

export const apPlacesImporter: Importer<ApPlaceRecord, ApPlacesContext> = {
  kind: 'ap-places',
  description: 'provider,hub,district,phase,commissioned_places,transient_places,contact (alternative provision hubs)',
  columns: [
    { name: 'provider', required: true },
    { name: 'hub', required: true },
    { name: 'district', required: true },
    { name: 'phase', required: true },
    { name: 'commissioned_places', required: true },
    { name: 'transient_places', required: true },
    { name: 'contact', required: false },
  ],
  keyColumn: 'hub',
  key: (r) => `${r.provider.toLowerCase()}|${r.hub.toLowerCase()}`,

  async prepare(db, env) {
    const districts = new Map((await db.selectFrom('district').select(['id', 'name']).execute()).map((d) => [d.name.toLowerCase(), d.id]));
    return { env, districts };
  },

  parse(row, ctx) {
    const provider = requiredText(row, 'provider', { maxLength: 200, name: true });
    const hub = requiredText(row, 'hub', { maxLength: 200, name: true });
    const district = requiredText(row, 'district', { maxLength: 100, name: true });
    let districtId: number | undefined;
    if (district !== undefined) {
      districtId = ctx.districts.get(district.replace(/\s+/g, ' ').toLowerCase());
      if (districtId === undefined) row.fail('district', `"${district.slice(0, 40)}" is not a district in the store (import the schools file first)`);
    }
    const phase = choice(row, 'phase', PHASE_SPELLINGS, { echo: true, expected: 'primary, secondary or all_through' });
    const commissioned = placesCount(row, 'commissioned_places');
    const transient = placesCount(row, 'transient_places');
    const contact = optionalText(row, 'contact', { maxLength: 200, name: true });
    if (provider === undefined || hub === undefined || districtId === undefined || phase === undefined || commissioned === undefined || transient === undefined || contact === undefined) return undefined;
    if (commissioned + transient === 0) return row.fail('commissioned_places', 'the hub has no places at all (commissioned and transient are both 0)');
    return { provider: provider.replace(/\s+/g, ' '), hub: hub.replace(/\s+/g, ' '), districtId, phase, commissioned, transient, contact };
  },

  batchSize: () => PLACEMENT_RECORDS_PER_BATCH,

  async write(tx, batch, ctx, counts) {
    const stored = await tx.db.selectFrom('ap_hub').selectAll().execute();
    const byKey = new Map(stored.map((h) => [`${h.provider.toLowerCase()}|${h.hub.toLowerCase()}`, h]));
    for (const r of batch) {
      const old = byKey.get(`${r.provider.toLowerCase()}|${r.hub.toLowerCase()}`);
      const values = {
        provider: r.provider,
        hub: r.hub,
        district_id: r.districtId,
        phase: r.phase,
        commissioned_places: r.commissioned,
        transient_places: r.transient,
        contact: r.contact,
      };
      if (!old) {
        await tx.db.insertInto('ap_hub').values({ ...values, updated_at: ctx.env.now }).execute();
        counts.inserted++;
      } else if (
        old.provider === values.provider &&
        old.hub === values.hub &&
        old.district_id === values.district_id &&
        old.phase === values.phase &&
        old.commissioned_places === values.commissioned_places &&
        old.transient_places === values.transient_places &&
        old.contact === values.contact
      ) {
        counts.unchanged++;
      } else {
        await tx.db.updateTable('ap_hub').set({ ...values, updated_at: ctx.env.now }).where('id', '=', old.id).execute();
        counts.updated++;
      }
    }
  },
};
