import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../project-paths';
import { z } from 'zod';
import { DEFAULT_LADDER_DIR, formatProblem, loadLadderToolkit, parseYamlFile } from './ladder-loader';
import { buildLadderIndex, searchLadder } from './ladder-search';

/**
 * Measures ladder search against a list of questions with the rung a caseworker would expect
 * (data/ladder/eval.yaml): how often that rung comes first, and how often it is in the top three.
 */
const evalSchema = z
  .object({
    questions: z.array(z.object({ q: z.string().trim().min(1), expect: z.string().trim().min(1) }).strict()).min(1),
  })
  .strict();

export interface EvalMiss {
  q: string;
  expect: string;
  got: string[];
}

export interface EvalResult {
  total: number;
  top1: number;
  top3: number;
  /** Questions whose expected entry did not come first. */
  misses: EvalMiss[];
}

export function runLadderEval(dir: string = DEFAULT_LADDER_DIR, file = 'eval.yaml'): EvalResult {
  const toolkit = loadLadderToolkit(dir);
  const index = buildLadderIndex(toolkit);
  const path = join(projectPath(dir), file);
  const parsed = parseYamlFile(path, readFileSync(path, 'utf8'), evalSchema);
  if (!parsed.value) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  let top1 = 0;
  let top3 = 0;
  const misses: EvalMiss[] = [];
  for (const { q, expect } of parsed.value.questions) {
    if (!toolkit.byId.has(expect)) throw new Error(`${path}: "${q}" expects ${expect}, which is not in the toolkit`);
    const got = searchLadder(index, q, { limit: 3 }).matches.map((m) => m.entry.id);
    if (got[0] === expect) top1++;
    if (got.includes(expect)) top3++;
    if (got[0] !== expect) misses.push({ q, expect, got });
  }
  return { total: parsed.value.questions.length, top1, top3, misses };
}
