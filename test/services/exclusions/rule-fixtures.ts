import { loadCalendar, type SchoolCalendar } from '../../../services/calendar/school-calendar';
import type { RuleExclusion, RulePupil } from '../../../services/exclusions/alert-types';

/** Shared builders for the exclusion rule tests. Dates use the shipped sample calendar. */
let calendar: SchoolCalendar | undefined;
export function sampleCalendar(): SchoolCalendar {
  return (calendar ??= loadCalendar());
}

export const TODAY = '2026-11-25';
/** No closures. */
export const SCHOOL_A = 120010;
export const SCHOOL_B = 120020;
/** Closed on Fri 27 and Mon 30 November 2026 in the sample calendar. */
export const SCHOOL_CLOSING = 120001;

let nextId = 1000;

export function pupil(overrides: Partial<RulePupil> = {}): RulePupil {
  return { id: nextId++, sen_provision: 'N', looked_after: 0, social_worker: 'N', fsm: 0, ethnicity: 'WBRI', ...overrides };
}

export function exclusion(p: RulePupil, overrides: Partial<RuleExclusion> & Pick<RuleExclusion, 'start_date'>): RuleExclusion {
  return {
    id: nextId++,
    pupil_id: p.id,
    school_urn: SCHOOL_A,
    category: 'SUSP',
    sessions: 2,
    notified_date: overrides.start_date,
    missed_public_exam: 0,
    ...overrides,
  };
}
