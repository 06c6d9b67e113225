import type { Generated, Selectable } from 'kysely';

/**
 * Tables added by migration 0012 (alternative provision places), merged into the shared `Database`
 * interface next to the feature.
 */
declare module '../store/database' {
  interface Database {
    ap_hub: ApHubTable;
    ap_placement: ApPlacementTable;
  }
}

/** Which pupils a hub takes: primary (reception to Year 6), secondary (Years 7 to 11), or both. */
export type ApPhase = 'primary' | 'secondary' | 'all_through';
export const AP_PHASES: readonly ApPhase[] = ['primary', 'secondary', 'all_through'];

/** Commissioned places are the hub's classrooms; transient places are short stays (e.g. day 6 after a permanent exclusion). */
export type PlaceKind = 'commissioned' | 'transient';
export const PLACE_KINDS: readonly PlaceKind[] = ['commissioned', 'transient'];

/** One hub of one provider (a provider may run several hubs). */
export interface ApHubTable {
  id: Generated<number>;
  provider: string;
  hub: string;
  district_id: number;
  phase: ApPhase;
  commissioned_places: number;
  transient_places: number;
  /** Who to call about a place (a team's phone or mailbox; not a pupil's data). */
  contact: string | null;
  updated_at: string;
}

/** A pupil's place at a hub, from start_date to end_date inclusive (null: open-ended). */
export interface ApPlacementTable {
  id: Generated<number>;
  hub_id: number;
  pupil_id: number;
  place_kind: PlaceKind;
  start_date: string;
  end_date: string | null;
  /** The permanent exclusion this place answers (the day-6 duty), when there is one. */
  exclusion_id: number | null;
  /** 'import', 'card:<staff id>' or 'api:<sender name>'. */
  source: string;
  created_at: string;
}

export type ApHubRow = Selectable<ApHubTable>;
export type ApPlacementRow = Selectable<ApPlacementTable>;
