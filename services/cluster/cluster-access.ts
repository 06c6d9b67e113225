import type { Actor } from '../identity/actor';
import { mayReadPupils, ROLE_POLICY } from '../identity/role-policy';
import type { Scope } from '../identity/scope';
import type { Role } from '../store/database';

/**
 * Who may see what of a district's attendance cluster. Pure rules; the queries in this folder
 * apply them in SQL (schoolInScope / pupilInScope), so nothing outside them is read.
 */

/** Roles that work with individual pupils at cluster meetings (the one role policy: docs/role-policy.md). Administrators see figures only. */
const PUPIL_ROLES: readonly Role[] = (Object.keys(ROLE_POLICY) as Role[]).filter((role) => mayReadPupils(role, 'cluster_agenda'));

export type ClusterAccess =
  /** The whole district: county scope or the district in scope. */
  | 'district'
  /** Only some of its schools (a school leader): figures for the cluster, pupils of their schools. */
  | 'schools'
  | 'none';

/**
 * A user sees a cluster when their scope covers the district or one of its schools.
 * Legal basis: UK GDPR Art. 5(1)(c) (data minimisation) and Art. 6(1)(e) (the LA's attendance duties):
 * only those working with the district's schools see its meeting.
 */
export function clusterAccess(scope: Scope, districtName: string, districtSchoolUrns: readonly number[]): ClusterAccess {
  if (scope.county) return 'district';
  const wanted = districtName.toLowerCase();
  if (scope.districts.some((d) => d.toLowerCase() === wanted)) return 'district';
  if (scope.schoolUrns.some((urn) => districtSchoolUrns.includes(urn))) return 'schools';
  return 'none';
}

/** Whether this role may see pupil rows at all (scope then decides which). */
export function mayListPupils(role: Role): boolean {
  return PUPIL_ROLES.includes(role);
}

/**
 * Full names or initials. Names go only to someone who may see the pupil (the query already
 * filtered by scope) and only where no one else can read the card: a personal chat, or that
 * user's own view of a shared card (Universal Actions refresh / the answer to their own button).
 * Everyone else in a group chat or channel sees initials, NC year and school.
 * Legal basis: UK GDPR Art. 5(1)(c) (data minimisation); DfE data protection guidance for schools.
 */
export function namesAllowed(actor: Actor, view: 'shared' | 'own'): boolean {
  if (!mayListPupils(actor.role)) return false;
  if (view === 'shared') return false;
  return true;
}

/** Refresh lists at most this many users (Teams' limit for refresh.userIds). */
export const MAX_REFRESH_USERS = 60;
