import { editDistance } from './edit-distance';
import type { LadderEntry, LadderToolkit, SynonymGroup } from './ladder-content';
import { FILLERS, isEnglishWord, isNumber, isStopword, numberWord, stem, words } from './search-text';
import { CAP_WARNING_DAYS, factsFromText } from './situation-rules';

/**
 * Finds the rung or scenario that fits a situation typed in plain words. No language model: words
 * are stemmed, school phrases are mapped to shared ideas through the synonym table, misspellings are
 * corrected against the toolkit's own vocabulary, and fields are weighted (a match in the early
 * warning signs counts for more than one in the resources). Everything is built once per toolkit.
 */

export type SearchField =
  | 'name'
  | 'keywords'
  | 'signs'
  | 'purpose'
  | 'statutory'
  | 'actions'
  | 'evidence'
  | 'services'
  | 'resources'
  | 'notes'
  | 'stepDown'
  | 'escalation'
  | 'fromBelow'
  | 'part';

/** What the card says when explaining a match. */
export const FIELD_LABELS: Record<SearchField, string> = {
  name: 'name',
  keywords: 'key words',
  signs: 'early warning signs',
  purpose: 'purpose',
  statutory: 'statutory expectations',
  actions: 'school actions',
  evidence: 'evidence to keep',
  services: 'LA services',
  resources: 'resources',
  notes: 'notes for looked-after, EHC plan and SEN support pupils',
  stepDown: 'when to step down',
  escalation: 'when to escalate',
  fromBelow: 'when to move up from the rung below',
  part: 'part of the ladder',
};

/**
 * How much a match in each field counts. The rung below's "when to move up" describes the situation
 * this rung is for, so it counts here, not there: that is how "the PSP made no difference" lands on
 * the rung after the PSP.
 */
const FIELD_WEIGHTS: Record<SearchField, number> = {
  name: 3,
  keywords: 2,
  signs: 2,
  purpose: 1.5,
  fromBelow: 1.5,
  part: 1,
  actions: 1,
  services: 1,
  escalation: 0.8,
  statutory: 0.6,
  evidence: 0.6,
  resources: 0.5,
  notes: 0.4,
  stepDown: 0.3,
};

/** A shared idea counts for more than a single word: it is how schools' own words reach the content. */
const CONCEPT_BOOST = 1.6;
/**
 * Words in an entry's name or key words are what its author says it is about. They add on top of
 * the saturating field score, which otherwise lets a rung that merely mentions PSPs everywhere beat
 * the rung that is about PSPs.
 */
const TOPIC_BONUS = 0.8;
/**
 * The synonym idea meaning "what was tried has not worked". When a question has it, a rung's topic
 * bonus goes to the rung above instead: the ladder's own rule, move up when a rung has not worked.
 */
export const NO_IMPROVEMENT = 'no improvement';
/** Fields that decide how distinctive a term is; a term every scenario mentions in passing is still distinctive if one rung is about it. */
const SALIENT_WEIGHT = 1;
const PASSING_MENTION = 0.25;
const K1 = 2;
const B = 0.5;
/**
 * Weight of the best single sentence matching two or more of the question's ideas: "the PSP shows
 * minimal impact" fits "PSP not working" better than separate mentions of PSPs and of impact.
 */
const TOGETHER = 0.6;
/** How much of a term's weight comes from its rarity across sentences (the rest: across entries). */
const SENTENCE_IDF_SHARE = 0.25;
/** A pair of the question's words found side by side in the content adds this much on top of the words. */
const PAIR_BOOST = 0.5;
/** Score kept by a rung the question says has been tried without success (its topic bonus goes one rung up). */
const TRIED_RUNG = 0.8;
/** Score kept by an entry of the part the question's cues do not point to. */
const OTHER_PART = 0.7;
/** Matches scoring below this share of the best are not worth showing. */
const RELATIVE_FLOOR = 0.3;
/**
 * A term found in at least this share of entries (where it matters, not in passing) is a common
 * word of the toolkit ("teacher", "behaviour"): it ranks, but alone it does not make a runner-up.
 */
