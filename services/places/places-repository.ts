import type { Kysely } from 'kysely';
import { queueCaseUpdates } from '../alerts/case-updates';
import { queuePupilsForRules } from '../exclusions/exclusion-repository';
import type { Database } from '../store/database';
import type { HubCapacity, PlacementSpan } from './free-places';
import type { ApPhase, PlaceKind } from '../store/tables/places';

/**
 * Reads and writes of hubs and placements. A placement of a permanently excluded pupil is linked to
 * that exclusion and recorded as its full-time place (exclusion_placement), so the day-6 duties on
 * the alert card show it met and the "no placement recorded" rule stops, whichever way the
 * placement arrived (card, API or file).
 */

export interface HubInfo extends HubCapacity {
  provider: string;
  hub: string;
  districtId: number;
  districtName: string;
  phase: ApPhase;
  contact: string | null;
}

export async function loadHubs(db: Kysely<Database>): Promise<HubInfo[]> {
  const rows = await db
    .selectFrom('ap_hub as h')
    .innerJoin('district as d', 'd.id', 'h.district_id')
    .select(['h.id', 'h.provider', 'h.hub', 'h.district_id', 'd.name as district_name', 'h.phase', 'h.commissioned_places', 'h.transient_places', 'h.contact'])
    .orderBy('d.name')
    .orderBy('h.hub')
    .orderBy('h.provider')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    hub: r.hub,
    districtId: r.district_id,
    districtName: r.district_name,
    phase: r.phase,
    commissioned: r.commissioned_places,
    transient: r.transient_places,
    contact: r.contact,
  }));
}

/** Placements still running on or after `from` (ended ones cannot take a place any more). */
export async function loadPlacementSpans(db: Kysely<Database>, from: string): Promise<(PlacementSpan & { id: number; pupilId: number })[]> {
  const rows = await db
    .selectFrom('ap_placement')
    .select(['id', 'hub_id', 'pupil_id', 'place_kind', 'start_date', 'end_date'])
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', from)]))
    .execute();
  return rows.map((r) => ({ id: r.id, hubId: r.hub_id, pupilId: r.pupil_id, kind: r.place_kind, start: r.start_date, end: r.end_date }));
}

/**
 * Holds the hub's row until the caller's transaction ends (a no-op update takes the row lock), so two
 * people recording at the same moment cannot both take its last free place: the second waits, then
 * sees the first one's placement. On SQLite write transactions already run one at a time.
 */
export async function lockHub(trx: Kysely<Database>, hubId: number): Promise<void> {
  await trx.updateTable('ap_hub').set((eb) => ({ id: eb.ref('id') })).where('id', '=', hubId).execute();
}

export interface PlacementInput {
  hubId: number;
  pupilId: number;
  kind: PlaceKind;
  start: string;
  end: string | null;
  source: string;
}

export type SaveOutcome = 'inserted' | 'updated' | 'unchanged';

/**
 * Saves one placement (keyed by pupil, hub and start date: saving the same one again changes
 * nothing) inside the caller's transaction, links it to the pupil's permanent exclusion it answers
 * (the latest one starting on or before the place, not withdrawn, cancelled or reinstated) and
 * records that exclusion's full-time place from the earliest start. Returns the outcome and the
 * linked exclusion.
 */
export async function savePlacement(trx: Kysely<Database>, input: PlacementInput, now: string): Promise<{ outcome: SaveOutcome; exclusionId: number | null }> {
  const exclusion = await trx
    .selectFrom('exclusion')
    .select(['id'])
    .where('pupil_id', '=', input.pupilId)
    .where('category', '=', 'PERM')
    .where('start_date', '<=', input.start)
    .where('outcome', 'is', null)
    .orderBy('start_date', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const exclusionId = exclusion?.id ?? null;
  const old = await trx
    .selectFrom('ap_placement')
    .select(['id', 'place_kind', 'end_date', 'exclusion_id'])
    .where('pupil_id', '=', input.pupilId)
    .where('hub_id', '=', input.hubId)
    .where('start_date', '=', input.start)
    .executeTakeFirst();
  let outcome: SaveOutcome;
  if (!old) {
    await trx
      .insertInto('ap_placement')
      .values({ hub_id: input.hubId, pupil_id: input.pupilId, place_kind: input.kind, start_date: input.start, end_date: input.end, exclusion_id: exclusionId, source: input.source, created_at: now })
      .execute();
    outcome = 'inserted';
  } else if (old.place_kind === input.kind && old.end_date === input.end && old.exclusion_id === exclusionId) {
    outcome = 'unchanged';
  } else {
    await trx.updateTable('ap_placement').set({ place_kind: input.kind, end_date: input.end, exclusion_id: exclusionId }).where('id', '=', old.id).execute();
    outcome = 'updated';
  }
  if (exclusionId !== null && outcome !== 'unchanged') await markExclusionPlaced(trx, exclusionId, input.pupilId, input.start, input.source, now);
  return { outcome, exclusionId };
}

/**
 * Records (or moves earlier) the exclusion's full-time place, then re-runs the rules for the pupil
 * and redraws the case's sent cards.
 */
async function markExclusionPlaced(trx: Kysely<Database>, exclusionId: number, pupilId: number, placedOn: string, source: string, now: string): Promise<void> {
  const recordedBy = source.startsWith('card:') ? Number(source.slice(5)) : null;
  const existing = await trx.selectFrom('exclusion_placement').select('placed_on').where('exclusion_id', '=', exclusionId).executeTakeFirst();
  if (existing && existing.placed_on <= placedOn) return;
  if (existing) await trx.updateTable('exclusion_placement').set({ placed_on: placedOn, recorded_by: recordedBy, recorded_at: now }).where('exclusion_id', '=', exclusionId).execute();
  else await trx.insertInto('exclusion_placement').values({ exclusion_id: exclusionId, placed_on: placedOn, recorded_by: recordedBy, recorded_at: now }).execute();
  await trx.updateTable('exclusion_alert').set((eb) => ({ version: eb('version', '+', 1) })).where('case_key', '=', `exclusion:${exclusionId}`).execute();
  await queueCaseUpdates(trx, [`exclusion:${exclusionId}`], now);
  await queuePupilsForRules(trx, [pupilId], now);
}
