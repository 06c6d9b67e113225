/**
 * Statutory points that apply to a particular situation, from facts in the question ("EHCP",
 * "looked after", "third suspension") and/or the pupil's record. Pure functions: no I/O, no dates
 * from a clock. Each rule names its legal basis in one comment line.
 */

export interface SituationFacts {
  ehcPlan?: boolean;
  senSupport?: boolean;
  lookedAfter?: boolean;
  socialWorker?: boolean;
  /** A pastoral support plan is already running. */
  pspInPlace?: boolean;
  /** Number of suspensions this academic year (lunchtimes included). */
  suspensionsThisYear?: number;
  /** School days of suspension this academic year; a lunchtime counts as half a day. */
  suspensionDaysThisYear?: number;
  /** School days of suspension this term. */
  suspensionDaysThisTerm?: number;
  /** Longest single suspension in school days (current or proposed). */
  longestSuspensionDays?: number;
  /** A permanent exclusion is being considered or has happened. */
  permanentExclusion?: boolean;
  /** Any suspension or exclusion is mentioned at all. */
  suspensionMentioned?: boolean;
}

export type PointKind = 'statutory' | 'practice';

export interface SituationPoint {
  id: string;
  /** Why it applies, in a few words, e.g. "EHC plan" or "38 days this year". */
  because: string;
  text: string;
  basis: string;
  kind: PointKind;
}

/** Statutory maximum of suspension days in one academic year, counted across schools. */
const SUSPENSION_CAP_DAYS = 45;
/** Local choice (not statutory): warn when this many days have been used. */
export const CAP_WARNING_DAYS = 35;

// ------------------------------------------------------------------------------------------------
// Reading facts from a question

const COUNT_WORDS: Record<string, number> = {
  one: 1,
  once: 1,
  two: 2,
  twice: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
};

function toNumber(word: string): number | undefined {
  if (/^\d+(\.5)?$/.test(word)) return Number(word);
  return COUNT_WORDS[word];
}

const SUSPENSION = '(?:suspensions?|suspended|fixed[- ]term exclusions?|fixed[- ]period exclusions?|ftes?)';

/**
 * Facts a school leader typically states in a question. Conservative: a fact is set only when the
 * words leave little doubt ("should we do a PSP?" does not mean a PSP is in place).
 */
