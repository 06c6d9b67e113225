import type { SchoolPhase, SchoolType } from '../../services/store/database';
import { DEMO_DISTRICTS, PUPIL_SHARE, SCHOOLS_PER_100K } from './demo-rates';
import { DEMO_SCHOOL_LEADER_URN } from './demo-users';
import { apportion, Random, WeightedTable } from './random';
import { SchoolNamer } from './school-names';

/** Which part of the system a school belongs to; drives sizes, year groups and rates. */
export type SchoolKind = 'primary' | 'secondary' | 'special' | 'alternative_provision';

export interface PlannedSchool {
  /** Position in the plan; pupils refer to schools by it. */
  index: number;
  urn: number;
  /** Four-digit DfE establishment number, used in the UPNs the school issues. */
  establishment: number;
  name: string;
  phase: SchoolPhase;
  type: SchoolType;
  kind: SchoolKind;
  districtIndex: number;
  grammar: boolean;
  sixthForm: boolean;
  /** Pupils generated on this school's roll, by NC year (index 0 = reception .. 13). */
  yearCounts: number[];
  /** The NC years a pupil normally joins in: reception, Year 7, Year 12. */
  entryYears: number[];
}

export interface CountyPlan {
  districts: readonly { name: string; population: number; rurality: number; fsm: number }[];
  schools: PlannedSchool[];
}

/** Neighbouring districts, nearest first: where a pupil moves to, or which AP serves a district. */
export const DISTRICT_NEIGHBOURS: Record<string, readonly string[]> = {
  Boston: ['Boston', 'South Holland', 'East Lindsey', 'North Kesteven', 'South Kesteven', 'Lincoln', 'West Lindsey'],
  'East Lindsey': ['East Lindsey', 'Boston', 'West Lindsey', 'Lincoln', 'North Kesteven', 'South Holland', 'South Kesteven'],
  Lincoln: ['Lincoln', 'North Kesteven', 'West Lindsey', 'East Lindsey', 'South Kesteven', 'Boston', 'South Holland'],
  'North Kesteven': ['North Kesteven', 'Lincoln', 'South Kesteven', 'Boston', 'West Lindsey', 'East Lindsey', 'South Holland'],
  'South Holland': ['South Holland', 'Boston', 'South Kesteven', 'North Kesteven', 'East Lindsey', 'Lincoln', 'West Lindsey'],
  'South Kesteven': ['South Kesteven', 'North Kesteven', 'South Holland', 'Boston', 'Lincoln', 'West Lindsey', 'East Lindsey'],
  'West Lindsey': ['West Lindsey', 'Lincoln', 'East Lindsey', 'North Kesteven', 'Boston', 'South Kesteven', 'South Holland'],
};

const PRIMARY_TYPES = new WeightedTable<SchoolType>([
  ['academy', 48],
  ['community', 22],
  ['voluntary_controlled', 16],
  ['voluntary_aided', 6],
  ['foundation', 6],
  ['free_school', 2],
]);

const SECONDARY_TYPES = new WeightedTable<SchoolType>([
  ['academy', 84],
  ['foundation', 6],
  ['community', 4],
  ['free_school', 4],
  ['voluntary_aided', 2],
]);

const YEAR_WEIGHTS: Record<string, readonly number[]> = {
  // Index = NC year 0 (reception) .. 13.
  primary: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  secondary: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0],
  allThrough: [0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 1, 1, 1, 1, 1, 0.4, 0.35],
  special: [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.2, 1.2, 1.3, 1.3, 1.3, 0.8, 0.7],
  // Pupil referral units and AP academies serve mostly Key Stage 3 and 4.
  alternativeProvision: [0, 0, 0, 0, 0, 0.1, 0.2, 0.4, 0.7, 1, 1.4, 1.6, 0, 0],
};

function isAcademyType(type: SchoolType): boolean {
  return type === 'academy' || type === 'free_school';
}

/**
 * Lays out the county: how many schools of each kind in each district, their names, types, URNs and
 * how many pupils of each year group they hold. School counts scale with the pupil count (about 360
 * for 100,000) but every district keeps at least one primary and one secondary.
 */
