import { sql, type Kysely } from 'kysely';
import type { SchoolCalendar } from '../calendar/school-calendar';
import { parseScope } from '../identity/scope';
import type { Database, Role } from '../store/database';

/**
 * Districts, their schools, their meetings and who is invited. A district is an attendance
 * cluster: the authority's termly targeting support meeting for its schools (DfE 2024 guidance).
 */

export interface DistrictRef {
  id: number;
  name: string;
}

/** Finds a district by name, ignoring case and extra spaces. */
export async function findDistrict(db: Kysely<Database>, name: string): Promise<DistrictRef | undefined> {
  const wanted = name.trim().replace(/\s+/g, ' ').toLowerCase();
  if (!wanted) return undefined;
  return db.selectFrom('district').select(['id', 'name']).where(sql`lower(name)`, '=', wanted).executeTakeFirst();
}

export async function districtNames(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom('district').select('name').orderBy('name').execute()).map((d) => d.name);
}

export interface SchoolRef {
  urn: number;
  name: string;
}

export async function districtSchools(db: Kysely<Database>, districtId: number): Promise<SchoolRef[]> {
  return db.selectFrom('school').select(['urn', 'name']).where('district_id', '=', districtId).orderBy('name').execute();
}

/**
 * Product choice (the guidance asks for termly meetings but sets no date): when no meeting is
 * stored for the district, the agenda is for a meeting proposed ten school days ahead, giving
 * schools and partners two school weeks' notice. A stored meeting on or after today wins.
 */
const PROPOSED_NOTICE_SCHOOL_DAYS = 10;

function proposedMeetingDate(calendar: SchoolCalendar, today: string): string {
  return calendar.addSchoolDays(today, PROPOSED_NOTICE_SCHOOL_DAYS);
}

export interface MeetingRef {
  date: string;
  /** Stored in cluster_meeting (someone recorded a review for it), or only proposed. */
  stored: boolean;
}

export async function nextMeeting(db: Kysely<Database>, calendar: SchoolCalendar, districtId: number, today: string): Promise<MeetingRef> {
  const stored = await db
    .selectFrom('cluster_meeting')
    .select('meeting_date')
    .where('district_id', '=', districtId)
    .where('meeting_date', '>=', today)
    .orderBy('meeting_date')
    .limit(1)
    .executeTakeFirst();
  if (stored) return { date: stored.meeting_date, stored: true };
  return { date: proposedMeetingDate(calendar, today), stored: false };
}

/** The meeting's id, creating the row the first time something is recorded for it. */
export async function ensureMeeting(db: Kysely<Database>, districtId: number, date: string, staffUserId: number, now: string): Promise<number> {
  await db
    .insertInto('cluster_meeting')
    .values({ district_id: districtId, meeting_date: date, created_at: now, created_by: staffUserId })
    .onConflict((oc) => oc.columns(['district_id', 'meeting_date']).doNothing())
    .execute();
  const row = await db
    .selectFrom('cluster_meeting')
    .select('id')
    .where('district_id', '=', districtId)
    .where('meeting_date', '=', date)
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface Invitee {
  id: number;
  name: string;
  role: Role;
  aadObjectId: string | null;
}

/**
 * Who is invited: the attendance officers covering the district (the chair), the district's
 * cluster members (early help, health, social care, youth justice) and the leaders of its schools.
 * LA managers and administrators are not invited by default.
 */
export async function invitees(db: Kysely<Database>, district: DistrictRef, schoolUrns: readonly number[]): Promise<Invitee[]> {
  const staff = await db
    .selectFrom('staff_user')
    .select(['id', 'name', 'role', 'scope', 'aad_object_id'])
    .where('role', 'in', ['attendance_officer', 'cluster_member', 'school_leader'])
    .orderBy('role')
    .orderBy('name')
    .execute();
  const wanted = district.name.toLowerCase();
  const out: Invitee[] = [];
  for (const s of staff) {
    let scope;
    try {
      scope = parseScope(s.scope);
    } catch {
      continue;
    }
    const coversDistrict = scope.districts.some((d) => d.toLowerCase() === wanted) || (scope.county && s.role === 'attendance_officer');
    const leadsSchool = s.role === 'school_leader' && scope.schoolUrns.some((u) => schoolUrns.includes(u));
    if ((s.role !== 'school_leader' && coversDistrict) || leadsSchool) out.push({ id: s.id, name: s.name, role: s.role, aadObjectId: s.aad_object_id });
  }
  return out;
}

/** The stored meeting's id for that date, or null while the meeting is only proposed. */
export async function storedMeetingId(db: Kysely<Database>, districtId: number, date: string): Promise<number | null> {
  const row = await db.selectFrom('cluster_meeting').select('id').where('district_id', '=', districtId).where('meeting_date', '=', date).executeTakeFirst();
  return row?.id ?? null;
}
