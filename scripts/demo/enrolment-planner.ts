import { addDays } from '../../services/calendar/dates';
import { DISTRICT_NEIGHBOURS, type CountyPlan, type PlannedSchool } from './county-plan';
import type { DemoPupil } from './pupil-generator';
import { Random, weightedSample } from './random';
import { weekdayOnOrAfter, type YearWindow } from './year-window';

/**
 * Who is on which roll, and since when: a single registration for almost everyone; pupils who
 * arrived in the county this year; pupils who moved school this year (an ended enrolment and a new
 * one); dual registrations (main at the home school, subsidiary at an AP) for pupils attending AP;
 * and, for pupils on an AP's own roll, the school they left.
 */
export function planEnrolments(plan: CountyPlan, pupils: DemoPupil[], window: YearWindow, seed: string | number): void {
  const random = new Random(seed, 'enrolments');
  const { schools } = plan;
  const days = window.days;

  // Everyone starts with one current single registration at their school.
  for (const pupil of pupils) {
    const school = schools[pupil.schoolIndex]!;
    pupil.segments = [{ schoolIndex: school.index, start: usualStartDate(school, pupil.row.nc_year, window.startYear, random), end: null, registration: 'C' }];
  }

  const canPlaceInYear = days.length >= 15;

  // In-year moves between schools of the same kind, mostly within the district.
  if (canPlaceInYear) {
    for (const pupil of pupils) {
      const school = schools[pupil.schoolIndex]!;
      const year = pupil.row.nc_year;
      if ((school.kind !== 'primary' && school.kind !== 'secondary') || year < 1 || year > 11) continue;
      if (!random.chance(0.008)) continue;
      const from = otherSchool(plan, school, year, random);
      if (!from) continue;
      const endIndex = random.between(4, days.length - 8);
      const startIndex = endIndex + random.between(1, 4);
      const current = pupil.segments[0]!;
      pupil.segments = [
        { schoolIndex: from.index, start: current.start < window.yearStart ? current.start : window.yearStart, end: days[endIndex]!, registration: 'C' },
        { schoolIndex: school.index, start: days[startIndex]!, end: null, registration: 'C' },
      ];
      pupil.moved = true;
      pupil.joinedThisYear = true;
      // Pupils who change school mid-year are more often in difficulty.
      pupil.behaviour *= 1.5;
    }

    // New arrivals in the county, more of them in Boston and South Holland and among new EU arrivals.
    for (const pupil of pupils) {
      if (pupil.moved) continue;
      const school = schools[pupil.schoolIndex]!;
      if (school.kind === 'alternative_provision') continue;
      const district = plan.districts[school.districtIndex]!.name;
      const e = pupil.row.ethnicity;
      const rate = 0.01 * (district === 'Boston' || district === 'South Holland' ? 2 : 1) * (e === 'WOTH' || e === 'NOBT' || e === 'WROM' ? 3 : 1);
      if (!random.chance(rate)) continue;
      pupil.segments[0]!.start = days[random.between(3, days.length - 3)]!;
      pupil.joinedThisYear = true;
    }
  }

  // Dual registration: some secondary pupils at risk attend AP part or full time (E.1: AP is for
  // the highest-risk pupils), chosen with probability rising with their suspension risk.
  const aps = schools.filter((s) => s.kind === 'alternative_provision');
  const candidates = pupils.filter((p) => {
    const s = schools[p.schoolIndex]!;
    return s.kind === 'secondary' && p.row.nc_year >= 7 && p.row.nc_year <= 11 && !p.joinedThisYear;
  });
  const dualCount = aps.length === 0 ? 0 : Math.max(2, Math.round(pupils.length * 0.0025));
  for (const pupil of weightedSample(candidates, (p) => p.behaviour, dualCount, random)) {
    const home = schools[pupil.schoolIndex]!;
    const ap = nearest(plan, aps, home.districtIndex)!;
    const start =
      days.length > 10 && random.chance(0.5)
        ? days[random.between(0, days.length - 6)]!
        : weekdayOnOrAfter(`${window.startYear}-0${random.between(1, 6)}-${String(random.between(1, 28)).padStart(2, '0')}`);
    pupil.segments[0]!.registration = 'M';
    pupil.segments.push({ schoolIndex: ap.index, start, end: null, registration: 'S' });
    pupil.dual = { apIndex: ap.index, weekdays: random.chance(0.5) ? [1, 2, 3, 4, 5] : [1, 2, 3] };
  }

  // Pupils on an AP's own roll mostly came from a mainstream school that excluded them earlier.
  for (const pupil of pupils) {
    const ap = schools[pupil.schoolIndex]!;
    if (ap.kind !== 'alternative_provision' || !random.chance(0.7)) continue;
    const year = pupil.row.nc_year;
    // Last year's Year 6 pupils came from a primary school.
    const kind = year >= 8 ? 'secondary' : 'primary';
    const lastYear = year - 1;
    const previous = nearest(
      plan,
      schools.filter((s) => s.kind === kind && (s.yearCounts[lastYear] ?? 0) > 0),
      ap.districtIndex,
      random,
    );
    if (!previous) continue;
    // Left during the previous academic year (October to mid-July), then a week or few later into AP.
    const ended = weekdayOnOrAfter(addDays(`${window.startYear - 1}-10-01`, random.between(0, 280)));
    const apStart = weekdayOnOrAfter(addDays(ended, random.between(7, 20)));
    const entry = kind === 'secondary' ? 7 : 0;
    const first = `${window.startYear - Math.max(1, year - entry)}-09-01`;
    pupil.segments = [
      { schoolIndex: previous.index, start: first < ended ? first : addDays(ended, -300), end: ended, registration: 'C' },
      { schoolIndex: ap.index, start: apStart, end: null, registration: 'C' },
    ];
  }
}

