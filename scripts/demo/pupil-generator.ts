import { makeUpn } from '../../services/domain/upn';
import type { SenProvision, Sex, SocialWorkerStatus } from '../../services/store/database';
import type { CountyPlan, PlannedSchool } from './county-plan';
import { DEMO_LA_NUMBER } from './demo-rates';
import { pupilName } from './people-names';
import { Random, WeightedTable } from './random';

/** A pupil row exactly as stored. */
export interface PupilRow {
  id: number;
  upn: string;
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  date_of_birth: string;
  nc_year: number;
  sex: Sex;
  ethnicity: string;
  sen_provision: SenProvision;
  looked_after: 0 | 1;
  social_worker: SocialWorkerStatus;
  fsm: 0 | 1;
  youth_justice: 0 | 1;
}

/** One stretch on a school's roll. */
export interface Segment {
  schoolIndex: number;
  start: string;
  /** Last day on roll; null while current. */
  end: string | null;
  registration: 'C' | 'M' | 'S';
}

/** A generated pupil: the stored row plus what the later stages need to know about them. */
export interface DemoPupil {
  row: PupilRow;
  /** The school whose roll the pupil was generated on (the main school at the end of the period). */
  schoolIndex: number;
  /** Relative propensity to be suspended (mean about 1 across the county). */
  behaviour: number;
  segments: Segment[];
  /** For a dual-registered pupil: the AP school and the weekdays (1..5) spent there. */
  dual: { apIndex: number; weekdays: number[] } | null;
  /** Joined a school in the county during this academic year (new arrival or mover). */
  joinedThisYear: boolean;
  moved: boolean;
}

type EthnicMix = readonly (readonly [string, number])[];

/**
 * Ethnicity by district, per cent. Lincolnshire's pupils are mostly White British; Boston and South
 * Holland have large Eastern European communities (recorded as WOTH) and some Roma families; the
 * City of Lincoln is the most mixed. Judgements from census patterns, for realism only.
 */
function districtMix(wbri: number, woth: number, wrom: number, wirt: number, minorityScale: number): EthnicMix {
  const minorities: [string, number][] = [
    ['WIRI', 0.25],
    ['MWBC', 0.7],
    ['MWBA', 0.4],
    ['MWAS', 0.6],
    ['MOTH', 1.0],
    ['AIND', 0.45],
    ['APKN', 0.2],
    ['ABAN', 0.15],
    ['AOTH', 0.6],
    ['BAFR', 0.8],
    ['BCRB', 0.12],
    ['BOTH', 0.15],
    ['CHNE', 0.3],
    ['OOTH', 0.8],
    ['REFU', 0.5],
    ['NOBT', 0.5],
  ];
  return [['WBRI', wbri], ['WOTH', woth], ['WROM', wrom], ['WIRT', wirt], ...minorities.map(([c, w]) => [c, w * minorityScale] as const)];
}

const ETHNIC_MIX: Record<string, WeightedTable<string>> = {
  Boston: new WeightedTable(districtMix(60, 28, 1.6, 0.15, 1.2)),
  'East Lindsey': new WeightedTable(districtMix(90, 3, 0.5, 0.3, 0.6)),
  Lincoln: new WeightedTable(districtMix(77, 8, 0.4, 0.1, 1.9)),
  'North Kesteven': new WeightedTable(districtMix(90, 3.5, 0.2, 0.1, 0.7)),
  'South Holland': new WeightedTable(districtMix(74, 17, 1.0, 0.2, 0.8)),
  'South Kesteven': new WeightedTable(districtMix(86, 5.5, 0.4, 0.2, 1.0)),
  'West Lindsey': new WeightedTable(districtMix(90, 3.5, 0.3, 0.2, 0.6)),
};

/** Relative suspension risk by NC year (Year 9 highest for suspensions, E.1). Index = NC year. */
const YEAR_BEHAVIOUR = [0.08, 0.12, 0.16, 0.22, 0.28, 0.34, 0.4, 1.5, 2.3, 3.0, 2.9, 2.0, 0.35, 0.25];

