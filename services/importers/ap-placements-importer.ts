import { pupilIdsByUpn } from '../exclusions/exclusion-repository';
import type { PlacementSpan } from '../places/free-places';
import { checkPlacementFields, checkPlacementFit, hubKey, type RawPlacement } from '../places/placement-fields';
import { loadHubs, loadPlacementSpans, savePlacement, type HubInfo } from '../places/places-repository';
import type { PlaceKind } from '../store/tables/places';
import type { RowView } from './fields';
import type { ImportEnv, Importer } from './importer';
import { PLACEMENT_RECORDS_PER_BATCH } from '../store/batches';

/**
 * `ap-placements`: upn,provider,hub,start_date,end_date,place_kind. One row per pupil's place at
 * an alternative provision hub (end_date empty while it runs on; the end date is the last day in
 * the place). Upserts by pupil, hub and start date, so re-importing a file changes nothing. Every
 * row must fit: the hub exists and takes the pupil's phase, and a place of the kind is free on
 * every day of the placement, counting the placements already stored and those earlier in the
 * file. A placement of a permanently excluded pupil meets the exclusion's day-6 duty.
 */

export interface ApPlacementRecord {
  hubId: number;
  pupilId: number;
  kind: PlaceKind;
  start: string;
  end: string | null;
}

export interface ApPlacementsContext {
  env: ImportEnv;
  hubs: Map<string, HubInfo>;
  pupils: Map<string, number>;
  years: Map<number, number>;
  /** Stored placements by "pupil|hub|start", then the file's rows as they are accepted. */
  spans: Map<string, PlacementSpan>;
}

const spanKey = (pupilId: number, hubId: number, start: string) => `${pupilId}|${hubId}|${start}`;

export const apPlacementsImporter: Importer<ApPlacementRecord, ApPlacementsContext> = {
  kind: 'ap-placements',
  description: 'upn,provider,hub,start_date,end_date,place_kind (pupils placed at alternative provision hubs; place_kind commissioned or transient)',
  columns: [
    { name: 'upn', required: true },
    { name: 'provider', required: true },
    { name: 'hub', required: true },
    { name: 'start_date', required: true },
    { name: 'end_date', required: true },
    { name: 'place_kind', required: true },
  ],
  keyColumn: 'start_date',
  key: (r) => spanKey(r.pupilId, r.hubId, r.start),

  async prepare(db, env) {
    const hubs = new Map((await loadHubs(db)).map((h) => [hubKey(h.provider, h.hub), h]));
    const pupils = await pupilIdsByUpn(db);
    const years = new Map((await db.selectFrom('pupil').select(['id', 'nc_year']).execute()).map((p) => [p.id, p.nc_year]));
    const spans = new Map<string, PlacementSpan>();
    for (const s of await loadPlacementSpans(db, '0000-01-01')) spans.set(spanKey(s.pupilId, s.hubId, s.start), s);
    return { env, hubs, pupils, years, spans };
  },

  parse(row: RowView, ctx) {
    const raw: RawPlacement = {};
    for (const column of ['upn', 'provider', 'hub', 'start_date', 'end_date', 'place_kind'] as const) raw[column] = row.get(column);
    const { record, problems } = checkPlacementFields(raw);
    for (const p of problems) row.fail(p.field, p.message);
    if (!record) return undefined;
    const hub = ctx.hubs.get(hubKey(record.provider, record.hub));
    if (!hub) return row.fail('hub', `no hub "${record.hub.slice(0, 40)}" of provider "${record.provider.slice(0, 40)}" (import the ap-places file first)`);
    const pupilId = ctx.pupils.get(record.upn);
    if (pupilId === undefined) return row.fail('upn', 'unknown pupil (import the pupils file first)');
    const key = spanKey(pupilId, hub.id, record.start);
    const others = [...ctx.spans].filter(([k]) => k !== key).map(([, s]) => s);
    const misfit = checkPlacementFit(hub, ctx.years.get(pupilId) ?? 0, record, others);
    if (misfit) return row.fail(misfit.field, misfit.message);
    ctx.spans.set(key, { hubId: hub.id, kind: record.kind, start: record.start, end: record.end });
    return { hubId: hub.id, pupilId, kind: record.kind, start: record.start, end: record.end };
  },

  batchSize: () => PLACEMENT_RECORDS_PER_BATCH,

  async write(tx, batch, ctx, counts) {
    for (const r of batch) {
      const { outcome, exclusionId } = await savePlacement(tx.db, { ...r, source: 'import' }, ctx.env.now);
      counts[outcome]++;
      if (exclusionId !== null && outcome !== 'unchanged') counts.other['permanent exclusions placed'] = (counts.other['permanent exclusions placed'] ?? 0) + 1;
    }
  },
};
