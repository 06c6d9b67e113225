import { z } from 'zod';

/**
 * Statutory numbers are constants; local choices (points the reference marks unconfirmed) are
 * settings with documented defaults, validated with zod so a bad override names the field.
 */

/** Suspension days in one academic year a pupil may not exceed (45, across schools). */
export const YEAR_CAP_DAYS = 45;
/** Term total above which parents' representations oblige the board to meet (within 50 school days). */
export const TERM_OPTIONAL_REVIEW_DAYS = 5;
/** Term total above which the board must meet (within 15 school days). */
export const TERM_COMPULSORY_REVIEW_DAYS = 15;
/** Days of suspension after which education must be provided (from day 6). */
export const DAY_SIX_AFTER_DAYS = 5;
export const OPTIONAL_REVIEW_WITHIN_SCHOOL_DAYS = 50;
export const COMPULSORY_REVIEW_WITHIN_SCHOOL_DAYS = 15;

const ruleSettingsSchema = z
  .object({
    /** Local choice: warn when the year total reaches this many days (A.7 sketches 35). */
    yearWarnDays: z.number().positive().max(YEAR_CAP_DAYS).default(35),
    /**
     * Term totals per school (the default) or across schools. The board that must meet is the
     * excluding school's, so only that school's suspensions are counted. [U] in the reference.
     */
    termTotalsAcrossSchools: z.boolean().default(false),
    /** Year totals across schools: suspensions at previous schools count towards the 45-day cap. */
    yearTotalsAcrossSchools: z.boolean().default(true),
    /**
     * Local rule (Lincolnshire: within 24 hours): the authority should hear of an exclusion within
     * this many school days of the head's decision. Reg 5 itself says "without delay".
     */
    laReportWithinSchoolDays: z.number().int().min(0).max(10).default(1),
    /** Repeated suspensions: this many or more... */
    repeatedCount: z.number().int().min(2).default(3),
    /** ...whose first days fall within this many school days (from the first to the last, inclusive). */
    repeatedWindowSchoolDays: z.number().int().min(1).default(30),
    /** Lunchtime suspensions count towards the repeated-suspension pattern. Local choice. */
    repeatedIncludesLunchtimes: z.boolean().default(true),
    /** Alert about a missing placement when day 6 of a permanent exclusion is this close (or past). */
    placementWarnSchoolDays: z.number().int().min(0).default(2),
    /** Disproportionality: flag a group whose suspension rate is above this multiple of the rest's. */
    disproportionalityRatio: z.number().positive().default(2),
    /** ...only when the group has at least this many pupils on roll in the district... */
    disproportionalityMinGroupPupils: z.number().int().min(1).default(20),
    /** ...and at least this many suspensions, so a single event never raises a flag. */
    disproportionalityMinGroupSuspensions: z.number().int().min(1).default(3),
    /** DfE suspension statistics do not count lunchtimes as suspensions; [U], so configurable. */
    disproportionalityIncludesLunchtimes: z.boolean().default(false),
    /**
     * Only exclusions starting on or after this date raise event alerts (totals still count the
     * whole year). Default: the start of the current academic year, so importing history does not
     * flood subscribers with old events.
     */
    eventsSince: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
      .optional(),
  })
  .strict();

export type RuleSettings = z.infer<typeof ruleSettingsSchema>;
export type RuleSettingsInput = z.input<typeof ruleSettingsSchema>;

export class RuleSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSettingsError';
  }
}

/** Fills defaults; throws naming the field for a bad override. */
export function resolveRuleSettings(input: unknown = {}, sourceName = 'exclusion rule settings'): RuleSettings {
  const parsed = ruleSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuleSettingsError(`${sourceName}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
