import type { Kysely } from 'kysely';
import { makeUpn } from '../../services/domain/upn';
import type { Actor } from '../../services/identity/actor';
import { parseScope } from '../../services/identity/scope';
import type { ConversationType, Database, NewPupil, Role, SchoolPhase, SchoolType, StaffUser } from '../../services/store/database';

/**
 * The one builder for test counties: the authority and its districts, schools, pupils (with their
 * enrolment), staff users, exclusions and actors. Suites build the county they need from these
 * (insertFixtureCounty below; the cluster suites' attendance county in cluster-fixture.ts).
 */

/** Anything holding the Kysely handle: a Store, or `{ db }` inside a transaction. */
type WithDb = { db: Kysely<Database> };

/** "Now" of the fixture county: Wednesday 25 November 2026, autumn term 2026/27. */
const FIXTURE_NOW = '2026-11-25T10:00:00.000Z';

export type DistrictName = 'Boston' | 'Lincoln';

export interface SchoolSpec {
  urn: number;
  name: string;
  phase: SchoolPhase;
  type: SchoolType;
  district: DistrictName;
}

/** Local authority 925 with the districts Boston and Lincoln and the given schools; returns the district ids. */
export async function insertAuthority({ db }: WithDb, schools: readonly SchoolSpec[]): Promise<Record<DistrictName, number>> {
  await db.insertInto('local_authority').values({ code: '925', name: 'Lincolnshire (test)' }).execute();
  const districtIds = {} as Record<DistrictName, number>;
  for (const name of ['Boston', 'Lincoln'] as const) {
    const row = await db.insertInto('district').values({ name, la_code: '925' }).returning('id').executeTakeFirstOrThrow();
    districtIds[name] = row.id;
  }
  for (const school of schools) {
    await db
      .insertInto('school')
      .values({ urn: school.urn, name: school.name, phase: school.phase, type: school.type, district_id: districtIds[school.district] })
      .execute();
  }
  return districtIds;
}

/** A staff user `name` (Teams id aad-<name>, email <name>@example.org). */
export async function insertStaffUser({ db }: WithDb, name: string, role: Role, scope: string, createdAt = FIXTURE_NOW): Promise<StaffUser> {
  return db
    .insertInto('staff_user')
    .values({ aad_object_id: `aad-${name}`, email: `${name}@example.org`, name, role, scope, created_at: createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The actor the identity step would make of this user. */
export function actorOf(user: StaffUser, conversationType: ConversationType = 'personal'): Actor {
  return { user, role: user.role, scope: parseScope(user.scope), aadObjectId: user.aad_object_id, conversationType };
}

export interface ExclusionSpec {
  pupilId: number;
  schoolUrn: number;
  category: 'SUSP' | 'PERM' | 'LUNC';
  start: string;
  sessions: number;
}

/** An exclusion notified on its start date, reason PA (physical assault against a pupil). */
export async function insertExclusion({ db }: WithDb, x: ExclusionSpec): Promise<{ id: number }> {
  return db
    .insertInto('exclusion')
    .values({ pupil_id: x.pupilId, school_urn: x.schoolUrn, category: x.category, reasons: 'PA', start_date: x.start, sessions: x.sessions, notified_date: x.start, missed_public_exam: 0, source: 'test', created_at: FIXTURE_NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * A tiny county for store and service tests: two districts, three schools, and one pupil of each
 * cohort the rules care about (EHC plan, SEN support, looked-after, no flags).
 */
export const FIXTURE_SCHOOLS = {
  bostonSecondary: { urn: 100001, name: 'Fenside Academy', phase: 'secondary', type: 'academy', district: 'Boston' },
  bostonPrimary: { urn: 100002, name: 'Witham Road Primary School', phase: 'primary', type: 'community', district: 'Boston' },
  lincolnSecondary: { urn: 200001, name: 'Minster Hill School', phase: 'secondary', type: 'foundation', district: 'Lincoln' },
} as const satisfies Record<string, SchoolSpec>;

export type CohortName = 'ehcPlan' | 'senSupport' | 'lookedAfter' | 'noFlags';

export interface FixtureCounty {
  districtIds: Record<DistrictName, number>;
  /** Pupil ids by cohort: all four at the Boston secondary. */
  pupils: Record<CohortName, number>;
  /** A pupil at the Lincoln secondary, outside Boston scopes. */
  lincolnPupil: number;
}

function pupil(serial: number, overrides: Partial<NewPupil>): NewPupil {
  return {
    upn: makeUpn(925, 4001, 15, serial),
    legal_forename: `Forename${serial}`,
    legal_surname: `Surname${serial}`,
    preferred_forename: null,
    date_of_birth: '2013-03-14',
    nc_year: 9,
    sex: 'M',
    ethnicity: 'WBRI',
    sen_provision: 'N',
    looked_after: 0,
    social_worker: 'N',
    fsm: 0,
    youth_justice: 0,
    ...overrides,
  };
}

export async function insertFixtureCounty(store: WithDb): Promise<FixtureCounty> {
  const districtIds = await insertAuthority(store, Object.values(FIXTURE_SCHOOLS));
  const cohorts: Record<CohortName, Partial<NewPupil>> = {
    ehcPlan: { sen_provision: 'E' },
    senSupport: { sen_provision: 'K', fsm: 1 },
    lookedAfter: { looked_after: 1, social_worker: 'CIN' },
    noFlags: {},
  };
  const pupils = {} as Record<CohortName, number>;
  let serial = 1;
  for (const [name, overrides] of Object.entries(cohorts) as [CohortName, Partial<NewPupil>][]) {
    pupils[name] = await insertPupil(store, pupil(serial++, overrides), FIXTURE_SCHOOLS.bostonSecondary.urn);
  }
  const lincolnPupil = await insertPupil(store, pupil(serial++, {}), FIXTURE_SCHOOLS.lincolnSecondary.urn);
  return { districtIds, pupils, lincolnPupil };
}

/** A pupil on roll at one school (main registration) from `startDate`. */
export async function insertPupil({ db }: WithDb, values: NewPupil, schoolUrn: number, startDate = '2026-09-03'): Promise<number> {
  const row = await db.insertInto('pupil').values(values).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('enrolment')
    .values({ pupil_id: row.id, school_urn: schoolUrn, start_date: startDate, end_date: null, registration: 'C' })
    .execute();
  return row.id;
}