const COMMON_SHARE = 0.35;
/** Fields that say what an entry is for; a runner-up must match the question in one of them. */
const TOPICAL: ReadonlySet<SearchField> = new Set(['name', 'keywords', 'signs', 'purpose', 'fromBelow']);

interface FieldIndex {
  tf: Map<string, number>;
  length: number;
}

interface IndexedEntry {
  entry: LadderEntry;
  fields: Map<SearchField, FieldIndex>;
  /** Each sentence (list item) separately, to reward several ideas of a question meeting in one place. */
  items: { field: SearchField; terms: Set<string> }[];
}

interface PhraseNode {
  next: Map<string, PhraseNode>;
  concepts: string[];
}

/** Where a term occurs: which entry, which field, and its weighted, length-normalised count there. */
interface Posting {
  doc: number;
  field: SearchField;
  weighted: number;
}

export interface LadderIndex {
  toolkit: LadderToolkit;
  docs: IndexedEntry[];
  /** Term -> where it occurs, so a search touches only the entries and fields that hold its words. */
  postings: Map<string, Posting[]>;
  /** Term -> the sentences (entry, item number) holding it, for the "ideas together" bonus. */
  itemPostings: Map<string, { doc: number; item: number }[]>;
  /** Inverse document frequency per term (stem or `~concept`). */
  idf: Map<string, number>;
  /** Terms most entries use where it matters: too common to offer an entry as second best on their own. */
  common: Set<string>;
  /** Ideas marked `context` in the synonyms (who or where): they rank an entry only beside another match. */
  context: Set<string>;
  /** Ideas that point to one part of the ladder (`part` in the synonyms): concept term -> part id. */
  partCues: Map<string, string>;
  avgLength: Map<SearchField, number>;
  phrases: PhraseNode;
  /** Known words (unstemmed) with how often they occur, for typo correction. */
  vocabulary: Map<string, number>;
  /** Known stems, so inflected forms of a known word are never "corrected". */
  stems: Set<string>;
  /** Normalised names and aliases that open an entry directly. */
  names: Map<string, LadderEntry>;
  corrections: Map<string, string | null>;
}

export interface MatchReason {
  field: string;
  /** The user's words (or the idea they stand for) that matched in this field. */
  terms: string[];
}

export interface LadderMatch {
  entry: LadderEntry;
  score: number;
  reasons: MatchReason[];
}

export interface SearchOutcome {
  matches: LadderMatch[];
  /** Words we read differently, e.g. { from: "clasroom", to: "classroom" }. */
  corrections: { from: string; to: string }[];
  /** Ideas recognised in the question, e.g. "leaving lessons". */
  concepts: string[];
}

// ---------------------------------------------------------------------------------------------
// Analysis: words -> stems -> phrases -> terms

interface Analysed {
  /** Stem terms and `~concept` terms with counts. */
  terms: Map<string, number>;
  /** For each term, the words in the text that produced it (for explanations). */
  surface: Map<string, Set<string>>;
}

function buildPhraseTrie(groups: SynonymGroup[]): PhraseNode {
  const root: PhraseNode = { next: new Map(), concepts: [] };
  for (const group of groups) {
    for (const phrase of group.phrases) {
      const stems = words(phrase)
        .filter((w) => !FILLERS.has(w))
        .map(stem);
      if (stems.length === 0) continue;
      let node = root;
      for (const s of stems) {
        let child = node.next.get(s);
        if (!child) {
          child = { next: new Map(), concepts: [] };
          node.next.set(s, child);
        }
        node = child;
      }
      if (!node.concepts.includes(group.concept)) node.concepts.push(group.concept);
    }
  }
  return root;
}

export const conceptTerm = (concept: string) => `~${concept}`;

