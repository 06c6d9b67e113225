import type { ExclusionCategory } from '../../services/store/database';
import { DISTRICT_NEIGHBOURS, type CountyPlan, type PlannedSchool } from './county-plan';
import { PERMANENT_EXCLUSIONS_PER_100, SUSPENSION_DAY_CAP, SUSPENSIONS_PER_100 } from './demo-rates';
import type { DemoPupil } from './pupil-generator';
import { Random, weightedSample, WeightedTable } from './random';
import { schoolClosures, segmentRange, type YearWindow } from './year-window';

/** One generated exclusion; `dayIndex` is the start day's position in the window's school days. */
export interface PlannedExclusion {
  pupilId: number;
  schoolIndex: number;
  category: ExclusionCategory;
  dayIndex: number;
  sessions: number;
  reasons: string;
  notifiedDate: string | null;
  missedPublicExam: 0 | 1;
  createdAt: string;
  /** The head's decision, when it was the school day before the start (null: the start date). */
  decisionDate?: string | null;
  /** A suspension the head withdrew, from this school day on. */
  withdrawnFrom?: string | null;
  /** For a permanent exclusion: the governors' decision and the independent review so far. */
  review?: PlannedReview | null;
}

/** Review steps of a permanent exclusion (issue 9), each null until it has happened. */
export interface PlannedReview {
  governors_decision: 'upheld';
  governors_meeting_date: string;
  governors_notified_date: string;
  irp_applied_date: string | null;
  irp_sen_expert: 0 | 1 | null;
  irp_outcome: 'upheld' | 'recommended' | 'quashed' | null;
  irp_decision_notified_date: string | null;
  reconsidered_date: string | null;
}

export interface ExclusionResult {
  exclusions: PlannedExclusion[];
  /** Pupil id -> their exclusions in date order (for attendance marks). */
  byPupil: Map<number, PlannedExclusion[]>;
  /** Pupil id -> the day index their permanent exclusion started (attendance: E then K). */
  permanentDay: Map<number, number>;
}

// Reasons: persistent disruptive behaviour is half of suspension reasons and about a third of
// permanent exclusion reasons (E.1, autumn 2023/24); the rest are spread as in the national series.
const SUSPENSION_REASONS = new WeightedTable<string>([
  ['DB', 50], ['VA', 12], ['PA', 9], ['VP', 8], ['PP', 7], ['DA', 3], ['DM', 3], ['BU', 2], ['OW', 1.5],
  ['MT', 1.5], ['RA', 1], ['SM', 0.6], ['TH', 0.6], ['LG', 0.4], ['DS', 0.2],
]);
const PERMANENT_REASONS = new WeightedTable<string>([
  ['DB', 36], ['PA', 15], ['OW', 10], ['DA', 10], ['VA', 9], ['PP', 8], ['SM', 4], ['VP', 3], ['DM', 2], ['BU', 1.5], ['TH', 1], ['RA', 0.5],
]);

/** Suspension lengths in sessions (one day = two). Mostly one day; a few longer than five days. */
const SECONDARY_LENGTHS = new WeightedTable<number>([
  [1, 6], [2, 50], [3, 3], [4, 15], [6, 11], [8, 3], [10, 5], [12, 1.2], [14, 0.8], [16, 0.5], [20, 0.5],
]);
const PRIMARY_LENGTHS = new WeightedTable<number>([
  [1, 18], [2, 55], [3, 3], [4, 12], [6, 8], [10, 2], [12, 0.5],
]);

/**
 * Suspensions and permanent exclusions for the year to date. The county total follows England's
 * 2023/24 rates pro rata for the school days gone; who is excluded follows each pupil's behaviour
 * propensity (higher for SEN, FSM, boys, Years 9-10 and some ethnic groups). For the demo, a few
 * pupils are near the 45-day cap, some long suspensions have just started (day-6 duties) and a few
 * permanent exclusions fall in the last school days.
 */
