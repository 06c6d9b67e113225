import type { Kysely } from 'kysely';
import { addDays } from '../../../services/calendar/dates';
import { loadCalendar, type SchoolCalendar } from '../../../services/calendar/school-calendar';
import { makeUpn } from '../../../services/domain/upn';
import type { Database, NewPupil, Role, StaffUser } from '../../../services/store/database';
import { insertAuthority, insertPupil } from '../../helpers/fixtures';

/**
 * A small county for attendance and cluster tests: two districts, three schools, pupils in every
 * cohort the agenda cares about, and week rows written to give each pupil a known band and trend.
 * Today is Wednesday 25 November 2026 (autumn term 2026/27).
 */
export const TODAY = '2026-11-25';
export const NOW = '2026-11-25T10:00:00.000Z';

export const BOSTON_SECONDARY = 120001; // the sample calendar closes it on 27 and 30 November 2026
export const BOSTON_PRIMARY = 120003;
export const LINCOLN_SCHOOL = 100001;

/** The sample Lincolnshire calendar the bot ships. */
export function testCalendar(): SchoolCalendar {
  return loadCalendar();
}

const ALL_PRESENT = '/\\/\\/\\/\\/\\';
const ALL_ABSENT = 'OOOOOOOOOO';

/** Autumn 2026 school weeks up to the week of TODAY (half term left out). */
const AUTUMN_WEEKS = ['2026-08-31', '2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'];

export interface FixturePupil {
  key: string;
  id: number;
  upn: string;
  school: number;
  forename: string;
  surname: string;
}

export interface ClusterFixture {
  bostonId: number;
  lincolnId: number;
  pupils: Record<string, FixturePupil>;
  staff: Record<string, StaffUser>;
}

type PupilSpec = {
  key: string;
  school: number;
  forename: string;
  surname: string;
  ncYear: number;
  flags?: Partial<Pick<NewPupil, 'sen_provision' | 'looked_after' | 'social_worker' | 'fsm' | 'youth_justice'>>;
  /** Week marks by week index into AUTUMN_WEEKS; missing weeks are all present. */
  weeks?: (index: number) => string;
};

/**
 * Term starts Tuesday 1 September 2026 with two INSET days, so the first week has four possible
 * sessions (Thursday and Friday). Year to date (to Wednesday 25 November) every pupil has
 * 4 + 10 weeks x 10 + 6 = 110 possible sessions.
 */
const FIRST_WEEK = '......' + '/\\/\\';

const PUPIL_SPECS: PupilSpec[] = [
  // Severely absent, EHC plan: absent every session from week 2 on.
  { key: 'severe', school: BOSTON_SECONDARY, forename: 'Aisha', surname: 'Bell', ncYear: 9, flags: { sen_provision: 'E' }, weeks: (i) => (i === 0 ? FIRST_WEEK : ALL_ABSENT) },
  // Persistently absent with a social worker (CP): Monday unauthorised every week, 22 of 110 sessions (20%).
  { key: 'paSocial', school: BOSTON_SECONDARY, forename: 'Ben', surname: 'Carter', ncYear: 8, flags: { social_worker: 'CP' }, weeks: (i) => (i === 0 ? FIRST_WEEK : 'NN' + '/\\/\\/\\/\\') },
  // Persistently absent, no multi-agency need, steady: not on the agenda.
  { key: 'paPlain', school: BOSTON_SECONDARY, forename: 'Cara', surname: 'Dunn', ncYear: 7, weeks: (i) => (i === 0 ? FIRST_WEEK : 'II' + '/\\/\\/\\/\\') },
  // Good attendance, FSM.
  { key: 'good', school: BOSTON_SECONDARY, forename: 'Dev', surname: 'Evans', ncYear: 10, flags: { fsm: 1 } },
  // Worsening: full attendance, then two days of unauthorised holiday (G) a week for the last six weeks: 24 of 110 (PA).
  {
    key: 'worsening',
    school: BOSTON_PRIMARY,
    forename: 'Ella',
    surname: 'Frost',
    ncYear: 5,
    flags: { looked_after: 1, youth_justice: 0, sen_provision: 'K' },
    weeks: (i) => (i === 0 ? FIRST_WEEK : i >= 6 ? 'GG' + '/\\' + 'GG' + '/\\' + '/\\' : ALL_PRESENT),
  },
  // Good attendance; gets an action due before the meeting in the tests that need one.
  { key: 'withAction', school: BOSTON_PRIMARY, forename: 'Finn', surname: 'Gray', ncYear: 4, flags: { youth_justice: 1 } },
  // Lincoln: severely absent (another district).
  { key: 'lincolnSevere', school: LINCOLN_SCHOOL, forename: 'Gina', surname: 'Hale', ncYear: 9, weeks: (i) => (i === 0 ? FIRST_WEEK : ALL_ABSENT) },
];

