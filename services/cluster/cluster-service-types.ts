import type { Kysely } from 'kysely';
import type { SchoolCalendar } from '../calendar/school-calendar';
import type { Clock } from '../clock';
import type { Database } from '../store/database';

/** What the cluster services need: the store, the school calendar and the clock. */
export interface ClusterDeps {
  db: Kysely<Database>;
  calendar: SchoolCalendar;
  clock: Clock;
  /** Pupils on a meeting's agenda (CLUSTER_AGENDA_SIZE); DEFAULT_AGENDA_SIZE when absent. */
  agendaSize?: number;
}

/** A request the user cannot have, with a message safe to show (it never names a pupil). */
export interface ClusterProblem {
  ok: false;
  kind: 'unknown_district' | 'not_in_scope' | 'not_found' | 'invalid';
  message: string;
  /** For 'invalid': the form field that is wrong and why. */
  fields?: Record<string, string>;
}

export type ClusterResult<T> = { ok: true; view: T } | ClusterProblem;

export function problem(kind: ClusterProblem['kind'], message: string, fields?: Record<string, string>): ClusterProblem {
  return fields ? { ok: false, kind, message, fields } : { ok: false, kind, message };
}

/** How pupils are named on this card: full names, or initials (NC year and school are shown either way). */
export type NameMode = 'names' | 'initials';