function add(map: Map<string, number>, key: string, by = 1) {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * Turns text into terms. The longest phrase at each position wins and its words are consumed by it,
 * so "kicked off" means an outburst and not a kick, and "PSP" counts once (as the idea), not twice.
 */
function analyse(raw: string[], phrases: PhraseNode, readNegation = false): Analysed {
  const kept = raw.filter((w) => !FILLERS.has(w));
  const stems = kept.map(stem);
  const terms = new Map<string, number>();
  const surface = new Map<string, Set<string>>();
  const note = (term: string, text: string) => {
    add(terms, term);
    let set = surface.get(term);
    if (!set) surface.set(term, (set = new Set()));
    set.add(text);
  };
  // The term before, for word pairs: "computer screens" in a question meets "computer screens" in
  // the content more surely than "computer" and "screens" apart. Stopwords between are skipped
  // ("hole in the wall"); a sentence end breaks the pair.
  let previous: string | undefined;
  // "not violent", "never aggressive": the idea right after a negation is left out of the question.
  let negated = false;
  const emit = (term: string, text: string) => {
    if (negated) {
      negated = false;
      previous = undefined;
      return;
    }
    note(term, text);
    if (previous !== undefined && previous !== term) add(terms, pairTerm(previous, term));
    previous = term;
  };
  let i = 0;
  while (i < kept.length) {
    let node: PhraseNode | undefined = phrases;
    let bestEnd = -1;
    let bestConcepts: string[] = [];
    for (let j = i; j < kept.length; j++) {
      node = node.next.get(stems[j]!);
      if (!node) break;
      if (node.concepts.length > 0) {
        bestEnd = j;
        bestConcepts = node.concepts;
      }
    }
    if (bestEnd >= 0) {
      const text = kept.slice(i, bestEnd + 1).join(' ');
      // A negation inside a phrase ("not working", "no difference") is part of what the phrase means.
      for (const c of bestConcepts) emit(conceptTerm(c), text);
      i = bestEnd + 1;
      continue;
    }
    const word = kept[i]!;
    if (readNegation && NEGATIONS.has(word)) {
      negated = true;
      i++;
      continue;
    }
    // Only a copula or an adverb may stand between; any other small word ("never had any") ends it.
    else if (negated && !NEGATION_GAP.has(word) && (word === '.' || isStopword(word) || isNumber(word))) negated = false;
    if (word === '.') previous = undefined;
    // Numbers ("Year 3", "45 days") describe the pupil, not the rung; the situation rules read them.
    else if (!isStopword(word) && !isNumber(word)) emit(stems[i]!, word);
    i++;
  }
  return { terms, surface };
}

/**
 * Words that negate what follows when it follows at once ("not violent", "never aggressive"), or
 * through a copula ("has never been violent"). "No" is left out: "no training in years" is a need
 * the ladder speaks to, not its absence.
 */
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'never', 'isnt', 'wasnt', 'arent', 'werent', 'hasnt', 'havent', 'nor']);
/** Words that may stand between a negation and what it negates. */
const NEGATION_GAP: ReadonlySet<string> = new Set(['be', 'been', 'being', 'is', 'was', 'at', 'all', 'very', 'really', 'that', 'too', 'ever', 'even', 'physically', 'so']);

/** Two terms next to each other (stopwords aside); never shown as a reason. */
const pairTerm = (a: string, b: string) => `${a}|${b}`;
const isPair = (term: string) => term.includes('|');

// ---------------------------------------------------------------------------------------------
// Index

function fieldTexts(entry: LadderEntry): [SearchField, string[]][] {
  return [
    ['name', [entry.label, entry.title, ...entry.aliases]],
    ['keywords', entry.keywords],
    ['signs', entry.early_warning_signs],
    ['purpose', [entry.purpose]],
    ['statutory', entry.statutory_expectations.map((s) => s.text)],
    ['actions', entry.school_actions],
    ['evidence', entry.evidence_to_keep],
    ['services', entry.la_services.map((s) => `${s.name}. ${s.offers}`)],
    ['resources', entry.resources.map((r) => r.title)],
    ['notes', [entry.notes.looked_after, entry.notes.ehc_plan, entry.notes.sen_support]],
    ['stepDown', entry.step_down_when],
  ];
}

