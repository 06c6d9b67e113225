import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectPath } from '../project-paths';
import { TOOL_NAMES, toolDescription, toolJsonSchema, type ToolName } from './assistant-tools';

/**
 * The model's prompt in the teams-ai layout (prompts/assistant/skprompt.txt, config.json,
 * actions.json), loaded and checked at start: a broken or drifted prompt stops the bot with a
 * message naming the file and what is wrong. actions.json must list exactly the assistant's tools
 * with the parameters their zod schemas give, so the model is never offered a shape we refuse.
 */

export const DEFAULT_PROMPT_DIR = 'prompts/assistant';

const configSchema = z
  .object({
    schema: z.literal(1.1),
    description: z.string().min(1),
    type: z.literal('completion'),
    completion: z
      .object({
        temperature: z.number().min(0).max(2),
        max_tokens: z.number().int().min(16).max(4000),
        max_model_calls: z.number().int().min(1).max(3),
        tool_choice: z.enum(['auto', 'required']),
      })
      .strict(),
  })
  .strict();

const actionsSchema = z.array(z.object({ name: z.string(), description: z.string().min(1), parameters: z.record(z.unknown()) }).strict()).min(1);

export interface AssistantPrompt {
  /** The system prompt, with {{districts}} and {{own_districts}} to fill. */
  template: string;
  completion: z.infer<typeof configSchema>['completion'];
  actions: { name: ToolName; description: string; parameters: Record<string, unknown> }[];
}

export class PromptError extends Error {
  constructor(file: string, problem: string) {
    super(`prompt ${file}: ${problem}`);
    this.name = 'PromptError';
  }
}

function readJson(dir: string, file: string): unknown {
  const path = join(projectPath(dir), file);
  if (!existsSync(path)) throw new PromptError(`${dir}/${file}`, 'file not found');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PromptError(`${dir}/${file}`, `not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

function zodProblem(dir: string, file: string, error: z.ZodError): PromptError {
  const issue = error.issues[0]!;
  return new PromptError(`${dir}/${file}`, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}

/** The actions.json the tools call for (written by `npx tsx scripts/write-assistant-actions.ts`). */
export function expectedActions(): AssistantPrompt['actions'] {
  return TOOL_NAMES.map((name) => ({ name, description: toolDescription(name), parameters: toolJsonSchema(name) }));
}

export function loadAssistantPrompt(dir: string = DEFAULT_PROMPT_DIR): AssistantPrompt {
  const promptPath = join(projectPath(dir), 'skprompt.txt');
  if (!existsSync(promptPath)) throw new PromptError(`${dir}/skprompt.txt`, 'file not found');
  const template = readFileSync(promptPath, 'utf8');
  for (const slot of ['{{districts}}', '{{own_districts}}']) {
    if (!template.includes(slot)) throw new PromptError(`${dir}/skprompt.txt`, `must contain ${slot}`);
  }
  const config = configSchema.safeParse(readJson(dir, 'config.json'));
  if (!config.success) throw zodProblem(dir, 'config.json', config.error);
  const actions = actionsSchema.safeParse(readJson(dir, 'actions.json'));
  if (!actions.success) throw zodProblem(dir, 'actions.json', actions.error);
  const expected = new Map(expectedActions().map((a) => [a.name, a]));
  for (const [i, action] of actions.data.entries()) {
    const want = expected.get(action.name as ToolName);
    if (!want) throw new PromptError(`${dir}/actions.json`, `[${i}].name: "${action.name}" is not one of the assistant's tools (${TOOL_NAMES.join(', ')})`);
    if (JSON.stringify(action.parameters) !== JSON.stringify(want.parameters)) {
      throw new PromptError(`${dir}/actions.json`, `[${i}] ${action.name}: parameters differ from the tool's zod schema; rewrite the file with scripts/write-assistant-actions.ts`);
    }
  }
  const missing = TOOL_NAMES.filter((name) => !actions.data.some((a) => a.name === name));
  if (missing.length) throw new PromptError(`${dir}/actions.json`, `missing actions: ${missing.join(', ')}`);
  return { template, completion: config.data.completion, actions: actions.data as AssistantPrompt['actions'] };
}

export function systemPrompt(prompt: AssistantPrompt, districts: readonly string[], ownDistricts: readonly string[]): string {
  return prompt.template.replace('{{districts}}', districts.join(', ') || '(none)').replace('{{own_districts}}', ownDistricts.join(', ') || '(none named)');
}