const STAFF_SPECS: { key: string; aad: string; name: string; role: Role; scope: string }[] = [
  { key: 'manager', aad: 'aad-manager', name: 'Alex Manager', role: 'la_manager', scope: 'county' },
  { key: 'officer', aad: 'aad-officer', name: 'Ola Officer', role: 'attendance_officer', scope: 'district:Boston' },
  { key: 'bostonLeader', aad: 'aad-boston-leader', name: 'Bea Leader', role: 'school_leader', scope: `school:${BOSTON_SECONDARY}` },
  { key: 'lincolnLeader', aad: 'aad-lincoln-leader', name: 'Sam Leader', role: 'school_leader', scope: `school:${LINCOLN_SCHOOL}` },
  { key: 'bostonMember', aad: 'aad-boston-member', name: 'Hana Health', role: 'cluster_member', scope: 'district:Boston' },
  { key: 'lincolnMember', aad: 'aad-lincoln-member', name: 'Chris Member', role: 'cluster_member', scope: 'district:Lincoln' },
  { key: 'admin', aad: 'aad-admin', name: 'Ada Admin', role: 'admin', scope: 'county' },
];

export function upnFor(index: number): string {
  return makeUpn(925, 4000 + index, 15, 100 + index);
}

/** Inserts the county (no attendance). */
export async function seedCounty(db: Kysely<Database>, options: { staff?: boolean } = {}): Promise<ClusterFixture> {
  const districtIds = await insertAuthority({ db }, [
    { urn: BOSTON_SECONDARY, name: 'Boston Grammar Test School', phase: 'secondary', type: 'academy', district: 'Boston' },
    { urn: BOSTON_PRIMARY, name: 'Boston Primary Test School', phase: 'primary', type: 'community', district: 'Boston' },
    { urn: LINCOLN_SCHOOL, name: 'Lincoln Test Academy', phase: 'secondary', type: 'academy', district: 'Lincoln' },
  ]);
  const pupils: Record<string, FixturePupil> = {};
  for (const [index, spec] of PUPIL_SPECS.entries()) {
    const upn = upnFor(index);
    const id = await insertPupil(
      { db },
      {
        upn,
        legal_forename: spec.forename,
        legal_surname: spec.surname,
        preferred_forename: null,
        date_of_birth: '2013-05-01',
        nc_year: spec.ncYear,
        sex: index % 2 ? 'M' : 'F',
        ethnicity: 'WBRI',
        sen_provision: spec.flags?.sen_provision ?? 'N',
        looked_after: spec.flags?.looked_after ?? 0,
        social_worker: spec.flags?.social_worker ?? 'N',
        fsm: spec.flags?.fsm ?? 0,
        youth_justice: spec.flags?.youth_justice ?? 0,
      },
      spec.school,
      '2025-09-01',
    );
    pupils[spec.key] = { key: spec.key, id, upn, school: spec.school, forename: spec.forename, surname: spec.surname };
  }
  const staff: Record<string, StaffUser> = {};
  if (options.staff !== false) {
    for (const s of STAFF_SPECS) {
      const row = await db
        .insertInto('staff_user')
        .values({ aad_object_id: s.aad, email: `${s.key.toLowerCase()}@county.example`, name: s.name, role: s.role, scope: s.scope, created_at: NOW })
        .returningAll()
        .executeTakeFirstOrThrow();
      staff[s.key] = row;
    }
  }
  return { bostonId: districtIds.Boston, lincolnId: districtIds.Lincoln, pupils, staff };
}

/** Writes the autumn week rows of every fixture pupil (as the demo generator would). */
export async function seedAttendance(db: Kysely<Database>, fixture: ClusterFixture): Promise<void> {
  const rows = [];
  for (const spec of PUPIL_SPECS) {
    const pupil = fixture.pupils[spec.key]!;
    for (const [i, weekStart] of AUTUMN_WEEKS.entries()) {
      let marks = spec.weeks ? spec.weeks(i) : i === 0 ? FIRST_WEEK : ALL_PRESENT;
      // The week of TODAY (Wednesday): only Monday to Wednesday are marked so far.
      if (weekStart === '2026-11-23') marks = marks.slice(0, 6) + '....';
      rows.push({ pupil_id: pupil.id, school_urn: spec.school, week_start: weekStart, marks });
    }
  }
  await db.insertInto('attendance_week').values(rows).execute();
}

export function daysAfter(date: string, n: number): string {
  return addDays(date, n);
}
