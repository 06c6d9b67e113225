import { z } from 'zod';

/**
 * The shape of an authority's ladder toolkit as written in data/ladder/*.yaml. Objects are strict so a
 * misspelt key ("school_action") is reported rather than silently ignored. Limits keep every rung
 * card well under the Teams card size limit.
 */

const text = (max: number) =>
  z
    .string({ invalid_type_error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const textList = (max: number, items: number) =>
  z.array(text(max), { invalid_type_error: 'must be a list of text items' }).max(items, `must have at most ${items} items`);

const slug = z
  .string({ invalid_type_error: 'must be text' })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens, e.g. step-2 or weapons');

const link = z
  .string({ invalid_type_error: 'must be a link' })
  .url('must be a full link starting https://')
  .refine((value) => /^https?:\/\//.test(value), 'must start with https:// or http://');

export const statutoryPointSchema = z
  .object({
    text: text(500),
    /** Where the duty or expectation comes from, e.g. "DfE suspension and permanent exclusion guidance". */
    basis: text(200),
  })
  .strict();

export const laServiceSchema = z
  .object({
    name: text(120),
    offers: text(400),
    /** How a school reaches the service: form, line, caseworker, panel date. */
    contact: text(300),
    link: link.optional(),
  })
  .strict();

export const resourceSchema = z
  .object({
    title: text(160),
    link,
  })
  .strict();

export const cohortNotesSchema = z
  .object({
    looked_after: text(600),
    ehc_plan: text(600),
    sen_support: text(600),
  })
  .strict();

/** A rung (part one) or a scenario (part two): the same fields, so both render with one card. */
export const ladderEntrySchema = z
  .object({
    id: slug,
    /** Position within its part: 0 for the pre-ladder, 1..n for the steps. */
    order: z.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(0).max(99),
    /** Short name on buttons and headings, e.g. "Step two". */
    label: text(40),
    title: text(100),
    /** Other names a user may type to open this entry directly, e.g. "stage 2", "psp stage". */
    aliases: textList(60, 12).default([]),
    purpose: text(600),
    early_warning_signs: textList(240, 15),
    statutory_expectations: z.array(statutoryPointSchema).max(10, 'must have at most 10 items'),
    school_actions: textList(300, 15).min(1, 'must list at least one action'),
    evidence_to_keep: textList(240, 12),
    la_services: z.array(laServiceSchema).max(8, 'must have at most 8 items'),
    resources: z.array(resourceSchema).max(10, 'must have at most 10 items'),
    move_up_when: textList(300, 8),
    step_down_when: textList(300, 8),
    notes: cohortNotesSchema,
    /** Extra search words that do not belong in the visible text (local abbreviations, slang). */
    keywords: textList(60, 40).default([]),
  })
  .strict();

export const partSchema = z
  .object({
    id: slug,
    title: text(100),
    /** rungs: persistent misconduct, climbed in order; scenarios: one-off serious breaches. */
    kind: z.enum(['rungs', 'scenarios'], { errorMap: () => ({ message: 'must be rungs or scenarios' }) }),
    summary: text(600),
    /** Entry files relative to the toolkit folder, in display order. */
    entries: z.array(z.string().regex(/^[a-z0-9][a-z0-9/_-]*\.ya?ml$/, 'must be a relative .yaml file path')).min(1, 'must list at least one file'),
  })
  .strict();

export const frameworkSchema = z
  .object({
    id: slug,
    title: text(120),
    authority: text(120),
    /** True for the shipped sample; cards then say so. */
    sample: z.boolean({ invalid_type_error: 'must be true or false' }),
    notice: text(600).optional(),
    /** ISO date the content was last reviewed. */
    reviewed: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-01')
      .or(z.date().transform((d) => d.toISOString().slice(0, 10))),
    /** Rules that hold at every rung (pupils move down as well as up; involve the virtual school...). */
    principles: textList(300, 10).default([]),
    parts: z.array(partSchema).min(1, 'must have at least one part'),
    /** Vocabulary file relative to the toolkit folder. */
    synonyms: z.string().regex(/^[a-z0-9][a-z0-9/_-]*\.ya?ml$/, 'must be a relative .yaml file path').optional(),
  })
  .strict();

export const synonymGroupSchema = z
  .object({
    /** A name for the idea, shown in "why this matched", e.g. "leaving lessons". */
    concept: text(60),
    /** Words and phrases schools use for it; any of them in a question or in the content links the two. */
    phrases: textList(80, 120).min(2, 'must list at least two phrases'),
    /**
     * Who or where ("teacher", "looked after"), not what happened: such an idea ranks an entry only
     * beside a match on something else, so "teacher says he is rude" does not open an assault on staff.
     */
    context: z.boolean().optional(),
    /**
     * The part of the ladder this idea points to ("keeps happening" -> persistent misconduct, "out of
     * character" -> one-off serious breaches): a question with cues for one part only ranks the other lower.
     */
    part: z.string().trim().min(1).max(60).optional(),
  })
  .strict();

export const synonymsFileSchema = z
  .object({
    groups: z.array(synonymGroupSchema),
  })
  .strict();

export type StatutoryPoint = z.infer<typeof statutoryPointSchema>;
export type LaService = z.infer<typeof laServiceSchema>;
export type Resource = z.infer<typeof resourceSchema>;
export type CohortNotes = z.infer<typeof cohortNotesSchema>;
export type LadderEntryFile = z.infer<typeof ladderEntrySchema>;
export type SynonymGroup = z.infer<typeof synonymGroupSchema>;

export type EntryKind = 'rung' | 'scenario';

export interface LadderEntry extends LadderEntryFile {
  kind: EntryKind;
  partId: string;
  /** Where it came from, for error messages and the README. */
  file: string;
}

export interface LadderPart {
  id: string;
  title: string;
  kind: 'rungs' | 'scenarios';
  summary: string;
  /** Entry ids in display order. */
  entryIds: string[];
}

export interface LadderToolkit {
  id: string;
  title: string;
  authority: string;
  sample: boolean;
  notice?: string;
  reviewed: string;
  principles: string[];
  parts: LadderPart[];
  /** All entries: rungs in ladder order, then scenarios. */
  entries: LadderEntry[];
  byId: ReadonlyMap<string, LadderEntry>;
  synonyms: SynonymGroup[];
}

/** Rungs of part one in climbing order. */
export function rungsOf(toolkit: LadderToolkit): LadderEntry[] {
  return toolkit.entries.filter((e) => e.kind === 'rung');
}

export function scenariosOf(toolkit: LadderToolkit): LadderEntry[] {
  return toolkit.entries.filter((e) => e.kind === 'scenario');
}

/** The entry before and after within the same part: the rung below and above, or the neighbouring scenario. */
export function neighbours(toolkit: LadderToolkit, id: string): { previous?: LadderEntry; next?: LadderEntry } {
  const entry = toolkit.byId.get(id);
  if (!entry) return {};
  const siblings = toolkit.entries.filter((e) => e.partId === entry.partId);
  const at = siblings.findIndex((e) => e.id === id);
  return { previous: siblings[at - 1], next: siblings[at + 1] };
}