/** Normalised form of a rung name: "Step Two" -> "step 2", "pre-ladder" -> "pre ladder". */
export function nameKey(text: string): string {
  return words(text.replace(/\bpreladder\b/gi, 'pre ladder'))
    .filter((w) => w !== 'the')
    .map(numberWord)
    .join(' ');
}

export function buildLadderIndex(toolkit: LadderToolkit): LadderIndex {
  const phrases = buildPhraseTrie(toolkit.synonyms);
  const docs: IndexedEntry[] = toolkit.entries.map((entry) => ({ entry, fields: new Map(), items: [] }));
  const vocabulary = new Map<string, number>();
  const stems = new Set<string>();

  const addField = (doc: IndexedEntry, field: SearchField, texts: string[]) => {
    const raw = texts.flatMap((t) => [...words(t), '.']);
    for (const w of raw) {
      if (w === '.' || isStopword(w) || /^\d+$/.test(w)) continue;
      add(vocabulary, w);
      stems.add(stem(w));
    }
    const { terms } = analyse(raw, phrases);
    for (const text of texts) doc.items.push({ field, terms: new Set(analyse(words(text), phrases).terms.keys()) });
    let target = doc.fields.get(field);
    if (!target) doc.fields.set(field, (target = { tf: new Map(), length: 0 }));
    for (const [term, count] of terms) {
      add(target.tf, term, count);
      if (!isPair(term)) target.length += count;
    }
  };

  const partSummary = new Map(toolkit.parts.map((p) => [p.id, p.summary]));
  docs.forEach((doc, at) => {
    for (const [field, texts] of fieldTexts(doc.entry)) addField(doc, field, texts);
    // The part says whether this is persistent misconduct or a one-off breach: context every entry shares.
    addField(doc, 'part', [partSummary.get(doc.entry.partId) ?? '']);
    const { entry } = doc;
    // A rung's "when to move up" describes the next rung's situation; the top rung and scenarios keep their own.
    const next = entry.kind === 'rung' ? docs.slice(at + 1).find((d) => d.entry.partId === entry.partId) : undefined;
    if (next) addField(next, 'fromBelow', entry.move_up_when);
    else addField(doc, 'escalation', entry.move_up_when);
  });

  for (const group of toolkit.synonyms) {
    for (const phrase of group.phrases) {
      for (const w of words(phrase)) {
        if (isStopword(w)) continue;
        add(vocabulary, w);
        stems.add(stem(w));
      }
    }
  }

  const df = new Map<string, number>();
  /** Term -> the entries naming it in a field that says what the entry is for. */
  const topicalIn = new Map<string, Set<string>>();
  const totals = new Map<SearchField, { sum: number; n: number }>();
  for (const doc of docs) {
    // 1 where the term is in a field that matters, a fraction where it is only mentioned in passing.
    const seen = new Map<string, number>();
    for (const [field, f] of doc.fields) {
      const share = FIELD_WEIGHTS[field] >= SALIENT_WEIGHT ? 1 : PASSING_MENTION;
      for (const term of f.tf.keys()) seen.set(term, Math.max(seen.get(term) ?? 0, share));
      const t = totals.get(field) ?? { sum: 0, n: 0 };
      t.sum += f.length;
      t.n += 1;
      totals.set(field, t);
    }
    for (const [term, share] of seen) add(df, term, share);
    for (const [field, f] of doc.fields) {
      if (!TOPICAL.has(field)) continue;
      for (const term of f.tf.keys()) topicalIn.set(term, (topicalIn.get(term) ?? new Set()).add(doc.entry.id));
    }
  }
  const n = docs.length;
  // How rare a term is across every sentence of the content, not only across the few entries: among
  // thirteen entries "staff" and "scissors" can look alike, among a thousand sentences they do not.
  const sentenceDf = new Map<string, number>();
  let sentences = 0;
  for (const doc of docs) {
    for (const item of doc.items) {
      sentences++;
      for (const term of item.terms) add(sentenceDf, term, 1);
    }
  }
  const sentenceIdf = (term: string) => Math.log(1 + sentences / (sentenceDf.get(term) ?? 1));
  const maxSentenceIdf = Math.log(1 + sentences);
  const idf = new Map<string, number>();
  const common = new Set<string>();
  for (const [term, count] of df) {
    const entryIdf = Math.log(1 + (n - count + 0.5) / (count + 0.5));
    idf.set(term, entryIdf * (1 - SENTENCE_IDF_SHARE + (SENTENCE_IDF_SHARE * sentenceIdf(term)) / maxSentenceIdf));
  }
  for (const [term, entries] of topicalIn) if (entries.size >= n * COMMON_SHARE) common.add(term);
  const avgLength = new Map<SearchField, number>();
  for (const [field, t] of totals) avgLength.set(field, t.sum / Math.max(1, t.n));

  const names = new Map<string, LadderEntry>();
  for (const entry of toolkit.entries) {
    for (const name of [entry.id, entry.label, entry.title, ...entry.aliases]) {
      const key = nameKey(name);
      if (key && !names.has(key)) names.set(key, entry);
    }
  }

  const postings = new Map<string, Posting[]>();
  const itemPostings = new Map<string, { doc: number; item: number }[]>();
  docs.forEach((doc, d) => {
    for (const [field, f] of doc.fields) {
      const norm = 1 - B + (B * f.length) / (avgLength.get(field) ?? f.length);
      for (const [term, tf] of f.tf) {
        let list = postings.get(term);
        if (!list) postings.set(term, (list = []));
        list.push({ doc: d, field, weighted: (FIELD_WEIGHTS[field] * Math.min(tf, 3)) / norm });
      }
    }
    doc.items.forEach((item, i) => {
      for (const term of item.terms) {
        let list = itemPostings.get(term);
        if (!list) itemPostings.set(term, (list = []));
        list.push({ doc: d, item: i });
      }
    });
  });

  const context = new Set(toolkit.synonyms.filter((g) => g.context).map((g) => conceptTerm(g.concept)));
  const partCues = new Map(toolkit.synonyms.filter((g) => g.part).map((g) => [conceptTerm(g.concept), g.part!]));
  return { toolkit, docs, postings, itemPostings, idf, common, context, partCues, avgLength, phrases, vocabulary, stems, names, corrections: new Map() };
}

