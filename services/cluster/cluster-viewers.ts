import type { Kysely } from 'kysely';
import { parseScope } from '../identity/scope';
import type { Database } from '../store/database';
import { clusterAccess, MAX_REFRESH_USERS, mayListPupils } from './cluster-access';
import { districtSchools, findDistrict } from './cluster-meetings';

/**
 * Who in a group chat or channel gets their own (named) view of a shared cluster card through
 * Universal Actions refresh: members who are staff users with a pupil role whose scope covers the
 * district (or, for one pupil's card, that pupil's school). The person who asked comes first, so a
 * long list cut to Teams' 60 keeps them. Everyone else sees the shared card: initials only.
 */

export interface ChatMember {
  /** Teams user id (29:...), what refresh.userIds lists. */
  teamsId: string;
  aadObjectId: string | null;
}

export async function namedViewers(
  db: Kysely<Database>,
  request: { district: string; pupilSchoolUrn?: number; requester: ChatMember; members: readonly ChatMember[] },
): Promise<string[]> {
  const district = await findDistrict(db, request.district);
  if (!district) return [];
  const schools = (await districtSchools(db, district.id)).map((s) => s.urn);
  const everyone = [request.requester, ...request.members.filter((m) => m.teamsId !== request.requester.teamsId)];
  const aadIds = [...new Set(everyone.map((m) => m.aadObjectId).filter((a): a is string => !!a))];
  if (aadIds.length === 0) return [];
  const staff = await db.selectFrom('staff_user').select(['aad_object_id', 'role', 'scope']).where('aad_object_id', 'in', aadIds).execute();
  const allowed = new Set<string>();
  for (const s of staff) {
    if (!s.aad_object_id || !mayListPupils(s.role)) continue;
    let scope;
    try {
      scope = parseScope(s.scope);
    } catch {
      continue;
    }
    const access = clusterAccess(scope, district.name, schools);
    if (access === 'none') continue;
    if (access === 'schools' && request.pupilSchoolUrn !== undefined && !scope.schoolUrns.includes(request.pupilSchoolUrn)) continue;
    allowed.add(s.aad_object_id);
  }
  return everyone.filter((m) => m.aadObjectId && allowed.has(m.aadObjectId)).map((m) => m.teamsId).slice(0, MAX_REFRESH_USERS);
}