export function factsFromText(question: string): SituationFacts {
  const t = ` ${question.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ')} `;
  const facts: SituationFacts = {};

  if (/\behcp?s?\b|\behc plan|education,? health (and|&) care plan/.test(t)) facts.ehcPlan = true;
  if (/\bsen(d)? support\b/.test(t)) facts.senSupport = true;
  if (/\blooked[- ]after\b|\blac\b|\bcla\b|\bcic\b|\bchild(ren)? in care\b|\bin (foster )?care\b|\bfoster(ed| carers?| care| placement)\b/.test(t)) {
    facts.lookedAfter = true;
  }
  if (/\bsocial worker\b|\bchild in need\b|\bcin plan\b|\bchild protection\b|\bcp plan\b/.test(t)) facts.socialWorker = true;

  const psp = '(?:psp|pastoral support (?:plan|programme))';
  if (
    new RegExp(`\\b(?:on|has|had|have|with|existing|current|already (?:on|has|have|got)?)\\s+(?:a |an |the |his |her )?${psp}`).test(t) ||
    new RegExp(`\\b${psp}\\s+(?:is |was |has been |had been )?(?:already|in place|running|not working|isn't working|reviews?|reviewed|made no difference|has made|had|has had)`).test(t)
  ) {
    facts.pspInPlace = true;
  }

  if (new RegExp(`\\b${SUSPENSION}\\b`).test(t)) facts.suspensionMentioned = true;
  if (/\bpermanent(ly)? exclu|\bpex\b|\bperm ex\b|\bexpel/.test(t)) {
    facts.permanentExclusion = true;
    facts.suspensionMentioned = true;
  }

  // "3 suspensions", "three fixed-term exclusions", "suspended twice", "suspended 4 times", "third suspension".
  const counts: number[] = [];
  for (const m of t.matchAll(new RegExp(`\\b(\\d+|${Object.keys(COUNT_WORDS).join('|')})\\s+(?:times?\\s+)?${SUSPENSION}`, 'g'))) {
    const n = toNumber(m[1]!);
    if (n !== undefined && !/days?$/.test(m[0])) counts.push(n);
  }
  for (const m of t.matchAll(/\bsuspended\s+(?:him |her |them )?(?:for the )?(\w+)(?:\s+times?)?\b/g)) {
    const word = m[1]!;
    const n = toNumber(word);
    const followedByDays = new RegExp(`suspended\\s+(?:him |her |them )?(?:for the )?${word}\\s+(?:school )?days?`).test(t);
    if (n !== undefined && !followedByDays && (word === 'twice' || word === 'once' || /times?$/.test(m[0]) || /th$|st$|nd$|rd$/.test(word))) counts.push(n);
  }
  if (counts.length) facts.suspensionsThisYear = Math.max(...counts);

  // "38 days of suspension", "20 days suspended this year", "suspended for 6 days".
  for (const m of t.matchAll(new RegExp(`\\b(\\d+(?:\\.5)?)\\s+(?:school )?days?\\s+(?:of\\s+)?(?:${SUSPENSION}|excluded|exclusion)([^.,;]*)`, 'g'))) {
    const days = Number(m[1]);
    if (/this term|in (the|a) term/.test(m[2]!)) facts.suspensionDaysThisTerm = Math.max(facts.suspensionDaysThisTerm ?? 0, days);
    else facts.suspensionDaysThisYear = Math.max(facts.suspensionDaysThisYear ?? 0, days);
  }
  for (const m of t.matchAll(new RegExp(`\\b${SUSPENSION}\\s+(?:him |her |them )?for\\s+(\\d+|${Object.keys(COUNT_WORDS).join('|')})\\s+(?:school )?days?`, 'g'))) {
    const days = toNumber(m[1]!);
    if (days !== undefined) facts.longestSuspensionDays = Math.max(facts.longestSuspensionDays ?? 0, days);
  }
  for (const m of t.matchAll(new RegExp(`\\b(\\d+|${Object.keys(COUNT_WORDS).join('|')})[- ]day\\s+${SUSPENSION}`, 'g'))) {
    const days = toNumber(m[1]!);
    if (days !== undefined) facts.longestSuspensionDays = Math.max(facts.longestSuspensionDays ?? 0, days);
  }
  if (facts.suspensionsThisYear || facts.suspensionDaysThisYear || facts.suspensionDaysThisTerm || facts.longestSuspensionDays) {
    facts.suspensionMentioned = true;
  }
  return facts;
}

// ------------------------------------------------------------------------------------------------
// Reading facts from a pupil's record

export interface PupilRecordFacts {
  sen_provision: 'E' | 'K' | 'N';
  looked_after: 0 | 1;
  social_worker: 'N' | 'CIN' | 'CP';
}

export interface ExclusionRecordFacts {
  category: 'SUSP' | 'PERM' | 'LUNC';
  /** Sessions: one school day is two sessions, a lunchtime is one. */
  sessions: number;
  start_date: string;
}

/** Facts from the pupil row and their exclusions; the dates bound the academic year and term. */
export function factsFromRecord(
  pupil: PupilRecordFacts,
  exclusions: ExclusionRecordFacts[],
  period: { yearStart: string; yearEnd: string; termStart?: string; termEnd?: string },
): SituationFacts {
  const inYear = exclusions.filter((e) => e.start_date >= period.yearStart && e.start_date <= period.yearEnd);
  const suspensions = inYear.filter((e) => e.category !== 'PERM');
  const days = (list: ExclusionRecordFacts[]) => list.reduce((sum, e) => sum + e.sessions / 2, 0);
  const inTerm =
    period.termStart && period.termEnd ? suspensions.filter((e) => e.start_date >= period.termStart! && e.start_date <= period.termEnd!) : [];
  return {
    ehcPlan: pupil.sen_provision === 'E',
    senSupport: pupil.sen_provision === 'K',
    lookedAfter: pupil.looked_after === 1,
    socialWorker: pupil.social_worker !== 'N',
    suspensionsThisYear: suspensions.length,
    suspensionDaysThisYear: days(suspensions),
    suspensionDaysThisTerm: period.termStart ? days(inTerm) : undefined,
    longestSuspensionDays: suspensions.length ? Math.max(...suspensions.map((e) => e.sessions / 2)) : undefined,
    permanentExclusion: inYear.some((e) => e.category === 'PERM') || undefined,
    suspensionMentioned: inYear.length > 0 || undefined,
  };
}