// ---------------------------------------------------------------------------------------------
// Typo tolerance

function allowedDistance(word: string): number {
  // Short words are too often real words we simply do not hold ("card" is not a misspelt "care").
  if (word.length < 5) return 0;
  return word.length < 8 ? 1 : 2;
}

/** The known word a misspelt one most likely meant, or null. Cached per index. */
function correct(index: LadderIndex, word: string): string | null {
  const cached = index.corrections.get(word);
  if (cached !== undefined) return cached;
  const max = allowedDistance(word);
  let best: string | null = null;
  let bestDistance = max + 1;
  let bestFrequency = 0;
  if (max > 0) {
    for (const [candidate, frequency] of index.vocabulary) {
      if (Math.abs(candidate.length - word.length) > max) continue;
      // People rarely mistype the first letter; allowing it turns real words into others ("might" -> "fight").
      if (candidate[0] !== word[0] && !(candidate[0] === word[1] && candidate[1] === word[0])) continue;
      const d = editDistance(word, candidate, Math.min(max, bestDistance));
      if (d < bestDistance || (d === bestDistance && d <= max && frequency > bestFrequency)) {
        best = candidate;
        bestDistance = d;
        bestFrequency = frequency;
      }
    }
  }
  const out = bestDistance <= max ? best : null;
  if (index.corrections.size > 5000) index.corrections.clear();
  index.corrections.set(word, out);
  return out;
}

/** Words left as typed: ours, stopwords, numbers, and real English words we simply do not hold. */
function isKnown(index: LadderIndex, word: string): boolean {
  return isStopword(word) || /^\d/.test(word) || index.vocabulary.has(word) || index.stems.has(stem(word)) || isEnglishWord(word);
}

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchOptions {
  /** How many matches to return at most (default 3). */
  limit?: number;
}