export function planCounty(totalPupils: number, random: Random): CountyPlan {
  const districts = DEMO_DISTRICTS;
  const scale = totalPupils / 100_000;
  const counts = {
    primary: Math.max(districts.length, Math.round(SCHOOLS_PER_100K.primary * scale)),
    secondary: Math.max(districts.length, Math.round(SCHOOLS_PER_100K.secondary * scale)),
    special: Math.max(1, Math.round(SCHOOLS_PER_100K.special * scale)),
    alternative_provision: Math.max(1, Math.round(SCHOOLS_PER_100K.alternative_provision * scale)),
  };
  const population = districts.map((d) => d.population);
  const perDistrict = {
    primary: apportion(counts.primary, districts.map((d) => d.population * d.rurality), 1),
    secondary: apportion(counts.secondary, population, 1),
    special: apportion(counts.special, population),
    alternative_provision: apportion(counts.alternative_provision, population),
  };

  const namer = new SchoolNamer(random);
  const schools: PlannedSchool[] = [];
  const sizeWeight: number[] = [];
  let allThroughPlaced = counts.secondary < 20;
  let leaderSchoolPlaced = false;

  for (let d = 0; d < districts.length; d++) {
    for (const kind of ['primary', 'secondary', 'special', 'alternative_provision'] as const) {
      for (let i = 0; i < perDistrict[kind][d]!; i++) {
        let phase: SchoolPhase;
        let type: SchoolType;
        let grammar = false;
        let sixthForm = false;
        let weights: readonly number[];
        let size: number;
        if (kind === 'primary') {
          phase = 'primary';
          type = PRIMARY_TYPES.sample(random);
          weights = YEAR_WEIGHTS.primary!;
          // Village schools vary a lot: from forty pupils to over six hundred.
          size = Math.exp(0.55 * random.normal());
        } else if (kind === 'secondary') {
          const isLeaderSchool = !leaderSchoolPlaced && districts[d]!.name === 'Boston';
          const isAllThrough = !allThroughPlaced && !isLeaderSchool && districts[d]!.name === 'Lincoln';
          phase = isAllThrough ? 'all_through' : 'secondary';
          type = isLeaderSchool || isAllThrough ? 'academy' : SECONDARY_TYPES.sample(random);
          // Lincolnshire keeps selective schools: about a quarter of its secondaries are grammars.
          grammar = !isLeaderSchool && !isAllThrough && random.chance(0.25);
          sixthForm = grammar || isAllThrough || random.chance(0.55);
          weights = isAllThrough ? YEAR_WEIGHTS.allThrough! : YEAR_WEIGHTS.secondary!;
          size = Math.exp(0.3 * random.normal()) * (grammar ? 0.8 : 1) * (isAllThrough ? 1.4 : 1);
          if (isLeaderSchool) leaderSchoolPlaced = true;
          if (isAllThrough) allThroughPlaced = true;
        } else if (kind === 'special') {
          phase = 'all_through';
          type = 'special';
          sixthForm = true;
          weights = YEAR_WEIGHTS.special!;
          size = Math.exp(0.3 * random.normal());
        } else {
          phase = 'secondary';
          type = 'alternative_provision';
          weights = YEAR_WEIGHTS.alternativeProvision!;
          size = Math.exp(0.3 * random.normal());
        }
        const yearWeights = weights.map((w, year) => (year >= 12 && kind === 'secondary' && !sixthForm ? 0 : w));
        if (kind === 'secondary' && sixthForm && phase === 'secondary') {
          // Grammar sixth forms keep most of Year 11; others about 45%.
          yearWeights[12] = grammar ? 0.75 : 0.45;
          yearWeights[13] = grammar ? 0.7 : 0.4;
        }
        const name = namer.schoolName(phase, type, { grammar, district: districts[d]!.name });
        schools.push({
          index: schools.length,
          urn: 0,
          establishment: 0,
          name,
          phase,
          type,
          kind,
          districtIndex: d,
          grammar,
          sixthForm,
          yearCounts: yearWeights.map((w) => w),
          entryYears:
            kind === 'primary' ? [0] : kind === 'secondary' ? (phase === 'all_through' ? [0, 7, 12] : [7, 12]) : kind === 'special' ? [0, 7, 12] : [],
        });
        sizeWeight.push(size);
      }
    }
  }

  assignIdentifiers(schools, random);
  assignPupils(schools, sizeWeight, totalPupils, districts, random);
  return { districts, schools };
}

/**
 * URNs: maintained schools in the 120000s, academies and free schools from 137000 (URNs issued
 * after conversion are higher), with gaps like a real register. The first secondary in Boston is
 * always DEMO_SCHOOL_LEADER_URN so the demo school leader's scope never changes.
 */
function assignIdentifiers(schools: PlannedSchool[], random: Random): void {
  let maintained = 120001;
  let academy = 137001;
  const establishment = { primary: 2001, secondary: 4001, special: 7001, alternative_provision: 1101 };
  let leaderDone = false;
  for (const school of schools) {
    const isLeader = !leaderDone && school.kind === 'secondary' && school.districtIndex === 0;
    if (isLeader) {
      school.urn = DEMO_SCHOOL_LEADER_URN;
      leaderDone = true;
    } else if (isAcademyType(school.type) || ((school.kind === 'special' || school.kind === 'alternative_provision') && random.chance(0.5))) {
      school.urn = academy;
      academy += random.between(1, 25);
    } else {
      school.urn = maintained;
      maintained += random.between(1, 3);
    }
    // Consecutive numbers keep every establishment number four digits even for the largest county;
    // ranges may overlap then, which is harmless: UPN serials are counted per establishment number.
    school.establishment = establishment[school.kind];
    establishment[school.kind] += 1;
  }
}

function assignPupils(
  schools: PlannedSchool[],
  sizeWeight: number[],
  totalPupils: number,
  districts: CountyPlan['districts'],
  random: Random,
): void {
  const kinds = ['primary', 'secondary', 'special', 'alternative_provision'] as const;
  const byKind = apportion(
    totalPupils,
    kinds.map((k) => PUPIL_SHARE[k]),
  );
  kinds.forEach((kind, k) => {
    const members = schools.filter((s) => s.kind === kind);
    let perSchool: number[];
    if (kind === 'primary' || kind === 'secondary') {
      // Pupils follow the population; rural districts spread theirs over more, smaller schools.
      const perDistrict = apportion(
        byKind[k]!,
        districts.map((d) => d.population),
      );
      perSchool = new Array(members.length).fill(0);
      districts.forEach((_, d) => {
        const idx = members.map((s, i) => (s.districtIndex === d ? i : -1)).filter((i) => i >= 0);
        const parts = apportion(
          perDistrict[d]!,
          idx.map((i) => sizeWeight[members[i]!.index]!),
        );
        idx.forEach((i, j) => (perSchool[i] = parts[j]!));
      });
    } else {
      perSchool = apportion(
        byKind[k]!,
        members.map((s) => sizeWeight[s.index]!),
      );
    }
    members.forEach((school, i) => {
      const jittered = school.yearCounts.map((w) => (w > 0 ? w * Math.max(0.5, 1 + 0.08 * random.normal()) : 0));
      school.yearCounts = apportion(perSchool[i]!, jittered);
    });
  });
}
