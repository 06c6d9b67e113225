import { makeUpn } from '../../services/domain/upn';
import type { NewPupil } from '../../services/store/database';
import type { Store } from '../../services/store/open-store';

/**
 * A tiny county for store and service tests: two districts, three schools, and one pupil of each
 * cohort the rules care about (EHC plan, SEN support, looked-after, no flags).
 */
export const FIXTURE_SCHOOLS = {
  bostonSecondary: { urn: 100001, name: 'Fenside Academy', phase: 'secondary', type: 'academy', district: 'Boston' },
  bostonPrimary: { urn: 100002, name: 'Witham Road Primary School', phase: 'primary', type: 'community', district: 'Boston' },
  lincolnSecondary: { urn: 200001, name: 'Minster Hill School', phase: 'secondary', type: 'foundation', district: 'Lincoln' },
} as const;

export type CohortName = 'ehcPlan' | 'senSupport' | 'lookedAfter' | 'noFlags';

export interface FixtureCounty {
  districtIds: Record<'Boston' | 'Lincoln', number>;
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

export async function insertFixtureCounty(store: Store): Promise<FixtureCounty> {
  const db = store.db;
  await db.insertInto('local_authority').values({ code: '925', name: 'Lincolnshire (test)' }).execute();
  const districtIds = {} as Record<'Boston' | 'Lincoln', number>;
  for (const name of ['Boston', 'Lincoln'] as const) {
    const row = await db.insertInto('district').values({ name, la_code: '925' }).returning('id').executeTakeFirstOrThrow();
    districtIds[name] = row.id;
  }
  for (const school of Object.values(FIXTURE_SCHOOLS)) {
    await db
      .insertInto('school')
      .values({ urn: school.urn, name: school.name, phase: school.phase, type: school.type, district_id: districtIds[school.district] })
      .execute();
  }
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

export async function insertPupil(store: Store, values: NewPupil, schoolUrn: number, startDate = '2026-09-03'): Promise<number> {
  const row = await store.db.insertInto('pupil').values(values).returning('id').executeTakeFirstOrThrow();
  await store.db
    .insertInto('enrolment')
    .values({ pupil_id: row.id, school_urn: schoolUrn, start_date: startDate, end_date: null, registration: 'C' })
    .execute();
  return row.id;
}