/** The first day on roll for a pupil who did not join this year. */
function usualStartDate(school: PlannedSchool, year: number, startYear: number, random: Random): string {
  if (school.kind === 'alternative_provision') {
    // AP places are short: joined within the last year or so.
    return weekdayOnOrAfter(`${startYear - random.between(0, 1)}-${random.pick(['01', '02', '03', '04', '05', '06'])}-${String(random.between(1, 28)).padStart(2, '0')}`);
  }
  // The most recent usual joining point at or below the pupil's year (Year 12 mostly stay on from 11).
  let entry = school.entryYears.filter((y) => y <= year && !(y === 12 && random.chance(0.7))).pop();
  if (entry === undefined) entry = Math.min(...school.entryYears, year);
  const firstYear = startYear - (year - entry);
  if (year > entry && random.chance(0.1)) {
    // Joined partway through the phase in an earlier year.
    const joinYear = random.between(firstYear, startYear - 1);
    const month = random.pick(['10', '11', '01', '02', '03', '04', '05', '06']);
    const calendarYear = Number(month) >= 9 ? joinYear : joinYear + 1;
    return weekdayOnOrAfter(`${calendarYear}-${month}-${String(random.between(1, 28)).padStart(2, '0')}`);
  }
  return `${firstYear}-09-01`;
}

function otherSchool(plan: CountyPlan, school: PlannedSchool, year: number, random: Random): PlannedSchool | undefined {
  const same = plan.schools.filter((s) => s.kind === school.kind && s.index !== school.index && (s.yearCounts[year] ?? 0) > 0);
  if (same.length === 0) return undefined;
  const local = same.filter((s) => s.districtIndex === school.districtIndex);
  return local.length > 0 && random.chance(0.7) ? random.pick(local) : random.pick(same);
}

/** The school in the nearest district that has one (random among several there when given a random). */
function nearest(plan: CountyPlan, options: PlannedSchool[], districtIndex: number, random?: Random): PlannedSchool | undefined {
  const order = DISTRICT_NEIGHBOURS[plan.districts[districtIndex]!.name]!;
  for (const name of order) {
    const d = plan.districts.findIndex((x) => x.name === name);
    const here = options.filter((s) => s.districtIndex === d);
    if (here.length > 0) return random ? random.pick(here) : here[0]!;
  }
  return options[0];
}
