/**
 * The figures the demo county is drawn from. National rates are England 2023/24 (DfE, Explore
 * Education Statistics; see ../shared/reference/domain-facts.md section E); Lincolnshire facts are
 * from section E.3. Where a figure is a judgement for realism rather than a statistic, it says so.
 */

export const DEMO_LA = { code: '925', name: 'Lincolnshire (demo)' } as const;
export const DEMO_LA_NUMBER = 925;

/** The seven district councils; weights are approximate 2021 census populations (thousands). */
export const DEMO_DISTRICTS: readonly { name: string; population: number; rurality: number; fsm: number }[] = [
  // rurality: more, smaller village schools per pupil (a judgement from the county's settlement pattern).
  // fsm: share of pupils eligible for free school meals; the coast and the towns run above the county.
  { name: 'Boston', population: 70.5, rurality: 0.9, fsm: 0.3 },
  { name: 'East Lindsey', population: 142, rurality: 1.35, fsm: 0.31 },
  { name: 'Lincoln', population: 104, rurality: 0.65, fsm: 0.32 },
  { name: 'North Kesteven', population: 118, rurality: 1.1, fsm: 0.17 },
  { name: 'South Holland', population: 95, rurality: 1.0, fsm: 0.24 },
  { name: 'South Kesteven', population: 143, rurality: 1.0, fsm: 0.18 },
  { name: 'West Lindsey', population: 95, rurality: 1.2, fsm: 0.24 },
];

/** Schools per 100,000 pupils (the county has about 360 schools for ~100,000 pupils, E.3). */
export const SCHOOLS_PER_100K = { primary: 294, secondary: 52, special: 10, alternative_provision: 4 } as const;

/** Shares of pupils by kind of school (England: about 51% primary, 46% secondary, 2% special, AP small). */
export const PUPIL_SHARE = { primary: 0.516, secondary: 0.465, special: 0.016, alternative_provision: 0.003 } as const;

/** England 2023/24, per 100 pupils per academic year (E.1). */
export const SUSPENSIONS_PER_100 = 11.31;
export const PERMANENT_EXCLUSIONS_PER_100 = 0.13;

/** England 2023/24 absence (E.2): the generator is tuned to land near these. */
export const ABSENCE_TARGETS = { overall: 0.071, unauthorised: 0.025, persistent: 0.2, severe: 0.023 } as const;

/** The 45-school-day yearly cap on suspensions (A.2). */
export const SUSPENSION_DAY_CAP = 45;

/** School-census SEN shares, England January 2024: EHC plan about 4.8%, SEN support about 13.6%. */
export const SEN_TARGETS = { ehcPlan: 0.048, senSupport: 0.136 } as const;