/** Over-represented groups in exclusions (E.1: Gypsy/Roma, Irish Traveller, White and Black Caribbean). */
const ETHNIC_BEHAVIOUR: Record<string, number> = {
  WROM: 2.6,
  WIRT: 3.0,
  MWBC: 2.0,
  BCRB: 1.5,
  MOTH: 1.15,
  WOTH: 0.7,
  AIND: 0.3,
  APKN: 0.7,
  ABAN: 0.5,
  AOTH: 0.5,
  BAFR: 0.8,
  CHNE: 0.2,
};

export interface PupilContext {
  /** The calendar year the current academic year starts in (2026 for 2026/27). */
  startYear: number;
}

/**
 * Creates every pupil on every school's roll with the characteristics schools record. Rates are
 * set per pupil from the school kind, district, sex and the other characteristics, so the groups
 * over-represented nationally come out over-represented here too.
 */
export function generatePupils(plan: CountyPlan, seed: string | number, context: PupilContext): DemoPupil[] {
  const random = new Random(seed, 'pupils');
  const pupils: DemoPupil[] = [];
  const serials = new Map<number, number>();
  const primariesByDistrict = plan.districts.map((_, d) => plan.schools.filter((s) => s.kind === 'primary' && s.districtIndex === d));

  for (const school of plan.schools) {
    const district = plan.districts[school.districtIndex]!;
    for (let year = 0; year < school.yearCounts.length; year++) {
      for (let k = 0; k < school.yearCounts[year]!; k++) {
        const id = pupils.length + 1;
        const sex: Sex = random.chance(school.kind === 'special' ? 0.72 : school.kind === 'alternative_provision' ? 0.75 : 0.51) ? 'M' : 'F';
        const ethnicity = ETHNIC_MIX[district.name]!.sample(random);
        const name = pupilName(ethnicity, sex, random);
        const characteristics = drawCharacteristics(school, district.fsm, year, sex, ethnicity, random);
        const upn = issueUpn(school, year, context.startYear, primariesByDistrict[school.districtIndex]!, serials, random);
        const row: PupilRow = {
          id,
          upn,
          legal_forename: name.forename,
          legal_surname: name.surname,
          preferred_forename: name.preferred,
          date_of_birth: dateOfBirth(year, context.startYear, random),
          nc_year: year,
          sex,
          ethnicity,
          ...characteristics,
        };
        pupils.push({
          row,
          schoolIndex: school.index,
          behaviour: behaviourPropensity(row, school, random),
          segments: [],
          dual: null,
          joinedThisYear: false,
          moved: false,
        });
      }
    }
  }
  return pupils;
}

