import type { ExclusionAlert } from '../exclusions/alert-types';
import type { AlertRuleId } from '../exclusions/alert-types';
import type { Scope } from '../identity/scope';
import type { Role } from '../store/database';

/**
 * Who receives an alert: pure matching of an alert against subscriptions, each bounded by the
 * subscribing user's scope (nobody receives pupils outside their scope, whatever they subscribed to).
 */

export type AreaKind = 'county' | 'district' | 'school';

export interface Area {
  kind: AreaKind;
  /** '' for county; a district name; a URN as text. */
  value: string;
}

export interface EffectiveSubscription {
  subscriberKey: string;
  staffUserId: number;
  /** Null: the user's personal chat. */
  conversationId: string | null;
  area: Area;
  /** null means every rule. */
  rules: ReadonlySet<AlertRuleId> | null;
  userScope: Scope;
  /** True when this is the role default rather than a stored row. */
  implicit: boolean;
  /** The subscribing user's role (attendance alerts go to the roles each rule names, see attendanceAllows). */
  role?: Role;
}

export interface SchoolPlace {
  districtId: number;
  districtName: string;
}

export interface Geography {
  schools: ReadonlyMap<number, SchoolPlace>;
  districtNames: ReadonlyMap<number, string>;
}

/** Rules a role receives without subscribing (the "must not have to ask" default). */
export const DEFAULT_RULES_BY_ROLE: Readonly<Record<Role, 'all' | 'pupil' | 'none'>> = {
  la_manager: 'all',
  school_leader: 'pupil',
  attendance_officer: 'none',
  cluster_member: 'none',
  admin: 'none',
  // Attendance alerts only, and only for the pupils linked to the worker (attendanceAllows).
  youth_justice_worker: 'none',
};

/**
 * Attendance alerts (issue 12): never to a channel or group chat (a register pattern is about one
 * child and its family); a role default receives only the rules configured for that role; a youth
 * justice worker only for the young people linked to them in the users file.
 */
function attendanceAllows(sub: EffectiveSubscription, alert: ExclusionAlert): boolean {
  if (alert.scope !== 'attendance') return true;
  if (sub.conversationId !== null) return false;
  if (sub.role === 'youth_justice_worker' && !alert.youthJusticeWorkerIds.includes(sub.staffUserId)) return false;
  if (sub.implicit && (!sub.role || !alert.recipientRoles.includes(sub.role))) return false;
  return true;
}

function schoolInArea(urn: number, area: Area, geo: Geography): boolean {
  if (area.kind === 'county') return true;
  if (area.kind === 'school') return String(urn) === area.value;
  return geo.schools.get(urn)?.districtName.toLowerCase() === area.value.toLowerCase();
}

function schoolInScope(urn: number, scope: Scope, geo: Geography): boolean {
  if (scope.county) return true;
  if (scope.schoolUrns.includes(urn)) return true;
  const district = geo.schools.get(urn)?.districtName.toLowerCase();
  return district !== undefined && scope.districts.some((d) => d.toLowerCase() === district);
}

function districtInArea(name: string, area: Area): boolean {
  return area.kind === 'county' || (area.kind === 'district' && area.value.toLowerCase() === name.toLowerCase());
}

function districtInScope(name: string, scope: Scope): boolean {
  return scope.county || scope.districts.some((d) => d.toLowerCase() === name.toLowerCase());
}

/** The schools an alert is about: where the exclusion happened and where the pupil is now. */
function alertSchools(alert: ExclusionAlert): number[] {
  if (alert.scope === 'district') return [];
  return [...new Set([alert.schoolUrn, ...alert.currentSchoolUrns])];
}

/**
 * Subscriptions indexed by the schools and districts each may receive (its area within its user's
 * scope), so routing thousands of alerts to hundreds of subscribers looks only at candidates.
 */
export class SubscriptionIndex {
  private readonly bySchool = new Map<number, EffectiveSubscription[]>();
  private readonly byDistrict = new Map<number, EffectiveSubscription[]>();

  constructor(subscriptions: readonly EffectiveSubscription[], geo: Geography) {
    const schoolsByDistrict = new Map<string, number[]>();
    for (const [urn, place] of geo.schools) push(schoolsByDistrict, place.districtName.toLowerCase(), urn);
    const allSchools = [...geo.schools.keys()];
    for (const sub of subscriptions) {
      // Only the schools the area can contain are tested against the user's scope.
      const candidates =
        sub.area.kind === 'county' ? allSchools : sub.area.kind === 'district' ? (schoolsByDistrict.get(sub.area.value.toLowerCase()) ?? []) : [Number(sub.area.value)];
      for (const urn of candidates) {
        if (geo.schools.has(urn) && schoolInArea(urn, sub.area, geo) && schoolInScope(urn, sub.userScope, geo)) push(this.bySchool, urn, sub);
      }
      for (const [id, name] of geo.districtNames) {
        if (districtInArea(name, sub.area) && districtInScope(name, sub.userScope)) push(this.byDistrict, id, sub);
      }
    }
  }

  /** One entry per subscriber, in subscription order, for subscriptions that want this alert. */
  recipientsOf(alert: ExclusionAlert): EffectiveSubscription[] {
    const candidates =
      alert.scope === 'district' ? (this.byDistrict.get(alert.districtId) ?? []) : alertSchools(alert).flatMap((urn) => this.bySchool.get(urn) ?? []);
    const chosen = new Map<string, EffectiveSubscription>();
    for (const sub of candidates) {
      if (chosen.has(sub.subscriberKey)) continue;
      if (sub.rules && !sub.rules.has(alert.rule)) continue;
      if (!attendanceAllows(sub, alert)) continue;
      chosen.set(sub.subscriberKey, sub);
    }
    return [...chosen.values()];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether a user may see an alert at all (re-checked when the card is rendered or acted on). */
export function userMaySee(scope: Scope, alert: ExclusionAlert, geo: Geography): boolean {
  if (alert.scope === 'district') {
    const name = geo.districtNames.get(alert.districtId);
    return name !== undefined && districtInScope(name, scope);
  }
  return alertSchools(alert).some((urn) => schoolInScope(urn, scope, geo));
}
