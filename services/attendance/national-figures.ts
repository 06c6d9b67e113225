/**
 * England absence figures for comparison on cluster cards: state-funded schools, full academic
 * year 2023/24, as DfE published them (reference E.2, secondary source; autumn-term figures by
 * characteristic from the EES week-6 release). Rates are fractions of possible sessions, PA/SA
 * fractions of pupils. A cluster's year-to-date figure is not the same period: the card says so.
 */
export interface NationalAbsence {
  label: string;
  absenceRate: number;
  unauthorisedRate: number;
  persistentRate: number;
  severeRate: number;
}

export const ENGLAND_2023_24: NationalAbsence = {
  label: 'England 2023/24',
  absenceRate: 0.071,
  unauthorisedRate: 0.025,
  persistentRate: 0.2,
  severeRate: 0.023,
};

/** Cohort comparisons where a national figure is known (autumn 2023/24); absent keys have none. */
export const ENGLAND_COHORT_2023_24: Partial<Record<'ehcp' | 'sen_support' | 'fsm', { absenceRate?: number; persistentRate?: number }>> = {
  ehcp: { absenceRate: 0.124, persistentRate: 0.346 },
  sen_support: { absenceRate: 0.103 },
  fsm: { absenceRate: 0.104, persistentRate: 0.33 },
};
