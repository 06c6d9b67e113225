import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatProblem, parseYamlFile } from '../ladder/ladder-loader';
import { projectPath } from '../project-paths';
import { parseToolCall, TOOL_NAMES, type ToolCall } from './assistant-tools';
import { routeLocally } from './local-router';
import { isSafeguardingConcern } from './safeguarding';

/**
 * Measures the plain-language router against requests with the tool (and arguments) a colleague
 * would pick: data/assistant/eval.yaml for tuning, eval-holdout.yaml kept apart and never tuned on.
 */

/** The demo county's districts (services/demo): the evaluation's store. */
export const EVAL_DISTRICTS = ['Boston', 'East Lindsey', 'Lincoln', 'North Kesteven', 'South Holland', 'South Kesteven', 'West Lindsey'];

const OUTCOMES = [...TOOL_NAMES, 'safeguarding', 'unclear'] as const;
export type EvalOutcome = (typeof OUTCOMES)[number];

const evalSchema = z
  .object({
    requests: z
      .array(
        z
          .object({
            q: z.string().trim().min(1).max(500),
            tool: z.enum(OUTCOMES as unknown as [string, ...string[]]),
            args: z.record(z.unknown()).optional(),
            own: z.array(z.string().trim().min(1)).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export interface EvalRequest {
  q: string;
  tool: EvalOutcome;
  args?: Record<string, unknown>;
  own?: string[];
}

export interface AssistantEvalMiss {
  q: string;
  expected: string;
  got: string;
}

export interface AssistantEvalResult {
  total: number;
  top1: number;
  misses: AssistantEvalMiss[];
}

function loadEvalRequests(file: string): EvalRequest[] {
  const path = projectPath(file);
  const parsed = parseYamlFile(file, readFileSync(path, 'utf8'), evalSchema);
  if (!parsed.value) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const requests = parsed.value.requests as EvalRequest[];
  for (const r of requests) {
    if (r.tool === 'safeguarding' || r.tool === 'unclear' || r.tool === 'ladder_search') continue;
    const checked = parseToolCall(r.tool, r.args ?? {});
    if (!checked.ok) throw new Error(`${file}: "${r.q}": expected arguments are not valid: ${checked.problem}`);
  }
  return requests;
}

/** What an engine decided, in the evaluation's terms. */
export type EvalAnswer = { kind: 'safeguarding' } | { kind: 'unclear' } | { kind: 'call'; call: ToolCall };

function describeAnswer(answer: EvalAnswer): string {
  return answer.kind === 'call' ? `${answer.call.tool} ${JSON.stringify(answer.call.args)}` : answer.kind;
}

/** Right when the outcome matches; for a call, the tool and (except a ladder search's own words) the arguments. */
function isRight(request: EvalRequest, answer: EvalAnswer): boolean {
  if (answer.kind !== 'call') return answer.kind === request.tool;
  if (answer.call.tool !== request.tool) return false;
  if (request.tool === 'ladder_search') return true;
  return JSON.stringify(sortKeys(answer.call.args)) === JSON.stringify(sortKeys(request.args ?? {}));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

function localAnswer(request: EvalRequest): EvalAnswer {
  if (isSafeguardingConcern(request.q)) return { kind: 'safeguarding' };
  const routed = routeLocally(request.q, { districts: EVAL_DISTRICTS, ownDistricts: request.own ?? [] });
  return routed.kind === 'call' ? routed : { kind: 'unclear' };
}

export async function runAssistantEval(file: string, answer: (request: EvalRequest) => EvalAnswer | Promise<EvalAnswer> = localAnswer): Promise<AssistantEvalResult> {
  const requests = loadEvalRequests(file);
  const misses: AssistantEvalMiss[] = [];
  for (const request of requests) {
    const got = await answer(request);
    if (!isRight(request, got)) misses.push({ q: request.q, expected: `${request.tool} ${JSON.stringify(request.args ?? {})}`, got: describeAnswer(got) });
  }
  return { total: requests.length, top1: requests.length - misses.length, misses };
}
