import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LineCounter, isMap, isNode, isSeq, parseDocument, type Document } from 'yaml';
import type { ZodIssue, ZodType } from 'zod';
import {
  frameworkSchema,
  ladderEntrySchema,
  synonymsFileSchema,
  type LadderEntry,
  type LadderPart,
  type LadderToolkit,
  type SynonymGroup,
} from './ladder-content';
import { projectPath } from '../project-paths';

export const DEFAULT_LADDER_DIR = 'data/ladder';


/** One thing wrong with the content, located as precisely as the file allows. */
export interface ContentProblem {
  /** Path as the user would open it, e.g. data/ladder/rungs/step-2.yaml. */
  file: string;
  line?: number;
  column?: number;
  /** Field path inside the file, e.g. school_actions[3] or la_services[0].contact. */
  field?: string;
  message: string;
}

export function formatProblem(p: ContentProblem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Thrown when the toolkit cannot be used; the message lists every problem found, one a line. */
export class LadderContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `  ${formatProblem(p)}`);
    const more = problems.length > 20 ? [`  ...and ${problems.length - 20} more`] : [];
    super([`ladder content is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, ...shown, ...more].join('\n'));
    this.name = 'LadderContentError';
  }
}

interface ParsedFile<T> {
  value?: T;
  problems: ContentProblem[];
}

/** "school_actions[3].title" from a zod path. */
export function fieldPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** Finds the deepest YAML node the path reaches, so a missing key points at its parent object. */
function locate(doc: Document, lines: LineCounter, path: (string | number)[], atKey = false): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: unknown = node;
  for (const [depth, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isNode(item.key) && (item.key as { value?: unknown }).value === key);
      if (!pair) break;
      node = (atKey && depth === path.length - 1) || !pair.value ? pair.key : pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else {
      break;
    }
    if (!isNode(node)) break;
    best = node;
  }
  const range = isNode(best) ? best.range : undefined;
  if (!range) return undefined;
  const pos = lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

function describeIssue(issue: ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (check the spelling)`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is required';
  // The usual cause: an unquoted ": " inside a sentence, which YAML reads as a new field.
  if (issue.code === 'invalid_type' && issue.expected === 'string' && issue.received === 'object') {
    return 'must be text, but YAML read it as a field: a ": " inside unquoted text starts a field, so reword it or put the text in quotes';
  }
  if (issue.code === 'invalid_type') return `${issue.message.toLowerCase()} (found ${issue.received})`;
  return issue.message;
}

/** Reads and validates one YAML file; never throws. */
export function parseYamlFile<T>(displayPath: string, source: string, schema: ZodType<T, any, any>): ParsedFile<T> {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
        return { file: displayPath, line: pos.line, column: pos.col, message: `not valid YAML: ${error.message.split('\n')[0]}` };
      }),
    };
  }
  const data = doc.toJS({ maxAliasCount: 50 });
  const parsed = schema.safeParse(data ?? {});
  if (parsed.success) return { value: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      // An unknown key is reported at the key itself, not at its object.
      const unknownKey = issue.code === 'unrecognized_keys';
      const pos = locate(doc, lines, unknownKey ? [...issue.path, issue.keys[0]!] : issue.path, unknownKey);
      return {
        file: displayPath,
        line: pos?.line,
        column: pos?.column,
        field: issue.path.length ? fieldPath(issue.path) : undefined,
        message: describeIssue(issue),
      };
    }),
  };
}

function display(dir: string, file: string): string {
  const rel = relative(process.cwd(), join(dir, file));
  return (rel.startsWith('..') ? join(dir, file) : rel).split(sep).join('/');
}

/**
 * Loads the toolkit from a folder: framework.yaml, the entry files it lists and the synonyms file.
 * Throws LadderContentError naming every problem (file, line, column, field); the bot calls this at
 * start and refuses to run on broken content.
 */