/** Born 1 September .. 31 August so the pupil is in the right NC year for the academic year. */
function dateOfBirth(ncYear: number, startYear: number, random: Random): string {
  // Reception children in 2026/27 were born 1 Sep 2021 .. 31 Aug 2022.
  const from = Date.UTC(startYear - 5 - ncYear, 8, 1);
  const to = Date.UTC(startYear - 4 - ncYear, 7, 31);
  const days = Math.round((to - from) / 86_400_000);
  return new Date(from + random.int(days + 1) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A UPN is issued by the school a child first joins (usually a primary in the district, in the year
 * they start reception), with a running serial per school and year, so every UPN is unique.
 */
function issueUpn(
  school: PlannedSchool,
  ncYear: number,
  startYear: number,
  districtPrimaries: PlannedSchool[],
  serials: Map<number, number>,
  random: Random,
): string {
  const issueYear = Math.max(startYear - ncYear, startYear - 13);
  for (let attempt = 0; ; attempt++) {
    const issuer = school.kind === 'primary' || districtPrimaries.length === 0 || attempt > 5 ? school : random.pick(districtPrimaries);
    const key = issuer.establishment * 100 + (attempt > 10 ? (issueYear + attempt) % 100 : issueYear % 100);
    const serial = (serials.get(key) ?? 0) + 1;
    if (serial > 999) continue;
    serials.set(key, serial);
    return makeUpn(DEMO_LA_NUMBER, issuer.establishment, key % 100, serial);
  }
}

interface Characteristics {
  sen_provision: SenProvision;
  looked_after: 0 | 1;
  social_worker: SocialWorkerStatus;
  fsm: 0 | 1;
  youth_justice: 0 | 1;
}

function drawCharacteristics(school: PlannedSchool, districtFsm: number, year: number, sex: Sex, ethnicity: string, random: Random): Characteristics {
  const special = school.kind === 'special';
  const ap = school.kind === 'alternative_provision';

  // Free school meals: 2023/24 England about a quarter of pupils; higher in special schools and AP.
  const ethnicFsm = ethnicity === 'WROM' || ethnicity === 'WIRT' ? 2 : ethnicity === 'WOTH' ? 0.7 : ethnicity === 'AIND' || ethnicity === 'CHNE' ? 0.5 : 1;
  const fsm = random.chance(Math.min(0.95, districtFsm * ethnicFsm * (special ? 1.7 : ap ? 2.3 : 1))) ? 1 : 0;

  // Looked after: about 0.7% of pupils; many more in special schools and AP; fewer among the youngest.
  const lacRate = (special ? 0.04 : ap ? 0.06 : 0.0062) * (year >= 7 ? 1.2 : year === 0 ? 0.6 : 0.9);
  const looked_after = random.chance(lacRate) ? 1 : 0;

  // A looked-after child is a child in need in law (Children Act 1989 s.17), and has a social worker.
  let social_worker: SocialWorkerStatus = 'N';
  if (looked_after) social_worker = 'CIN';
  else {
    const factor = (fsm ? 2.2 : 0.6) * (special ? 2 : ap ? 3 : 1);
    const r = random.next();
    if (r < 0.006 * factor) social_worker = 'CP';
    else if (r < 0.023 * factor) social_worker = 'CIN';
  }

  // SEN: England January 2024 about 4.8% EHC plans and 13.6% SEN support; boys about twice girls.
  let sen_provision: SenProvision = 'N';
  if (special) sen_provision = random.chance(0.97) ? 'E' : 'K';
  else if (ap) {
    const r = random.next();
    sen_provision = r < 0.18 ? 'E' : r < 0.75 ? 'K' : 'N';
  } else {
    const lift = (fsm ? 1.5 : 0.85) * (looked_after ? 2.5 : 1);
    const ehc = (sex === 'M' ? 0.045 : 0.019) * lift * (year === 0 ? 0.5 : 1);
    const support = (sex === 'M' ? 0.172 : 0.1) * lift * (year === 0 ? 0.6 : 1);
    const r = random.next();
    sen_provision = r < ehc ? 'E' : r < ehc + support ? 'K' : 'N';
  }

  // Youth justice (Future4Me): older pupils only, a small share; boys, FSM, looked after and AP far more.
  let youth_justice: 0 | 1 = 0;
  if (year >= 7) {
    const p = (sex === 'M' ? 0.004 : 0.0012) * (fsm ? 2 : 0.7) * (looked_after ? 4 : 1) * (social_worker !== 'N' ? 2 : 1) * (ap ? 15 : 1);
    youth_justice = random.chance(Math.min(0.5, p)) ? 1 : 0;
  }
  return { sen_provision, looked_after, social_worker, fsm, youth_justice };
}

/**
 * Relative suspension risk: E.1's relative risks (FSM about 4x, SEN support and EHC plans about 3x,
 * boys 1.5x, Year 9-10 highest, some ethnic groups over-represented) times a heavy-tailed personal
 * factor, because a few pupils account for most suspensions.
 */
function behaviourPropensity(row: PupilRow, school: PlannedSchool, random: Random): number {
  let m = YEAR_BEHAVIOUR[row.nc_year] ?? 1;
  m *= row.sex === 'M' ? 1.2 : 0.8;
  m *= row.fsm ? 2.5 : 0.62;
  m *= row.sen_provision === 'E' ? 2.9 : row.sen_provision === 'K' ? 3.4 : 1;
  m *= ETHNIC_BEHAVIOUR[row.ethnicity] ?? 1;
  if (row.looked_after) m *= 1.8;
  else if (row.social_worker !== 'N') m *= 1.6;
  if (row.youth_justice) m *= 2.5;
  if (school.kind === 'special') m *= 0.55;
  if (school.kind === 'alternative_provision') m *= 2;
  // A small gamma shape concentrates suspensions: nationally a pupil suspended has about four a year.
  const shape = 0.06;
  return m * (random.gamma(shape) / shape);
}
