import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { Logger } from '../logger';
import { parseToolCall, type ToolCall } from './assistant-tools';
import type { RouterContext } from './local-router';
import { loadAssistantPrompt, systemPrompt, type AssistantPrompt } from './model-prompt';

/**
 * The model path: text no command matched, already checked for safeguarding and with pupils'
 * details replaced, goes to an OpenAI-compatible Chat Completions endpoint with the tools. The
 * model only picks a tool: it never sees what the tool returns (the card goes to the user). Bad
 * arguments get one repair round; a turn makes at most three model calls; any failure (timeout,
 * 429, 500, no usable call) is reported so the caller falls back to the local router.
 */

export interface ModelSettings {
  apiKey: string;
  /** Any OpenAI-compatible endpoint, e.g. an Azure OpenAI v1 base URL; OpenAI's own when unset. */
  baseURL?: string;
  model: string;
  /** Per model call. */
  timeoutMs: number;
  /** The prompt folder; prompts/assistant when unset. */
  promptDir?: string;
}

export type ModelOutcome =
  | { kind: 'call'; call: ToolCall; modelCalls: number }
  | { kind: 'failed'; reason: string; modelCalls: number };

export interface ModelEngine {
  plan(redactedText: string, router: RouterContext): Promise<ModelOutcome>;
}

/** At most this many model calls in one turn, whatever the prompt's config says. */
const MAX_MODEL_CALLS = 3;

/**
 * All model calls of one turn end within this, so the local router still answers well inside
 * Teams' 15 seconds (and Slack's own limits) when the model is slow.
 */
const TURN_MODEL_BUDGET_MS = 10_000;

function describeFailure(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') return `http ${error.status}`;
  if (error instanceof OpenAI.APIConnectionError) return 'connection failed';
  return 'error';
}

/** A district argument must be one of the store's; the store's spelling is used. */
function checkDistrict(call: ToolCall, districts: readonly string[]): { ok: true; call: ToolCall } | { ok: false; problem: string } {
  const args = call.args as { district?: string };
  if (args.district === undefined) return { ok: true, call };
  const match = districts.find((d) => d.toLowerCase() === args.district!.trim().toLowerCase());
  if (!match) return { ok: false, problem: `${call.tool}: district: "${args.district.slice(0, 40)}" is not a district; use one of ${districts.join(', ')}` };
  return { ok: true, call: { ...call, args: { ...call.args, district: match } } as ToolCall };
}

export function createModelEngine(settings: ModelSettings, logger: Logger, prompt: AssistantPrompt = loadAssistantPrompt(settings.promptDir)): ModelEngine {
  const azure = settings.baseURL ? /\.azure\.com$/i.test(new URL(settings.baseURL).hostname) : false;
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    // A failure goes to the local router at once; retrying would only keep the user waiting.
    maxRetries: 0,
    ...(azure ? { defaultHeaders: { 'api-key': settings.apiKey } } : {}),
  });
  const tools: ChatCompletionTool[] = prompt.actions.map((a) => ({ type: 'function', function: { name: a.name, description: a.description, parameters: a.parameters } }));
  const maxCalls = Math.min(MAX_MODEL_CALLS, prompt.completion.max_model_calls);

  return {
    async plan(redactedText, router) {
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt(prompt, router.districts, router.ownDistricts) },
        { role: 'user', content: redactedText },
      ];
      let calls = 0;
      let repaired = false;
      const deadline = Date.now() + TURN_MODEL_BUDGET_MS;
      while (calls < maxCalls) {
        const remaining = Math.min(settings.timeoutMs, deadline - Date.now());
        if (remaining < 100) return { kind: 'failed', reason: 'turn budget spent', modelCalls: calls };
        calls++;
        let completion: OpenAI.Chat.Completions.ChatCompletion;
        try {
          completion = await client.chat.completions.create({
            model: settings.model,
            messages,
            tools,
            tool_choice: prompt.completion.tool_choice,
            temperature: prompt.completion.temperature,
            max_tokens: prompt.completion.max_tokens,
          }, { timeout: remaining });
        } catch (error) {
          const reason = describeFailure(error);
          logger.warn('assistant.model_failed', { reason, modelCalls: calls });
          return { kind: 'failed', reason, modelCalls: calls };
        }
        const message = completion.choices[0]?.message;
        const toolCalls = message?.tool_calls ?? [];
        if (!message || toolCalls.length === 0) return { kind: 'failed', reason: 'no tool call', modelCalls: calls };
        const first = toolCalls[0]!;
        let args: unknown;
        let problem: string | undefined;
        try {
          args = JSON.parse(first.function.arguments || '{}');
        } catch {
          problem = `${first.function.name}: arguments are not valid JSON`;
        }
        if (!problem) {
          const parsed = parseToolCall(first.function.name, args);
          if (parsed.ok) {
            const checked = checkDistrict(parsed.call, router.districts);
            if (checked.ok) return { kind: 'call', call: checked.call, modelCalls: calls };
            problem = checked.problem;
          } else problem = parsed.problem;
        }
        if (repaired) return { kind: 'failed', reason: 'invalid tool call after repair', modelCalls: calls };
        // One repair round: the model sees what was wrong with its call (never any data) and tries again.
        repaired = true;
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: toolCalls });
        for (const call of toolCalls) {
          messages.push({ role: 'tool', tool_call_id: call.id, content: call === first ? `Invalid call: ${problem}. Call one tool again with corrected arguments.` : 'Ignored: call only one tool.' });
        }
      }
      return { kind: 'failed', reason: 'too many model calls', modelCalls: calls };
    },
  };
}
