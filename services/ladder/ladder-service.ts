import { checklistItems, type ChecklistItem } from './ladder-checklist';
import { neighbours, type EntryKind, type LadderEntry, type LadderToolkit } from './ladder-content';
import { DEFAULT_LADDER_DIR, loadLadderToolkit } from './ladder-loader';
import { buildLadderIndex, resolveEntry, searchLadder, type LadderIndex, type MatchReason } from './ladder-search';
import { factsFromText, mergeFacts, situationPoints, type SituationFacts, type SituationPoint } from './situation-rules';

/**
 * What the ladder commands and card buttons show, as view models the cards render. Built once per
 * toolkit; every call is pure and fast (no I/O).
 */

export interface EntrySummary {
  id: string;
  kind: EntryKind;
  label: string;
  title: string;
  purpose: string;
}

export interface ToolkitHeader {
  title: string;
  authority: string;
  sample: boolean;
  notice?: string;
}

export interface OverviewView extends ToolkitHeader {
  principles: string[];
  parts: { id: string; title: string; summary: string; kind: 'rungs' | 'scenarios'; entries: EntrySummary[] }[];
}

export type Verdict = 'yes' | 'no';

export interface RungView extends ToolkitHeader {
  entry: LadderEntry;
  partTitle: string;
  /** "Step two of four" style position, rungs only. */
  position?: string;
  previous?: EntrySummary;
  next?: EntrySummary;
  /** Statutory points for the situation the user described (empty when opened by name). */
  points: SituationPoint[];
  /** The question that led here, carried so feedback can be tied to it. */
  query?: string;
  /** Set once the user has said whether it helped. */
  feedback?: Verdict;
  /** The school actions as the user's checklist (ticks restored by the caller from the store). */
  checklist: ChecklistItem[];
  /** Set right after the user saved their ticks, so the card can say so. */
  checklistSaved?: boolean;
}

export interface ResultsView extends ToolkitHeader {
  query: string;
  corrections: { from: string; to: string }[];
  concepts: string[];
  matches: { entry: EntrySummary; reasons: MatchReason[] }[];
  points: SituationPoint[];
  feedback?: Verdict;
}

export type LadderAnswer =
  | { kind: 'overview'; view: OverviewView }
  | { kind: 'rung'; view: RungView }
  | { kind: 'results'; view: ResultsView }
  | { kind: 'stats' };

export interface LadderService {
  readonly toolkit: LadderToolkit;
  readonly index: LadderIndex;
  overview(): OverviewView;
  /** The rung card's view, or undefined for an id the toolkit does not have. */
  rung(id: string, options?: { query?: string; facts?: SituationFacts; feedback?: Verdict }): RungView | undefined;
  search(query: string, options?: { facts?: SituationFacts; feedback?: Verdict }): ResultsView;
  /** Reads what followed the word "ladder": nothing, "stats", a rung's name or number, or a situation. */
  answer(text: string): LadderAnswer;
}

/** Longest question we read; a paragraph pasted in is cut, not rejected. */
export const MAX_QUERY_LENGTH = 500;

function summarise(entry: LadderEntry): EntrySummary {
  return { id: entry.id, kind: entry.kind, label: entry.label, title: entry.title, purpose: entry.purpose };
}

const COUNT_NAMES = ['none', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

export function createLadderService(toolkit: LadderToolkit): LadderService {
  const index = buildLadderIndex(toolkit);
  const header: ToolkitHeader = { title: toolkit.title, authority: toolkit.authority, sample: toolkit.sample, notice: toolkit.notice };
  const partTitle = new Map(toolkit.parts.map((p) => [p.id, p.title]));

  const overview = (): OverviewView => ({
    ...header,
    principles: toolkit.principles,
    parts: toolkit.parts.map((p) => ({
      id: p.id,
      title: p.title,
      summary: p.summary,
      kind: p.kind,
      entries: p.entryIds.map((id) => summarise(toolkit.byId.get(id)!)),
    })),
  });

  const positionOf = (entry: LadderEntry): string | undefined => {
    if (entry.kind !== 'rung') return undefined;
    const steps = toolkit.entries.filter((e) => e.partId === entry.partId && e.order > 0);
    if (entry.order === 0) return 'Before the steps';
    return `Step ${COUNT_NAMES[entry.order] ?? entry.order} of ${COUNT_NAMES[steps.length] ?? steps.length}`;
  };

  const rung: LadderService['rung'] = (id, options = {}) => {
    const entry = toolkit.byId.get(id);
    if (!entry) return undefined;
    const query = options.query ? clip(options.query) : undefined;
    const facts = mergeFacts(query ? factsFromText(query) : {}, options.facts ?? {});
    const { previous, next } = neighbours(toolkit, id);
    return {
      ...header,
      entry,
      partTitle: partTitle.get(entry.partId) ?? '',
      position: positionOf(entry),
      previous: previous && summarise(previous),
      next: next && summarise(next),
      points: situationPoints(facts),
      query,
      feedback: options.feedback,
      checklist: checklistItems(entry.school_actions),
    };
  };

  const search: LadderService['search'] = (raw, options = {}) => {
    const query = clip(raw);
    const outcome = searchLadder(index, query, { limit: 3 });
    const facts = mergeFacts(factsFromText(query), options.facts ?? {});
    return {
      ...header,
      query,
      corrections: outcome.corrections,
      concepts: outcome.concepts,
      matches: outcome.matches.map((m) => ({ entry: summarise(m.entry), reasons: m.reasons })),
      points: situationPoints(facts),
      feedback: options.feedback,
    };
  };

  const answer = (raw: string): LadderAnswer => {
    const text = raw.replace(/\s+/g, ' ').trim();
    if (text === '' || /^(overview|all|whole ladder|the ladder|list)$/i.test(text)) return { kind: 'overview', view: overview() };
    if (/^stats?$/i.test(text)) return { kind: 'stats' };
    const named = resolveEntry(index, text);
    if (named) return { kind: 'rung', view: rung(named.id)! };
    return { kind: 'results', view: search(text) };
  };

  return { toolkit, index, overview, rung, search, answer };
}

function clip(text: string): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > MAX_QUERY_LENGTH ? folded.slice(0, MAX_QUERY_LENGTH) : folded;
}

const loaded = new Map<string, LadderService>();

/**
 * The service over the toolkit in `dir`, loaded and indexed once per process. Throws
 * LadderContentError (every problem, with file, line and field) when the content is broken, which
 * is what stops the bot starting.
 */
export function ladderServiceFor(dir: string = DEFAULT_LADDER_DIR): LadderService {
  let service = loaded.get(dir);
  if (!service) {
    service = createLadderService(loadLadderToolkit(dir));
    loaded.set(dir, service);
  }
  return service;
}
