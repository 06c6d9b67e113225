/**
 * DfE code lists used across imports, rules and cards. Kept as data so a new census year can
 * change them in one place.
 */

/** School census main ethnicity codes. */
export const ETHNICITY_CODES = {
  WBRI: 'White British',
  WIRI: 'White Irish',
  WIRT: 'Traveller of Irish heritage',
  WROM: 'Gypsy/Roma',
  WOTH: 'Any other White background',
  MWBC: 'White and Black Caribbean',
  MWBA: 'White and Black African',
  MWAS: 'White and Asian',
  MOTH: 'Any other mixed background',
  AIND: 'Indian',
  APKN: 'Pakistani',
  ABAN: 'Bangladeshi',
  AOTH: 'Any other Asian background',
  BCRB: 'Black Caribbean',
  BAFR: 'Black African',
  BOTH: 'Any other Black background',
  CHNE: 'Chinese',
  OOTH: 'Any other ethnic group',
  REFU: 'Refused',
  NOBT: 'Information not yet obtained',
} as const;
export type EthnicityCode = keyof typeof ETHNICITY_CODES;

/** Exclusion reason codes used in the census since the 2020/21 reform (up to three per exclusion). */
export const EXCLUSION_REASON_CODES = {
  PP: 'Physical assault against a pupil',
  PA: 'Physical assault against an adult',
  VP: 'Verbal abuse or threatening behaviour against a pupil',
  VA: 'Verbal abuse or threatening behaviour against an adult',
  OW: 'Use or threat of use of an offensive weapon or prohibited item',
  BU: 'Bullying',
  RA: 'Racist abuse',
  LG: 'Abuse against sexual orientation and gender identity',
  DS: 'Abuse relating to disability',
  SM: 'Sexual misconduct',
  DA: 'Drug and alcohol related',
  DM: 'Damage',
  TH: 'Theft',
  DB: 'Persistent or general disruptive behaviour',
  MT: 'Inappropriate use of social media or online technology',
  PH: 'Wilful and repeated transgression of public health measures',
} as const;
export type ExclusionReasonCode = keyof typeof EXCLUSION_REASON_CODES;

export const SEN_PROVISION_LABELS = { E: 'EHC plan', K: 'SEN support', N: 'No SEN' } as const;

/** Accepted spellings of exclusion categories. FIXD is the older census word for a suspension. */
export const EXCLUSION_CATEGORY_ALIASES: Record<string, 'SUSP' | 'PERM' | 'LUNC'> = {
  SUSP: 'SUSP',
  FIXD: 'SUSP',
  PERM: 'PERM',
  LUNC: 'LUNC',
  LNCH: 'LUNC',
};