export function searchLadder(index: LadderIndex, query: string, options: SearchOptions = {}): SearchOutcome {
  const limit = options.limit ?? 3;
  const corrections: { from: string; to: string }[] = [];
  // Numbers are not search words, but "38 days of suspension" says the year's 45-day limit is near,
  // which is what the content calls it (the situation rules read the same number for their points).
  const days = /\bdays?\b/i.test(query) ? factsFromText(query).suspensionDaysThisYear : undefined;
  const said = days !== undefined && days >= CAP_WARNING_DAYS ? `${query} . approaching the 45-day limit` : query;
  const raw = words(said).map((w) => {
    if (isKnown(index, w)) return w;
    const fixed = correct(index, w);
    if (!fixed) return w;
    corrections.push({ from: w, to: fixed });
    return fixed;
  });
  const { terms, surface } = analyse(raw, index.phrases, true);
  const concepts = [...terms.keys()].filter((t) => t.startsWith('~')).map((t) => t.slice(1));

  const climbing = terms.has(conceptTerm(NO_IMPROVEMENT));
  const n = index.docs.length;
  const score = new Float64Array(n);
  const contextScore = new Float64Array(n);
  const contextTopic = new Float64Array(n);
  const topic = new Float64Array(n);
  const weighted = new Float64Array(n);
  const reasons: (Map<SearchField, Set<string>> | undefined)[] = new Array(n);
  const itemHits = new Map<number, { count: number; sum: number; field: SearchField }>();
  // Whether the entry shares a distinctive word with the question where it matters (not in passing).
  const content = new Uint8Array(n);

  for (const term of terms.keys()) {
    const idf = index.idf.get(term);
    const list = index.postings.get(term);
    if (!idf || !list) continue;
    const boost = isPair(term) ? PAIR_BOOST : term.startsWith('~') ? CONCEPT_BOOST : 1;
    const inContext = isPair(term) ? term.split('|').some((t) => index.context.has(t)) : index.context.has(term);
    const shown = describeTerm(term, surface);
    weighted.fill(0);
    const isTopic = new Uint8Array(n);
    for (const p of list) {
      weighted[p.doc]! += p.weighted;
      if (p.field === 'name' || p.field === 'keywords') isTopic[p.doc] = 1;
      if (TOPICAL.has(p.field) && !index.common.has(term) && !inContext) content[p.doc] = 1;
      if (isPair(term)) continue;
      const byField = (reasons[p.doc] ??= new Map());
      let set = byField.get(p.field);
      if (!set) byField.set(p.field, (set = new Set()));
      set.add(shown);
    }
    for (let d = 0; d < n; d++) {
      const w = weighted[d]!;
      if (w === 0) continue;
      const gained = boost * idf * ((w * (K1 + 1)) / (w + K1));
      if (inContext) {
        contextScore[d]! += gained;
        if (isTopic[d] && !isPair(term)) contextTopic[d]! += TOPIC_BONUS * boost * idf;
        continue;
      }
      score[d]! += gained;
      if (isTopic[d] && !isPair(term)) topic[d]! += TOPIC_BONUS * boost * idf;
    }
    for (const hit of isPair(term) ? [] : (index.itemPostings.get(term) ?? [])) {
      const key = hit.doc * 10000 + hit.item;
      const acc = itemHits.get(key) ?? { count: 0, sum: 0, field: index.docs[hit.doc]!.items[hit.item]!.field };
      acc.count++;
      acc.sum += idf * boost;
      itemHits.set(key, acc);
    }
  }

  // Context ideas refine a match on what happened; alone ("his teacher says he is tired") they match
  // nothing, rather than offer the one entry that names teachers.
  for (let d = 0; d < n; d++) {
    if (score[d]! === 0) continue;
    score[d]! += contextScore[d]!;
    topic[d]! += contextTopic[d]!;
  }

  const together = new Float64Array(n);
  for (const [key, acc] of itemHits) {
    if (acc.count < 2) continue;
    const d = Math.floor(key / 10000);
    together[d] = Math.max(together[d]!, FIELD_WEIGHTS[acc.field] * acc.sum);
  }

  // "Keeps happening" is the ladder's part one, "out of character" its part two: when every cue in the
  // question points to one part, entries of the other part rank lower (not out: the words may still fit).
  const cuedParts = new Set([...terms.keys()].map((t) => index.partCues.get(t)).filter((p): p is string => p !== undefined));
  const cuedPart = cuedParts.size === 1 ? [...cuedParts][0] : undefined;

  const scored: LadderMatch[] = [];
  const finalScore = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    if (score[d] === 0) continue;
    finalScore[d]! += score[d]! + TOGETHER * together[d]!;
    if (topic[d]! > 0) {
      const above = climbing ? rungAbove(index, index.docs[d]!) : undefined;
      finalScore[above ? index.docs.indexOf(above) : d]! += topic[d]!;
      if (above) finalScore[d]! *= TRIED_RUNG;
    }
  }
  for (let d = 0; d < n; d++) {
    if (cuedPart !== undefined && index.docs[d]!.entry.partId !== cuedPart) finalScore[d]! *= OTHER_PART;
    if (finalScore[d]! <= 0 || score[d] === 0) continue;
    scored.push({ entry: index.docs[d]!.entry, score: finalScore[d]!, reasons: orderReasons(reasons[d] ?? new Map()) });
  }
  scored.sort((a, b) => b.score - a.score || a.entry.order - b.entry.order);
  const top = scored[0]?.score ?? 0;
  const docOf = new Map(index.docs.map((doc, d) => [doc.entry, d]));
  const distinctive = (m: LadderMatch) => content[docOf.get(m.entry)!] === 1;
  // When even the best match shares only common words, every match is as weak as the next: rank them all.
  const needDistinctive = scored[0] !== undefined && distinctive(scored[0]);
  return {
    // The best match stands on its score; a runner-up must share something distinctive with the question.
    matches: scored.filter((m, i) => m.score >= top * RELATIVE_FLOOR && (i === 0 || !needDistinctive || distinctive(m))).slice(0, limit),
    corrections,
    concepts,
  };
}

