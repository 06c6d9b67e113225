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
    questions: z
      .array(
        z
          .object({
            q: z.string().trim().min(1),
            expect: z.string().trim().min(1),
            /** Entries that must not be offered at all (e.g. serious breaches unrelated to the question). */
            not_in_top3: z.array(z.string().trim().min(1)).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export interface EvalMiss {
  q: string;
  expect: string;
  got: string[];
}

/** A question that offered an entry it must not. */
export interface EvalIntrusion {
  q: string;
  unwanted: string[];
  got: string[];
}

export interface EvalResult {
  total: number;
  /** Negative cases: questions with a not_in_top3 list, and those whose matches broke it. */
  negatives: number;
  intrusions: EvalIntrusion[];
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
  const intrusions: EvalIntrusion[] = [];
  let negatives = 0;
  for (const { q, expect, not_in_top3: banned } of parsed.value.questions) {
    for (const id of [expect, ...(banned ?? [])]) {
      if (!toolkit.byId.has(id)) throw new Error(`${path}: "${q}" names ${id}, which is not in the toolkit`);
    }
    const got = searchLadder(index, q, { limit: 3 }).matches.map((m) => m.entry.id);
    if (banned) {
      negatives++;
      const unwanted = got.filter((id) => banned.includes(id));
      if (unwanted.length) intrusions.push({ q, unwanted, got });
    }
    if (got[0] === expect) top1++;
    if (got.includes(expect)) top3++;
    if (got[0] !== expect) misses.push({ q, expect, got });
  }
  return { total: parsed.value.questions.length, top1, top3, misses, negatives, intrusions };
}