export function generateExclusions(plan: CountyPlan, pupils: DemoPupil[], window: YearWindow, seed: string | number): ExclusionResult {
  const random = new Random(seed, 'exclusions');
  const days = window.days;
  const result: ExclusionResult = { exclusions: [], byPupil: new Map(), permanentDay: new Map() };
  if (days.length === 0) return result;
  const { schools } = plan;
  const last = days.length - 1;
  const closed = schoolClosures(plan, window);
  const rolls = new Map<number, RollDay[]>();
  // Materialised only for the pupils who need day-by-day placement; lengths come from the ranges.
  const rollOf = (pupil: DemoPupil) => {
    let roll = rolls.get(pupil.row.id);
    if (!roll) rolls.set(pupil.row.id, (roll = mainRollDays(pupil, window, closed)));
    return roll;
  };

  // Permanent exclusions first: a pupil's suspensions come before it.
  const permanentTarget = Math.max(1, Math.round((pupils.length * PERMANENT_EXCLUSIONS_PER_100 * window.fractionOfYear) / 100));
  const pexCandidates = pupils.filter((p) => {
    const kind = schools[p.schoolIndex]!.kind;
    return (kind === 'primary' || kind === 'secondary') && p.row.nc_year >= 3 && p.row.nc_year <= 11 && !p.joinedThisYear && !p.dual;
  });
  // Pupils with EHC plans are about one in ten permanent exclusions nationally (E.1), above their share
  // of pupils even though heads should avoid it (A.6); looked-after children are rarely excluded.
  const pexWeight = (p: DemoPupil) => p.behaviour * (p.row.sen_provision === 'E' ? 2 : 1) * (p.row.looked_after ? 0.3 : 1);
  const permanent = weightedSample(pexCandidates, pexWeight, permanentTarget, random);
  const recentCount = Math.min(permanent.length, Math.max(1, Math.round(permanent.length * 0.12)));
  permanent.forEach((pupil, i) => {
    const roll = rollOf(pupil);
    if (roll.length === 0) return;
    // The first few fall in the last five school days, so alerts have something current to show.
    const from = i < recentCount ? Math.max(0, last - 4) : 0;
    const choices = roll.filter((r) => r.dayIndex >= from);
    const day = choices.length > 0 ? random.pick(choices) : roll[roll.length - 1]!;
    result.permanentDay.set(pupil.row.id, day.dayIndex);
    add(result, pupil, {
      schoolIndex: day.schoolIndex,
      category: 'PERM',
      dayIndex: day.dayIndex,
      sessions: 0,
      reasons: drawReasons(PERMANENT_REASONS, random),
      ...notification(day.dayIndex, window, random, 0.8),
      missedPublicExam: 0,
    });
  });

  // Suspensions: expected counts proportional to propensity x time on roll, scaled to the target.
  const target = (pupils.length * SUSPENSIONS_PER_100 * window.fractionOfYear) / 100;
  let weightSum = 0;
  const rollLength = new Map<number, number>();
  for (const pupil of pupils) {
    const length = mainRollLength(pupil, window);
    rollLength.set(pupil.row.id, length);
    weightSum += pupil.behaviour * (length / days.length);
  }
  const scale = weightSum > 0 ? target / weightSum : 0;

  const nearCap = new Set<number>();
  const capCandidates = pupils
    .filter((p) => schools[p.schoolIndex]!.kind === 'secondary' && !p.joinedThisYear && !p.dual && !result.permanentDay.has(p.row.id))
    .sort((a, b) => b.behaviour - a.behaviour || a.row.id - b.row.id);
  const capCount = days.length >= 30 ? Math.max(2, Math.round(pupils.length / 20_000)) : 0;
  for (const pupil of capCandidates.slice(0, capCount)) {
    nearCap.add(pupil.row.id);
    placeNearCap(result, pupil, rollOf(pupil), window, random);
  }

  for (const pupil of pupils) {
    if (nearCap.has(pupil.row.id)) continue;
    const length = rollLength.get(pupil.row.id)!;
    if (length === 0) continue;
    const pexDay = result.permanentDay.get(pupil.row.id);
    let count = random.poisson(scale * pupil.behaviour * (length / days.length));
    // Most permanent exclusions follow earlier suspensions.
    if (pexDay !== undefined && count === 0 && random.chance(0.75)) count = 1;
    if (count === 0) continue;
    let roll = rollOf(pupil);
    if (pexDay !== undefined) roll = roll.filter((r) => r.dayIndex < pexDay);
    if (roll.length === 0) continue;
    placeSuspensions(result, pupil, roll, count, schools, window, random);
  }

  // A few long suspensions that began in the last three school days: day-6 provision is due soon.
  const longCount = Math.max(1, Math.round(pupils.length / 30_000));
  const longCandidates = pupils.filter((p) => {
    const kind = schools[p.schoolIndex]!.kind;
    if (kind !== 'secondary' || nearCap.has(p.row.id) || result.permanentDay.has(p.row.id) || p.dual) return false;
    const current = p.segments[p.segments.length - 1]!;
    return current.end === null && segmentRange(current, window)[0] <= last - 2;
  });
  for (const pupil of weightedSample(longCandidates, (p) => p.behaviour, longCount, random)) {
    const existing = result.byPupil.get(pupil.row.id) ?? [];
    const startDay = Math.max(0, last - random.between(0, 2));
    // Keep the record consistent: nothing of theirs may overlap the new period.
    const kept = existing.filter((x) => x.dayIndex + Math.ceil(x.sessions / 2) <= startDay);
    const used = kept.reduce((s, x) => s + x.sessions / 2, 0);
    const sessions = Math.min(2 * random.between(6, 10), 2 * Math.floor(SUSPENSION_DAY_CAP - used));
    if (sessions <= 10) continue;
    replacePupilExclusions(result, pupil.row.id, kept);
    add(result, pupil, {
      schoolIndex: pupil.segments[pupil.segments.length - 1]!.schoolIndex,
      category: 'SUSP',
      dayIndex: startDay,
      sessions,
      reasons: drawReasons(SUSPENSION_REASONS, random),
      ...notification(startDay, window, random, 0.6),
      missedPublicExam: 0,
    });
  }

  for (const list of result.byPupil.values()) list.sort((a, b) => a.dayIndex - b.dayIndex);
  result.exclusions = [...result.byPupil.values()].flat().sort((a, b) => a.dayIndex - b.dayIndex || a.pupilId - b.pupilId);
  for (const exclusion of result.exclusions) {
    // Recorded during the school day it was notified (or, if not yet notified, the day it started).
    const day = exclusion.notifiedDate ?? days[exclusion.dayIndex]!;
    const minutes = random.between(8 * 60, 17 * 60 - 1);
    exclusion.createdAt = `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00.000Z`;
  }
  movePermanentlyExcluded(plan, pupils, result, window, random);
  addCasework(result, window, random);
  return result;
}