function rungAbove(index: LadderIndex, doc: IndexedEntry): IndexedEntry | undefined {
  if (doc.entry.kind !== 'rung') return undefined;
  const at = index.docs.indexOf(doc);
  return index.docs.slice(at + 1).find((d) => d.entry.partId === doc.entry.partId);
}

function describeTerm(term: string, surface: Map<string, Set<string>>): string {
  const said = [...(surface.get(term) ?? [])];
  if (!term.startsWith('~')) return said[0] ?? term;
  const concept = term.slice(1);
  const quoted = said.filter((s) => s !== concept.toLowerCase());
  return quoted.length ? `"${quoted[0]}" (${concept})` : concept;
}

function orderReasons(reasons: Map<SearchField, Set<string>>): MatchReason[] {
  return [...reasons.entries()]
    .sort((a, b) => FIELD_WEIGHTS[b[0]] - FIELD_WEIGHTS[a[0]])
    .map(([field, terms]) => ({ field: FIELD_LABELS[field], terms: [...terms] }));
}

// ---------------------------------------------------------------------------------------------
// Direct lookup by name or number

/**
 * "2", "step two", "Stage 2", "pre-ladder", "weapons": the entry the words name, or undefined when
 * they describe a situation instead.
 */
export function resolveEntry(index: LadderIndex, text: string): LadderEntry | undefined {
  const key = nameKey(text);
  if (!key) return undefined;
  const named = index.names.get(key);
  if (named) return named;
  const m = /^(?:(?:step|stage|rung|level)\s*)?(\d{1,2})$/.exec(key);
  if (m) {
    const order = Number(m[1]);
    return index.toolkit.entries.find((e) => e.kind === 'rung' && e.order === order);
  }
  return undefined;
}
