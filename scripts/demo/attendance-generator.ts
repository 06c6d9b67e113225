import { CODE_BY_NAME, NO_MARK, SESSIONS_PER_WEEK as SESSIONS } from '../../services/attendance/attendance-codes';
import { daysBetween, isoWeekday, mondayOf } from '../../services/calendar/dates';
import type { CountyPlan } from './county-plan';
import { ABSENCE_TARGETS } from './demo-rates';
import type { ExclusionResult } from './exclusion-generator';
import type { DemoPupil } from './pupil-generator';
import { Random } from './random';
import { schoolClosures, segmentRange, type YearWindow } from './year-window';

/** One attendance_week row as stored. */
export interface AttendanceRow {
  pupil_id: number;
  school_urn: number;
  week_start: string;
  marks: string;
}

// Copied into a local constant: the hot loops below read it millions of times.
const SESSIONS_PER_WEEK: number = SESSIONS;

const mark = (code: string): number => {
  const entry = CODE_BY_NAME.get(code);
  if (!entry) throw new Error(`unknown attendance code ${code}`);
  return entry.char.charCodeAt(0);
};
const M = {
  none: NO_MARK.charCodeAt(0),
  am: mark('/'),
  pm: mark('\\'),
  late: mark('L'),
  lateAfterClose: mark('U'),
  illness: mark('I'),
  medical: mark('M'),
  other: mark('O'),
  notYetProvided: mark('N'),
  holiday: mark('G'),
  exceptional: mark('C'),
  religious: mark('R'),
  partTime: mark('C2'),
  excluded: mark('E'),
  laProvision: mark('K'),
  dual: mark('D'),
  visit: mark('V'),
  notCompulsory: mark('X'),
};

/**
 * Per-pupil absence propensity, fixed before marks are drawn. Overall absence is tuned to England
 * 2023/24 (about 7%, E.2) with a long tail (persistent absence about 20%, severe about 2%); FSM, SEN,
 * older pupils and Gypsy/Roma and Traveller pupils miss more (E.2 autumn breakdowns).
 */
interface AbsenceProfile {
  rate: number;
  unauthorisedShare: number;
  meanEpisodeDays: number;
  late: number;
  severe: boolean;
  worsening: boolean;
  holiday: boolean;
  partTime: boolean;
}