/**
 * Casework a real county shows (issue 9): some heads decide the school day before a suspension
 * starts (the board's clock runs from then), and a few suspensions are withdrawn by the head.
 */
function addCasework(result: ExclusionResult, window: YearWindow, random: Random): void {
  const days = window.days;
  for (const x of result.exclusions) {
    x.decisionDate = null;
    x.withdrawnFrom = null;
    if (x.dayIndex > 0 && random.chance(0.15)) {
      x.decisionDate = days[x.dayIndex - 1]!;
      // Told the LA with the decision, not a day after the start: lateness stays the few drawn above.
      if (x.notifiedDate !== null && x.notifiedDate > days[x.dayIndex]!) x.notifiedDate = days[x.dayIndex]!;
    }
    if (x.category === 'SUSP' && x.sessions >= 4 && x.dayIndex + 1 < days.length && random.chance(0.012)) x.withdrawnFrom = days[x.dayIndex + 1]!;
    if (x.category === 'PERM') x.review = plannedReview(x.dayIndex, days, random);
  }
}

/**
 * Governors meet 8-14 school days after a permanent exclusion and uphold it (parents told the next
 * day); about half of parents apply for an independent review 3-12 school days later (a third ask for
 * an SEN expert); a panel decides 10-14 school days after the application, and a board asked to
 * reconsider does so 5-9 school days later. Steps still in the future are left unrecorded, so some
 * cases are in flight on the demo's today.
 */
function plannedReview(start: number, days: readonly string[], random: Random): PlannedReview | null {
  const last = days.length - 1;
  const meeting = start + random.between(8, 14);
  if (meeting + 1 > last) return null;
  const review: PlannedReview = {
    governors_decision: 'upheld',
    governors_meeting_date: days[meeting]!,
    governors_notified_date: days[meeting + 1]!,
    irp_applied_date: null,
    irp_sen_expert: null,
    irp_outcome: null,
    irp_decision_notified_date: null,
    reconsidered_date: null,
  };
  if (!random.chance(0.5)) return review;
  const applied = meeting + 1 + random.between(3, 12);
  if (applied > last) return review;
  review.irp_applied_date = days[applied]!;
  review.irp_sen_expert = random.chance(0.33) ? 1 : 0;
  const panel = applied + random.between(10, 14);
  if (panel > last) return review;
  const r = random.next();
  review.irp_outcome = r < 0.6 ? 'upheld' : r < 0.9 ? 'recommended' : 'quashed';
  review.irp_decision_notified_date = days[panel]!;
  const reconsidered = panel + random.between(5, 9);
  if (review.irp_outcome !== 'upheld' && reconsidered <= last) review.reconsidered_date = days[reconsidered]!;
  return review;
}

