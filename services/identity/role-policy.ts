import type { Role } from '../store/database';

/**
 * The one role policy: for each feature, whether a role sees pupil-level data (names or initials,
 * flags such as EHC plan, social worker, free school meals) or figures only. Scope then decides
 * WHICH pupils; this decides WHETHER. Queries ask here before reading pupil rows, so a figures-only
 * role never reads them (nothing to hide in a card). The reasons are in docs/role-policy.md.
 * Legal basis: UK GDPR Art. 5(1)(c) (data minimisation) and Art. 25 (data protection by default).
 */

export type Feature =
  /** An alert card: delivered, refreshed or acted on (acknowledge, assign, snooze, placement). */
  | 'alert_card'
  /** The pupil's exclusion timeline behind an alert card. */
  | 'alert_timeline'
  /** `alerts list`: the open cases. */
  | 'alerts_list'
  /** The weekly digest and the "what is open now" summary. */
  | 'alert_digest'
  /** The termly cluster agenda. */
  | 'cluster_agenda'
  /** The per-pupil review card at a cluster meeting. */
  | 'review_card'
  /** `places`: who holds and who waits for alternative provision places (LA roles only; issue 12). */
  | 'places';

export type Access = 'pupils' | 'figures';

export const FEATURES: readonly Feature[] = ['alert_card', 'alert_timeline', 'alerts_list', 'alert_digest', 'cluster_agenda', 'review_card', 'places'];

const CASEWORK: Record<Feature, Access> = {
  alert_card: 'pupils',
  alert_timeline: 'pupils',
  alerts_list: 'pupils',
  alert_digest: 'pupils',
  cluster_agenda: 'pupils',
  review_card: 'pupils',
  places: 'pupils',
};

/** Administrators run the system (users, content, imports): they need counts to check it works, never a pupil. */
const FIGURES_ONLY: Record<Feature, Access> = {
  alert_card: 'figures',
  alert_timeline: 'figures',
  alerts_list: 'figures',
  alert_digest: 'figures',
  cluster_agenda: 'figures',
  review_card: 'figures',
  places: 'figures',
};

export const ROLE_POLICY: Readonly<Record<Role, Readonly<Record<Feature, Access>>>> = {
  la_manager: CASEWORK,
  school_leader: CASEWORK,
  attendance_officer: CASEWORK,
  cluster_member: CASEWORK,
  admin: FIGURES_ONLY,
  // Pupil-level only on attendance alert cards for the young people linked to them (alert-view.ts).
  youth_justice_worker: { ...FIGURES_ONLY, alert_card: 'pupils', alerts_list: 'pupils' },
};

function accessFor(role: Role, feature: Feature): Access {
  // An unknown role (a bad row) gets the narrower answer.
  return ROLE_POLICY[role]?.[feature] ?? 'figures';
}

export function mayReadPupils(role: Role, feature: Feature): boolean {
  return accessFor(role, feature) === 'pupils';
}

/** Checks and review notes (e.g. a citation not yet verified) are for the people who maintain the content. */
export function mayReadContentChecks(role: Role): boolean {
  return role === 'admin';
}