/** Log-odds shifts for absence by pupil characteristics. */
function absenceEffects(pupil: DemoPupil, plan: CountyPlan): number {
  const row = pupil.row;
  const kind = plan.schools[pupil.schoolIndex]!.kind;
  let e = 0;
  if (row.fsm) e += 0.6;
  if (row.sen_provision === 'E') e += 0.65;
  else if (row.sen_provision === 'K') e += 0.45;
  if (row.social_worker !== 'N') e += 0.4;
  if (row.youth_justice) e += 0.6;
  if (row.ethnicity === 'WROM' || row.ethnicity === 'WIRT') e += 1.5;
  if (row.ethnicity === 'AIND' || row.ethnicity === 'CHNE') e -= 0.5;
  if (kind === 'special') e += 0.25;
  if (kind === 'alternative_provision') e += 1.1;
  const year = row.nc_year;
  e += year <= 6 ? -0.15 : year === 7 ? 0 : year === 8 ? 0.15 : year === 9 ? 0.3 : year <= 11 ? 0.4 : 0.25;
  return e;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Spread of ordinary pupils' propensity on the log-odds scale, and the severe share. */
const SPREAD = 0.8;
const SEVERE_SHARE = 0.023;
/** Propensity mean that lands overall absence near the target once holidays, suspensions and lates are added. */
const LATENT_MEAN = ABSENCE_TARGETS.overall - 0.0085;

export function absenceProfiles(plan: CountyPlan, pupils: DemoPupil[], seed: string | number): AbsenceProfile[] {
  const random = new Random(seed, 'absence-profiles');
  const n = pupils.length;
  const effects = new Float64Array(n);
  const noise = new Float64Array(n);
  const severeScore = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    effects[i] = absenceEffects(pupils[i]!, plan);
    noise[i] = random.normal();
    severeScore[i] = 0.9 * effects[i]! + random.normal();
  }
  const severeCount = Math.round(n * SEVERE_SHARE);
  const severe = new Uint8Array(n);
  Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => severeScore[b]! - severeScore[a]! || a - b)
    .slice(0, severeCount)
    .forEach((i) => (severe[i] = 1));
  const severeRate = new Float64Array(n);
  for (let i = 0; i < n; i++) severeRate[i] = 0.5 + 0.35 * random.next();

  // Choose the centre so the county mean propensity hits the target (bisection; deterministic).
  const meanAt = (mu: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += severe[i] ? severeRate[i]! : Math.min(0.45, logistic(mu + effects[i]! + SPREAD * noise[i]!));
    return n > 0 ? sum / n : 0;
  };
  let lo = -8;
  let hi = 0;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (meanAt(mid) < LATENT_MEAN) lo = mid;
    else hi = mid;
  }
  const mu = (lo + hi) / 2;

  return pupils.map((pupil, i) => {
    const isSevere = severe[i] === 1;
    const rate = isSevere ? severeRate[i]! : Math.min(0.45, logistic(mu + effects[i]! + SPREAD * noise[i]!));
    const row = pupil.row;
    const traveller = row.ethnicity === 'WROM' || row.ethnicity === 'WIRT';
    const unauthorisedShare = isSevere
      ? 0.7
      : Math.min(0.9, 0.17 + (row.fsm ? 0.1 : 0) + (rate > 0.1 ? 0.15 : 0) + (row.nc_year >= 10 && row.nc_year <= 11 ? 0.08 : 0) + (traveller ? 0.2 : 0));
    const kind = plan.schools[pupil.schoolIndex]!.kind;
    return {
      rate,
      unauthorisedShare,
      meanEpisodeDays: isSevere ? 4.5 : unauthorisedShare * 1.26 + (1 - unauthorisedShare) * 1.82,
      late: Math.min(0.3, 0.012 * (random.gamma(0.8) / 0.8) * (row.fsm ? 1.5 : 1)),
      severe: isSevere,
      worsening: random.chance(rate > 0.05 ? 0.1 : 0.04),
      // Term-time holidays: commoner among families with relatives abroad.
      holiday: random.chance(row.ethnicity === 'WOTH' ? 0.14 : row.ethnicity === 'WBRI' ? 0.06 : 0.09),
      // Temporary part-time timetables (C2) are for a few pupils with SEN or in AP.
      partTime:
        row.nc_year >= 1 && (kind === 'alternative_provision' || row.sen_provision !== 'N') && random.chance(kind === 'alternative_provision' ? 0.05 : 0.006),
    };
  });
}

/** Calendar facts shared by every pupil's marks. */
export interface AttendanceFrame {
  weeks: string[];
  /** Week index and weekday (0 = Monday) of each window day. */
  dayWeek: Int32Array;
  dayOfWeek: Int8Array;
  /** School index -> window days the school is closed although the county is open. */
  closed: Map<number, Set<number>>;
  /** Window days next to a break (half term) and at the start of the year: where holidays cluster. */
  holidayStarts: number[];
  /** Month of each window day (1..12): illness is seasonal. */
  month: Int8Array;
}

export function attendanceFrame(plan: CountyPlan, window: YearWindow): AttendanceFrame {
  const days = window.days;
  const weeks: string[] = [];
  const dayWeek = new Int32Array(days.length);
  const dayOfWeek = new Int8Array(days.length);
  const month = new Int8Array(days.length);
  if (days.length > 0) {
    const first = mondayOf(days[0]!);
    const lastMonday = mondayOf(days[days.length - 1]!);
    for (let w = 0; w <= daysBetween(first, lastMonday) / 7; w++) weeks.push(addWeeks(first, w));
    days.forEach((d, i) => {
      dayWeek[i] = Math.floor(daysBetween(first, d) / 7);
      dayOfWeek[i] = isoWeekday(d) - 1;
      month[i] = Number(d.slice(5, 7));
    });
  }
  const closed = schoolClosures(plan, window);
  const holidayStarts: number[] = [0];
  for (let i = 0; i + 1 < days.length; i++) {
    if (daysBetween(days[i]!, days[i + 1]!) > 3) {
      holidayStarts.push(Math.max(0, i - 4), i + 1);
    }
  }
  return { weeks, dayWeek, dayOfWeek, closed, holidayStarts, month };
}