interface RollDay {
  dayIndex: number;
  schoolIndex: number;
  /** Index of the segment, so a suspension never runs across a change of school. */
  segment: number;
  /** The segment has ended: days after its last one are not available. */
  lastDayIndex: number;
}

/** How many window days the pupil is on a main roll. */
function mainRollLength(pupil: DemoPupil, window: YearWindow): number {
  let length = 0;
  for (const segment of pupil.segments) {
    if (segment.registration === 'S') continue;
    const [lo, hi] = segmentRange(segment, window);
    if (hi >= lo) length += hi - lo + 1;
  }
  return length;
}

/** The window days on a main (single or main dual) roll, with the school for each. */
function mainRollDays(pupil: DemoPupil, window: YearWindow, closed: Map<number, Set<number>>): RollDay[] {
  const out: RollDay[] = [];
  pupil.segments.forEach((segment, s) => {
    if (segment.registration === 'S') return;
    const [lo, hi] = segmentRange(segment, window);
    const lastDayIndex = segment.end === null ? Number.POSITIVE_INFINITY : hi;
    // Days the school is closed are not on offer: an exclusion starts on one of the school's own days.
    const shut = closed.get(segment.schoolIndex);
    for (let d = lo; d <= hi; d++) if (!shut?.has(d)) out.push({ dayIndex: d, schoolIndex: segment.schoolIndex, segment: s, lastDayIndex });
  });
  return out;
}

function placeSuspensions(
  result: ExclusionResult,
  pupil: DemoPupil,
  roll: RollDay[],
  count: number,
  schools: PlannedSchool[],
  window: YearWindow,
  random: Random,
): void {
  const primary = schools[pupil.schoolIndex]!.kind === 'primary';
  const starts = Array.from({ length: count }, () => random.int(roll.length)).sort((a, b) => a - b);
  let usedDays = (result.byPupil.get(pupil.row.id) ?? []).reduce((s, x) => s + x.sessions / 2, 0);
  let nextFree = 0; // first roll position not yet covered
  for (const chosen of starts) {
    const position = Math.max(chosen, nextFree);
    if (position >= roll.length) break;
    const day = roll[position]!;
    const lunchtime = random.chance(0.06);
    let sessions = lunchtime ? 1 : (primary ? PRIMARY_LENGTHS : SECONDARY_LENGTHS).sample(random);
    // A suspension stays within one stretch on roll; an ended stretch limits its length.
    const daysLeft = day.lastDayIndex - day.dayIndex + 1;
    const needed = lunchtime ? 1 : Math.ceil(sessions / 2);
    if (needed > daysLeft) sessions = Math.max(1, 2 * daysLeft);
    // The 45-day cap (A.2): a lunchtime counts as half a day.
    if (usedDays + sessions / 2 > SUSPENSION_DAY_CAP) break;
    usedDays += sessions / 2;
    const length = lunchtime ? 1 : Math.ceil(sessions / 2);
    nextFree = position + length;
    const apDay = pupil.dual !== null && pupil.dual.weekdays.includes(weekdayOf(window.days[day.dayIndex]!)) && onApRoll(pupil, day.dayIndex, window);
    add(result, pupil, {
      schoolIndex: apDay ? pupil.dual!.apIndex : day.schoolIndex,
      category: lunchtime ? 'LUNC' : 'SUSP',
      dayIndex: day.dayIndex,
      sessions,
      reasons: drawReasons(SUSPENSION_REASONS, random),
      ...notification(day.dayIndex, window, random, 0.65),
      missedPublicExam: missedExam(pupil, window.days[day.dayIndex]!, sessions, random),
    });
  }
}

/** Whether the pupil's alternative provision placement has started (and not ended) on that day: only then can the AP exclude. */
function onApRoll(pupil: DemoPupil, dayIndex: number, window: YearWindow): boolean {
  return pupil.segments.some((segment) => {
    if (segment.registration !== 'S' || segment.schoolIndex !== pupil.dual!.apIndex) return false;
    const [lo, hi] = segmentRange(segment, window);
    return dayIndex >= lo && dayIndex <= hi;
  });
}