/** Facts from two sources together: a flag set by either holds; the larger count wins. */
export function mergeFacts(a: SituationFacts, b: SituationFacts): SituationFacts {
  const out: SituationFacts = { ...a };
  for (const [key, value] of Object.entries(b) as [keyof SituationFacts, SituationFacts[keyof SituationFacts]][]) {
    if (value === undefined) continue;
    const current = out[key];
    if (typeof value === 'number') (out as Record<string, unknown>)[key] = Math.max(typeof current === 'number' ? current : 0, value);
    else if (value) (out as Record<string, unknown>)[key] = true;
    else if (current === undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Rules

const EXCLUSION_GUIDANCE = 'DfE suspension and permanent exclusion guidance';

type Rule = (f: SituationFacts) => SituationPoint[];

// DfE suspension and permanent exclusion guidance (avoid PEx of EHC plan pupils); Children and Families Act 2014 s.42.
const ehcPlanRule: Rule = (f) =>
  f.ehcPlan
    ? [
        {
          id: 'ehcp-avoid-pex',
          because: 'EHC plan',
          kind: 'statutory',
          text: 'As far as possible, avoid permanently excluding a pupil with an EHC plan. Check the provision in the plan is being delivered in full (the LA must secure it) and consider asking the LA for an early review of the plan.',
          basis: `${EXCLUSION_GUIDANCE}; Children and Families Act 2014 s.42`,
        },
      ]
    : [];

// DfE suspension and permanent exclusion guidance (avoid PEx of looked-after children); 2012 Regulations reg 5 as amended 2022 (VSH notification).
const lookedAfterRule: Rule = (f) =>
  f.lookedAfter
    ? [
        {
          id: 'lac-avoid-pex',
          because: 'looked after',
          kind: 'statutory',
          text: 'As far as possible, avoid permanently excluding a looked-after child. The designated teacher should involve the virtual school head as soon as a suspension or exclusion looks likely, and the head must tell the virtual school head without delay of any suspension or exclusion.',
          basis: `${EXCLUSION_GUIDANCE}; School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 5, as amended 2022`,
        },
      ]
    : [];

// 2012 Regulations reg 5 as amended 2022 (duty to inform the social worker).
const socialWorkerRule: Rule = (f) =>
  f.socialWorker
    ? [
        {
          id: 'social-worker-notify',
          because: 'has a social worker',
          kind: 'statutory',
          text: "Tell the pupil's social worker without delay of any suspension or exclusion, with its length and reasons; they may attend and speak at any governing board meeting about it.",
          basis: 'School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 5, as amended 2022',
        },
      ]
    : [];

// SEND Code of Practice 2015 ch.6 (graduated approach); Equality Act 2010 s.20 (reasonable adjustments); DfE exclusion guidance (unmet needs).
const sendRule: Rule = (f) => {
  if (f.senSupport) {
    return [
      {
        id: 'sen-support-review',
        because: 'SEN support',
        kind: 'statutory',
        text: 'Review the SEN support plan: are the needs behind the behaviour identified and met, and are reasonable adjustments to the behaviour policy recorded? If needs exceed what SEN support can provide, consider requesting an EHC needs assessment.',
        basis: 'SEND Code of Practice 2015 ch.6; Equality Act 2010 s.20',
      },
    ];
  }
  if (!f.ehcPlan && (f.suspensionMentioned || f.permanentExclusion)) {
    return [
      {
        id: 'screen-unmet-send',
        because: 'exclusion in view',
        kind: 'statutory',
        text: 'Before any further suspension, consider underlying causes, including unidentified SEND; a pupil must not be excluded because the school cannot meet their needs.',
        basis: `${EXCLUSION_GUIDANCE}; Equality Act 2010 s.20`,
      },
    ];
  }
  return [];
};

// Education Act 2002 s.51A and 2012 Regulations: at most 45 school days of suspension per academic year (35-day warning is a local choice).
const capRule: Rule = (f) => {
  const days = f.suspensionDaysThisYear;
  if (days !== undefined && days >= SUSPENSION_CAP_DAYS) {
    return [
      {
        id: 'cap-reached',
        because: `${formatDays(days)} this year`,
        kind: 'statutory',
        text: `The 45-day limit for suspensions this academic year has been reached: no further suspension is possible this year (suspensions at previous schools count). Reaching the limit does not mean permanent exclusion; use other support and sanctions.`,
        basis: 'Education Act 2002 s.51A; School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012',
      },
    ];
  }
  if (days !== undefined && days >= CAP_WARNING_DAYS) {
    return [
      {
        id: 'cap-near',
        because: `${formatDays(days)} this year`,
        kind: 'statutory',
        text: `${formatDays(SUSPENSION_CAP_DAYS - days)} of suspension remain before the 45-day limit for this academic year (suspensions at previous schools count).`,
        basis: 'Education Act 2002 s.51A; School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012',
      },
    ];
  }
  if (days === undefined && (f.suspensionsThisYear ?? 0) >= 2) {
    return [
      {
        id: 'cap-check',
        because: `${f.suspensionsThisYear} suspensions this year`,
        kind: 'statutory',
        text: 'Check the total days of suspension this academic year against the 45-day limit (lunchtimes count as half a day; suspensions at previous schools count).',
        basis: 'Education Act 2002 s.51A; School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012',
      },
    ];
  }
  return [];
};

// 2012 Regulations, governing board duties (e.g. reg 24 for academies): review thresholds at more than 5 and more than 15 days in a term.
const termRule: Rule = (f) => {
  const days = f.suspensionDaysThisTerm;
  if (days === undefined) return [];
  if (days > 15) {
    return [
      {
        id: 'board-compulsory',
        because: `${formatDays(days)} this term`,
        kind: 'statutory',
        text: 'Suspensions total more than 15 school days this term: the governing board must meet to consider reinstatement within 15 school days of being told.',
        basis: 'School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012',
      },
    ];
  }
  if (days > 5) {
    return [
      {
        id: 'board-on-request',
        because: `${formatDays(days)} this term`,
        kind: 'statutory',
        text: 'Suspensions total more than 5 school days this term: if the parents make representations, the governing board must consider reinstatement within 50 school days.',
        basis: 'School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012',
      },
    ];
  }
  return [];
};

// Education and Inspections Act 2006 s.100 (school provides from day 6 of a suspension) and s.19 Education Act 1996 with s.101 EIA 2006 (LA after PEx).
const daySixRule: Rule = (f) => {
  const out: SituationPoint[] = [];
  if ((f.longestSuspensionDays ?? 0) > 5) {
    out.push({
      id: 'day-6-suspension',
      because: `${formatDays(f.longestSuspensionDays!)} suspension`,
      kind: 'statutory',
      text: 'For a suspension of more than 5 consecutive school days the school must arrange suitable full-time education from the sixth day; set and mark work for the first five.',
      basis: 'Education and Inspections Act 2006 s.100',
    });
  }
  if (f.permanentExclusion) {
    out.push({
      id: 'pex-process',
      because: 'permanent exclusion',
      kind: 'statutory',
      text: 'Permanent exclusion is a last resort. If it happens: tell parents, the governing board and the LA without delay (this LA asks within 24 hours); the LA arranges full-time education from the sixth school day; the board must consider reinstatement within 15 school days; parents can then ask for an independent review.',
      basis: `${EXCLUSION_GUIDANCE}; Education and Inspections Act 2006 s.101; 2012 Regulations`,
    });
  }
  return out;
};

// 2012 Regulations reg 5 as amended 2022 (LA told of every suspension without delay; 24-hour form is the local rule).
const notifyRule: Rule = (f) =>
  f.suspensionMentioned && !f.permanentExclusion
    ? [
        {
          id: 'notify-la',
          because: 'suspension',
          kind: 'statutory',
          text: 'Tell parents, the governing board and the LA of every suspension without delay, whatever its length (this LA asks for its online report within 24 hours).',
          basis: 'School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 5, as amended 2022',
        },
      ]
    : [];

// Ladder practice (not statutory): an existing PSP is the evidence base for the next rung.
const pspRule: Rule = (f) =>
  f.pspInPlace
    ? [
        {
          id: 'psp-evidence',
          because: 'PSP in place',
          kind: 'practice',
          text: "A PSP is in place: bring its targets and review notes. If it has had little impact after a fair trial, it becomes the basis of the referral for specialist support.",
          basis: "The authority's ladder of behavioural intervention",
        },
      ]
    : [];

/** Most consequential first: cohort protections, then limits and deadlines, then notifications. */
const RULES: Rule[] = [lookedAfterRule, ehcPlanRule, socialWorkerRule, capRule, termRule, daySixRule, sendRule, notifyRule, pspRule];

export function situationPoints(facts: SituationFacts): SituationPoint[] {
  return RULES.flatMap((rule) => rule(facts));
}

function formatDays(days: number): string {
  const n = Number.isInteger(days) ? String(days) : days.toFixed(1);
  return `${n} day${days === 1 ? '' : 's'}`;
}