function addWeeks(monday: string, n: number): string {
  const ms = Date.parse(`${monday}T00:00:00Z`) + n * 7 * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Illness is seasonal: lower in September, rising through the winter. Index = month. */
const SEASON = [1, 1.2, 1.1, 1.0, 0.9, 0.9, 1.0, 1.2, 1, 0.8, 1.0, 1.15, 1.3];

/**
 * The weekly mark rows for one pupil: one row per school and school week on roll, ten marks each,
 * '.' where there is no school or the pupil is not on that roll.
 */
export function pupilAttendance(
  pupil: DemoPupil,
  profile: AbsenceProfile,
  plan: CountyPlan,
  window: YearWindow,
  frame: AttendanceFrame,
  exclusions: ExclusionResult,
  seed: string | number,
): AttendanceRow[] {
  const days = window.days;
  const dayCount = days.length;
  if (dayCount === 0) return [];
  const random = new Random(seed, `attendance:${pupil.row.id}`);
  const weekCount = frame.weeks.length;

  // One mark buffer per segment (a school roll), and which buffer is the "attending" one each day.
  const buffers = pupil.segments.map(() => new Uint8Array(weekCount * SESSIONS_PER_WEEK).fill(M.none));
  const attendSegment = new Int16Array(dayCount).fill(-1);
  const apWeekday = new Uint8Array(5);
  if (pupil.dual) for (const w of pupil.dual.weekdays) apWeekday[w - 1] = 1;
  pupil.segments.forEach((segment, s) => {
    const [lo, hi] = segmentRange(segment, window);
    const closed = frame.closed.get(segment.schoolIndex);
    for (let d = lo; d <= hi; d++) {
      if (closed?.has(d)) continue;
      const base = frame.dayWeek[d]! * SESSIONS_PER_WEEK + frame.dayOfWeek[d]! * 2;
      const atAp = apWeekday[frame.dayOfWeek[d]!] === 1;
      if (segment.registration === 'S') {
        // Subsidiary (AP) roll: attends on its weekdays, the main school's days are D here.
        if (atAp) attendSegment[d] = s;
        else buffers[s]![base] = buffers[s]![base + 1] = M.dual;
      } else if (pupil.dual !== null && atAp) {
        buffers[s]![base] = buffers[s]![base + 1] = M.dual;
      } else if (attendSegment[d] === -1) {
        attendSegment[d] = s;
      }
    }
  });

  const fixed = new Uint8Array(dayCount); // 1: the day's marks are already decided
  const setDay = (d: number, am: number, pm: number) => {
    const s = attendSegment[d]!;
    if (s < 0) return;
    const base = frame.dayWeek[d]! * SESSIONS_PER_WEEK + frame.dayOfWeek[d]! * 2;
    buffers[s]![base] = am;
    buffers[s]![base + 1] = pm;
    fixed[d] = 1;
  };

  // Exclusions: E while suspended or permanently excluded with no provision; K from day 6 of a PEx.
  for (const exclusion of exclusions.byPupil.get(pupil.row.id) ?? []) {
    if (exclusion.category === 'LUNC') continue; // a lunchtime suspension leaves both registers intact
    const segmentIndex = pupil.segments.findIndex((seg, s) => seg.schoolIndex === exclusion.schoolIndex && attendsOn(attendSegment, exclusion.dayIndex, s));
    const onDays: number[] = [];
    for (let d = exclusion.dayIndex; d < dayCount && (exclusion.category === 'PERM' || onDays.length < Math.ceil(exclusion.sessions / 2)); d++) {
      if (segmentIndex >= 0 && attendSegment[d] !== segmentIndex) {
        if (exclusion.category === 'PERM' && attendSegment[d] !== -1) break; // left the roll
        continue;
      }
      onDays.push(d);
    }
    onDays.forEach((d, k) => {
      if (exclusion.category === 'PERM') setDay(d, k < 5 ? M.excluded : M.laProvision, k < 5 ? M.excluded : M.laProvision);
      else if (exclusion.sessions === 1) setDay(d, M.am, M.excluded);
      else if (k === onDays.length - 1 && exclusion.sessions % 2 === 1) setDay(d, M.excluded, M.pm);
      else setDay(d, M.excluded, M.excluded);
    });
  }

  // A term-time holiday: a block of 3-5 days next to half term or at the start of the year.
  if (profile.holiday && dayCount > 6) {
    const anchor = random.pick(frame.holidayStarts);
    const length = random.between(3, 5);
    const beforeBreak = anchor > 0 && frame.holidayStarts.indexOf(anchor) % 2 === 1;
    const start = beforeBreak ? Math.min(dayCount - 1, anchor + 5 - length) : anchor;
    for (let d = start; d < Math.min(dayCount, start + length); d++) if (!fixed[d]) setDay(d, M.holiday, M.holiday);
  }

  // A temporary part-time timetable: afternoons off for some weeks.
  let partTimeFrom = dayCount;
  let partTimeTo = dayCount;
  if (profile.partTime) {
    partTimeFrom = random.int(dayCount);
    partTimeTo = partTimeFrom + random.between(15, 40);
  }

  // Reception children may start part time in their first week (not of compulsory school age).
  const staggered = pupil.row.nc_year === 0 && random.chance(0.4);

  const recentFrom = dayCount - 20; // last four weeks: some pupils' attendance is getting worse
  const notYetProvidedFrom = dayCount - 7;
  const religious = ['AIND', 'APKN', 'ABAN', 'OOTH', 'BAFR'].includes(pupil.row.ethnicity);
  const a = profile.rate;
  const baseStart = a / (a + profile.meanEpisodeDays * (1 - a));
  let remaining = 0;
  let episodeCode = 0;

  for (let d = 0; d < dayCount; d++) {
    if (attendSegment[d]! < 0 || fixed[d]) {
      if (fixed[d]) remaining = 0;
      continue;
    }
    if (remaining > 0) {
      remaining--;
      setDay(d, episodeCode, episodeCode);
      continue;
    }
    let q = baseStart * SEASON[frame.month[d]!]!;
    if (profile.worsening && d >= recentFrom) q *= 2.5;
    if (random.next() < q) {
      const unauthorised = random.next() < profile.unauthorisedShare;
      let length: number;
      if (profile.severe) {
        episodeCode = unauthorised ? M.other : M.illness;
        length = random.between(2, 7);
      } else if (unauthorised) {
        const r = random.next();
        if (r < 0.2) {
          // Missed the afternoon only.
          setDay(d, lateOrPresent(profile, random), M.other);
          continue;
        }
        episodeCode = d >= notYetProvidedFrom && random.chance(0.7) ? M.notYetProvided : M.other;
        length = r < 0.72 ? 1 : r < 0.92 ? 2 : 3;
      } else {
        const r = random.next();
        if (r < 0.12) {
          // A medical appointment takes one session.
          if (random.chance(0.5)) setDay(d, M.medical, M.pm);
          else setDay(d, lateOrPresent(profile, random), M.medical);
          continue;
        }
        if (r < 0.16) {
          episodeCode = M.exceptional;
          length = 1;
        } else if (r < 0.18 && religious) {
          episodeCode = M.religious;
          length = 1;
        } else {
          episodeCode = M.illness;
          const l = random.next();
          length = l < 0.45 ? 1 : l < 0.7 ? 2 : l < 0.85 ? 3 : l < 0.93 ? 4 : 5;
        }
      }
      remaining = length - 1;
      setDay(d, episodeCode, episodeCode);
      continue;
    }
    let pm: number = M.pm;
    if (d >= partTimeFrom && d < partTimeTo) pm = M.partTime;
    else if (staggered && d < 5) pm = M.notCompulsory;
    if (random.next() < 0.003) setDay(d, M.visit, M.visit);
    else setDay(d, lateOrPresent(profile, random), pm);
  }

  const rows: AttendanceRow[] = [];
  pupil.segments.forEach((segment, s) => {
    const buffer = buffers[s]!;
    const urn = plan.schools[segment.schoolIndex]!.urn;
    for (let w = 0; w < weekCount; w++) {
      const base = w * SESSIONS_PER_WEEK;
      let any = false;
      for (let k = 0; k < SESSIONS_PER_WEEK; k++) if (buffer[base + k] !== M.none) any = true;
      if (!any) continue;
      rows.push({ pupil_id: pupil.row.id, school_urn: urn, week_start: frame.weeks[w]!, marks: weekText(buffer, base) });
    }
  });
  return rows;
}

/** Ten marks as text; explicit arguments are much faster than spreading a typed array. */
function weekText(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!, b[i + 8]!, b[i + 9]!);
}

function attendsOn(attendSegment: Int16Array, day: number, segment: number): boolean {
  return attendSegment[day] === segment;
}

function lateOrPresent(profile: AbsenceProfile, random: Random): number {
  if (random.next() >= profile.late) return M.am;
  // Most late pupils arrive before the register closes (L, present); some after (U, unauthorised).
  return random.chance(0.12) ? M.lateAfterClose : M.late;
}