export function loadLadderToolkit(folder: string = DEFAULT_LADDER_DIR): LadderToolkit {
  const dir = projectPath(folder);
  const problems: ContentProblem[] = [];
  const frameworkPath = join(dir, 'framework.yaml');
  if (!existsSync(frameworkPath)) {
    throw new LadderContentError([{ file: display(dir, 'framework.yaml'), message: 'file not found: the toolkit folder needs a framework.yaml' }]);
  }
  const framework = parseYamlFile(display(dir, 'framework.yaml'), readFileSync(frameworkPath, 'utf8'), frameworkSchema);
  if (!framework.value) throw new LadderContentError(framework.problems);
  const fw = framework.value;

  const entries: LadderEntry[] = [];
  const parts: LadderPart[] = [];
  const listed = new Set<string>();
  const seenIds = new Map<string, string>();

  for (const [partIndex, part] of fw.parts.entries()) {
    if (parts.some((p) => p.id === part.id)) {
      problems.push({ file: display(dir, 'framework.yaml'), field: `parts[${partIndex}].id`, message: `duplicate part id "${part.id}"` });
    }
    const partEntries: LadderEntry[] = [];
    for (const [i, rel] of part.entries.entries()) {
      const shown = display(dir, rel);
      if (listed.has(rel)) {
        problems.push({ file: display(dir, 'framework.yaml'), field: `parts[${partIndex}].entries[${i}]`, message: `${rel} is listed twice` });
        continue;
      }
      listed.add(rel);
      const full = join(dir, rel);
      if (!existsSync(full)) {
        problems.push({ file: display(dir, 'framework.yaml'), field: `parts[${partIndex}].entries[${i}]`, message: `file not found: ${shown}` });
        continue;
      }
      const parsed = parseYamlFile(shown, readFileSync(full, 'utf8'), ladderEntrySchema);
      problems.push(...parsed.problems);
      if (!parsed.value) continue;
      const entry: LadderEntry = { ...parsed.value, kind: part.kind === 'rungs' ? 'rung' : 'scenario', partId: part.id, file: shown };
      const clash = seenIds.get(entry.id);
      if (clash) {
        problems.push({ file: shown, field: 'id', message: `id "${entry.id}" is already used by ${clash}` });
        continue;
      }
      seenIds.set(entry.id, shown);
      const sameOrder = partEntries.find((e) => e.order === entry.order);
      if (sameOrder) problems.push({ file: shown, field: 'order', message: `order ${entry.order} is already used by ${sameOrder.file} in the same part` });
      partEntries.push(entry);
    }
    partEntries.sort((a, b) => a.order - b.order);
    entries.push(...partEntries);
    parts.push({ id: part.id, title: part.title, kind: part.kind, summary: part.summary, entryIds: partEntries.map((e) => e.id) });
  }

  // A content file nobody listed is almost always a forgotten line in framework.yaml.
  for (const file of yamlFilesUnder(dir)) {
    if (file === 'framework.yaml' || file === fw.synonyms || !file.includes('/')) continue;
    if (!listed.has(file)) problems.push({ file: display(dir, file), message: 'not listed in framework.yaml (add it to a part, or remove the file)' });
  }

  if (!parts.some((p) => p.kind === 'rungs')) {
    problems.push({ file: display(dir, 'framework.yaml'), field: 'parts', message: 'needs a part of kind rungs' });
  }

  // Aliases open an entry directly, so two entries must not claim the same one.
  const aliasOwner = new Map<string, string>();
  for (const entry of entries) {
    for (const alias of [entry.label, ...entry.aliases]) {
      const key = alias.toLowerCase().replace(/\s+/g, ' ').trim();
      const owner = aliasOwner.get(key);
      if (owner && owner !== entry.id) problems.push({ file: entry.file, field: 'aliases', message: `"${alias}" also names ${owner}` });
      else aliasOwner.set(key, entry.id);
    }
  }

  let synonyms: SynonymGroup[] = [];
  if (fw.synonyms) {
    const full = join(dir, fw.synonyms);
    if (!existsSync(full)) {
      problems.push({ file: display(dir, 'framework.yaml'), field: 'synonyms', message: `file not found: ${display(dir, fw.synonyms)}` });
    } else {
      const parsed = parseYamlFile(display(dir, fw.synonyms), readFileSync(full, 'utf8'), synonymsFileSchema);
      problems.push(...parsed.problems);
      synonyms = parsed.value?.groups ?? [];
      const partIds = new Set(parts.map((p) => p.id));
      synonyms.forEach((group, i) => {
        if (group.part && !partIds.has(group.part)) {
          problems.push({ file: display(dir, fw.synonyms!), field: `groups[${i}].part`, message: `"${group.part}" is not a part in framework.yaml (${[...partIds].join(', ')})` });
        }
      });
    }
  }

  if (problems.length > 0) throw new LadderContentError(problems);

  return {
    id: fw.id,
    title: fw.title,
    authority: fw.authority,
    sample: fw.sample,
    notice: fw.notice,
    reviewed: fw.reviewed,
    principles: fw.principles,
    parts,
    entries,
    byId: new Map(entries.map((e) => [e.id, e])),
    synonyms,
  };
}

function yamlFilesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const full = join(dir, rel);
    if (statSync(full).isDirectory()) out.push(...yamlFilesUnder(dir, rel));
    else if (/\.ya?ml$/.test(name)) out.push(rel);
  }
  return out;
}