/** A pupil suspended again and again: totals between 36 and 44 days, short of the 45-day cap. */
function placeNearCap(result: ExclusionResult, pupil: DemoPupil, roll: RollDay[], window: YearWindow, random: Random): void {
  const goal = Math.min(random.between(36, 44), Math.floor(roll.length * 0.8));
  let total = 0;
  let position = random.between(0, 2);
  let longDone = false;
  while (total < goal && position < roll.length) {
    let length = Math.min(random.between(3, 5), goal - total);
    if (!longDone && goal - total >= 6 && random.chance(0.3)) {
      length = 6;
      longDone = true;
    }
    const day = roll[position]!;
    add(result, pupil, {
      schoolIndex: day.schoolIndex,
      category: 'SUSP',
      dayIndex: day.dayIndex,
      sessions: 2 * length,
      reasons: drawReasons(SUSPENSION_REASONS, random),
      ...notification(day.dayIndex, window, random, 0.65),
      missedPublicExam: 0,
    });
    total += length;
    position += length + random.between(1, 2);
  }
}

function add(result: ExclusionResult, pupil: DemoPupil, fields: Omit<PlannedExclusion, 'pupilId' | 'createdAt'>): void {
  const exclusion: PlannedExclusion = { pupilId: pupil.row.id, ...fields, createdAt: '' };
  const list = result.byPupil.get(pupil.row.id) ?? [];
  // One record per pupil, school, category and start date (the table's natural key).
  if (list.some((x) => x.dayIndex === exclusion.dayIndex && x.schoolIndex === exclusion.schoolIndex && x.category === exclusion.category)) return;
  list.push(exclusion);
  result.byPupil.set(pupil.row.id, list);
}

function replacePupilExclusions(result: ExclusionResult, pupilId: number, kept: PlannedExclusion[]): void {
  result.byPupil.set(pupilId, [...kept]);
}

/** Up to three distinct reasons, the main one first (census allows three). */
function drawReasons(table: WeightedTable<string>, random: Random): string {
  const wanted = random.chance(0.78) ? 1 : random.chance(0.77) ? 2 : 3;
  const reasons: string[] = [];
  for (let i = 0; i < 20 && reasons.length < wanted; i++) {
    const reason = table.sample(random);
    if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons.join(';');
}

/**
 * Lincolnshire asks schools to tell the LA within 24 hours: most do so the same day or the next,
 * a few later (about 3%: "reported late"), a few not yet. A date after yesterday has not happened
 * yet, so it is left empty.
 */
function notification(dayIndex: number, window: YearWindow, random: Random, sameDay: number): { notifiedDate: string | null } {
  const r = random.next();
  const lag = r < sameDay ? 0 : r < 0.95 ? 1 : r < 0.98 ? random.between(2, 4) : -1;
  const start = window.days[dayIndex]!;
  let notifiedDate: string | null = null;
  if (lag === 0) notifiedDate = start;
  else if (lag > 0) {
    const target = dayIndex + lag;
    notifiedDate = target < window.days.length ? window.days[target]! : null;
  }
  return { notifiedDate };
}

/** GCSE English and maths resits run in early November: a Year 12-13 suspension then may miss one. */
function missedExam(pupil: DemoPupil, start: string, sessions: number, random: Random): 0 | 1 {
  const year = pupil.row.nc_year;
  const resits = start.slice(5, 7) === '11' && start.slice(8) >= '02' && start.slice(8) <= '13';
  return year >= 12 && resits && sessions >= 2 && random.chance(0.3) ? 1 : 0;
}

function weekdayOf(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/**
 * After a permanent exclusion the LA arranges AP from day 6 (A.4); once the review window has passed
 * the pupil leaves the excluding school's roll and joins an AP's. Recent ones are still on roll.
 */
function movePermanentlyExcluded(plan: CountyPlan, pupils: DemoPupil[], result: ExclusionResult, window: YearWindow, random: Random): void {
  const aps = plan.schools.filter((s) => s.kind === 'alternative_provision');
  if (aps.length === 0) return;
  const byId = new Map(pupils.map((p) => [p.row.id, p]));
  for (const [pupilId, pexDay] of result.permanentDay) {
    const pupil = byId.get(pupilId)!;
    const remaining = window.days.length - 1 - pexDay;
    if (remaining < 22) continue;
    const endIndex = pexDay + 5 + random.between(10, Math.min(20, remaining - 8));
    const home = plan.schools[pupil.schoolIndex]!;
    const order = DISTRICT_NEIGHBOURS[plan.districts[home.districtIndex]!.name]!;
    const ap =
      order.map((name) => aps.find((s) => plan.districts[s.districtIndex]!.name === name)).find((s) => s !== undefined) ?? aps[0]!;
    const current = pupil.segments[pupil.segments.length - 1]!;
    current.end = window.days[endIndex]!;
    pupil.segments.push({ schoolIndex: ap.index, start: window.days[endIndex + 1]!, end: null, registration: 'C' });
    pupil.moved = true;
  }
}
