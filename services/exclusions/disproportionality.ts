import type { SchoolCalendar } from '../calendar/school-calendar';
import { mondayOf } from '../calendar/dates';
import { ETHNICITY_CODES } from '../domain/dfe-codes';
import type { DisproportionalityGroup, DistrictAlert, RuleEnrolment, RuleExclusion, RulePupil, RuleSchool } from './alert-types';
import { resolveRuleSettings, type RuleSettings } from './rule-settings';

/**
 * Weekly disproportionality check, per district. Method (DfE-style rates, a local choice where the
 * reference is silent): suspensions at the district's schools from the start of the academic year
 * to today, per 100 pupils on roll there today (single or main registration, so dual-registered
 * pupils count once), for pupils in a group against all other pupils. Groups: SEN (EHC plan or SEN
 * support), FSM, and each DfE main ethnicity code (refused / not obtained are never flagged).
 */

export interface DisproportionalityInput {
  today: string;
  calendar: SchoolCalendar;
  pupils: readonly RulePupil[];
  enrolments: readonly RuleEnrolment[];
  schools: readonly RuleSchool[];
  exclusions: readonly RuleExclusion[];
  settings?: RuleSettings;
}

export interface DistrictGroupRate {
  districtId: number;
  group: DisproportionalityGroup;
  groupPupils: number;
  groupSuspensions: number;
  restPupils: number;
  restSuspensions: number;
}

const NOT_FLAGGED_ETHNICITIES = new Set(['REFU', 'NOBT']);

function groupKey(group: DisproportionalityGroup): string {
  return group.kind === 'ethnicity' ? `ethnicity-${group.code}` : group.kind;
}

function groupsOf(pupil: RulePupil): DisproportionalityGroup[] {
  const groups: DisproportionalityGroup[] = [];
  if (pupil.sen_provision === 'E' || pupil.sen_provision === 'K') groups.push({ kind: 'sen' });
  if (pupil.fsm === 1) groups.push({ kind: 'fsm' });
  if (pupil.ethnicity in ETHNICITY_CODES && !NOT_FLAGGED_ETHNICITIES.has(pupil.ethnicity)) groups.push({ kind: 'ethnicity', code: pupil.ethnicity });
  return groups;
}

/** Counts per district and group; exported so digests can show the figures behind a flag. */
function districtGroupRates(input: DisproportionalityInput, settings: RuleSettings, periodStart: string): DistrictGroupRate[] {
  const districtOf = new Map<number, number>();
  for (const s of input.schools) districtOf.set(s.urn, s.district_id);
  const pupilById = new Map<number, RulePupil>();
  for (const p of input.pupils) pupilById.set(p.id, p);

  interface Tally {
    pupils: number;
    suspensions: number;
    groups: Map<string, { group: DisproportionalityGroup; pupils: number; suspensions: number }>;
  }
  const tallies = new Map<number, Tally>();
  const tallyFor = (districtId: number): Tally => {
    let tally = tallies.get(districtId);
    if (!tally) tallies.set(districtId, (tally = { pupils: 0, suspensions: 0, groups: new Map() }));
    return tally;
  };
  // Group keys per distinct flag combination, not per pupil: a county has a few hundred combinations.
  const groupCache = new Map<string, { key: string; group: DisproportionalityGroup }[]>();
  const groupsFor = (pupil: RulePupil) => {
    const signature = `${pupil.sen_provision}${pupil.fsm}${pupil.ethnicity}`;
    let groups = groupCache.get(signature);
    if (!groups) groupCache.set(signature, (groups = groupsOf(pupil).map((group) => ({ key: groupKey(group), group }))));
    return groups;
  };
  const add = (districtId: number, pupil: RulePupil, pupils: number, suspensions: number) => {
    const tally = tallyFor(districtId);
    tally.pupils += pupils;
    tally.suspensions += suspensions;
    for (const { key, group } of groupsFor(pupil)) {
      let entry = tally.groups.get(key);
      if (!entry) tally.groups.set(key, (entry = { group, pupils: 0, suspensions: 0 }));
      entry.pupils += pupils;
      entry.suspensions += suspensions;
    }
  };

  const counted = new Map<number, Set<number>>();
  for (const e of input.enrolments) {
    if (e.registration === 'S') continue;
    if (e.start_date > input.today || (e.end_date !== null && e.end_date < input.today)) continue;
    const districtId = districtOf.get(e.school_urn);
    const pupil = pupilById.get(e.pupil_id);
    if (districtId === undefined || !pupil) continue;
    let seen = counted.get(districtId);
    if (!seen) counted.set(districtId, (seen = new Set()));
    if (seen.has(e.pupil_id)) continue; // two current main registrations in one district: count once
    seen.add(e.pupil_id);
    add(districtId, pupil, 1, 0);
  }
  for (const x of input.exclusions) {
    if (x.category === 'PERM' || (x.category === 'LUNC' && !settings.disproportionalityIncludesLunchtimes)) continue;
    if (x.start_date < periodStart || x.start_date > input.today) continue;
    const districtId = districtOf.get(x.school_urn);
    const pupil = pupilById.get(x.pupil_id);
    if (districtId === undefined || !pupil) continue;
    add(districtId, pupil, 0, 1);
  }

  const rates: DistrictGroupRate[] = [];
  for (const [districtId, tally] of [...tallies].sort((a, b) => a[0] - b[0])) {
    for (const entry of [...tally.groups.values()].sort((a, b) => groupKey(a.group).localeCompare(groupKey(b.group)))) {
      rates.push({
        districtId,
        group: entry.group,
        groupPupils: entry.pupils,
        groupSuspensions: entry.suspensions,
        restPupils: tally.pupils - entry.pupils,
        restSuspensions: tally.suspensions - entry.suspensions,
      });
    }
  }
  return rates;
}

const per100 = (suspensions: number, pupils: number) => (pupils === 0 ? 0 : (suspensions / pupils) * 100);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Basis: Equality Act 2010 s.149 (public sector equality duty) - monitor groups over-represented in suspensions. */
export function evaluateDisproportionality(input: DisproportionalityInput): DistrictAlert[] {
  const settings = input.settings ?? resolveRuleSettings();
  const periodStart = input.calendar.academicYearStart(input.today);
  const weekStart = mondayOf(input.today);
  const alerts: DistrictAlert[] = [];
  for (const rate of districtGroupRates(input, settings, periodStart)) {
    if (rate.groupPupils < settings.disproportionalityMinGroupPupils) continue;
    if (rate.groupSuspensions < settings.disproportionalityMinGroupSuspensions) continue;
    const groupRate = per100(rate.groupSuspensions, rate.groupPupils);
    const restRate = per100(rate.restSuspensions, rate.restPupils);
    // With no suspensions among the rest, any qualifying group rate is disproportionate.
    const ratio = restRate === 0 ? null : groupRate / restRate;
    if (ratio !== null && ratio <= settings.disproportionalityRatio) continue;
    if (rate.restPupils === 0) continue; // the whole district is in the group: nothing to compare
    alerts.push({
      scope: 'district',
      rule: 'disproportionality',
      districtId: rate.districtId,
      weekStart,
      periodStart,
      periodEnd: input.today,
      group: rate.group,
      groupPupils: rate.groupPupils,
      groupSuspensions: rate.groupSuspensions,
      groupRate: round2(groupRate),
      restPupils: rate.restPupils,
      restSuspensions: rate.restSuspensions,
      restRate: round2(restRate),
      ratio: ratio === null ? null : round2(ratio),
      dedupeKey: `disproportionality:d${rate.districtId}:${groupKey(rate.group)}:${weekStart}`,
    });
  }
  return alerts;
}
