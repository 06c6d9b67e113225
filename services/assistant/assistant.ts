import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Actor } from '../identity/actor';
import type { Database } from '../store/database';
import { commandFor, isOfferedTo, understoodFor, type ToolCall } from './assistant-tools';
import { routeLocally, type RouterContext } from './local-router';
import type { ModelEngine } from './model-planner';
import { redactForModel } from './redaction';
import { isSafeguardingConcern, recordSafeguardingRedirect, safeguardingReply } from './safeguarding';

/**
 * Plain language for any channel: text no command matched becomes one of the commands (run by the
 * channel edge exactly as if typed), a choice of likely commands, or, for anything that reads like
 * a child-protection concern, the safeguarding route. No channel SDK here.
 */

export interface AssistantContext {
  db: Kysely<Database>;
  clock: Clock;
  /** SAFEGUARDING_CONTACT: the authority's safeguarding contact shown with the DSL route. */
  safeguardingContact?: string;
}

export interface CommandOption {
  /** The command text, also the button's title: pressing it sends exactly this. */
  command: string;
}

export type AssistantDecision =
  | { kind: 'safeguarding'; message: string }
  | { kind: 'run'; call: ToolCall; command: string; message: string }
  | { kind: 'suggest'; message: string; options: CommandOption[] };

export const SUGGEST_MESSAGE = 'I am not sure which of these you mean. Pick one, or type **help** for everything you can ask.';

/** "Showing the Boston agenda. Next time you can type `cluster Boston`." */
function runDecision(call: ToolCall): Extract<AssistantDecision, { kind: 'run' }> {
  const command = commandFor(call);
  return { kind: 'run', call, command, message: `${understoodFor(call)}. Next time you can type \`${command}\`.` };
}

function suggestDecision(calls: readonly ToolCall[]): Extract<AssistantDecision, { kind: 'suggest' }> {
  return { kind: 'suggest', message: SUGGEST_MESSAGE, options: calls.map((call) => ({ command: commandFor(call) })) };
}

/** The districts in the store, and the asker's own (by district scope, or their schools' districts). */
async function routerContextFor(db: Kysely<Database>, actor: Actor): Promise<RouterContext> {
  const districts = (await db.selectFrom('district').select('name').orderBy('name').execute()).map((d) => d.name);
  let own = actor.scope.county ? [] : [...actor.scope.districts];
  if (!actor.scope.county && own.length === 0 && actor.scope.schoolUrns.length > 0) {
    own = (
      await db
        .selectFrom('school')
        .innerJoin('district', 'district.id', 'school.district_id')
        .select('district.name')
        .where('school.urn', 'in', actor.scope.schoolUrns)
        .distinct()
        .execute()
    ).map((r) => r.name);
  }
  return { districts, ownDistricts: own };
}

/** The safeguarding check, then the local router. The check runs before any engine sees the text. */
async function safeguardingFirst(ctx: AssistantContext, actor: Actor, text: string): Promise<AssistantDecision | null> {
  if (!isSafeguardingConcern(text)) return null;
  await recordSafeguardingRedirect(ctx.db, ctx.clock, actor);
  return { kind: 'safeguarding', message: safeguardingReply(ctx.safeguardingContact) };
}

/**
 * What to do with text no command matched: the safeguarding check first (a concern never reaches
 * a model), then the model when one is configured (on pupils' details replaced with placeholders),
 * and the local router when there is none or it fails.
 */
export async function decide(ctx: AssistantContext, actor: Actor, text: string, model?: ModelEngine): Promise<AssistantDecision> {
  const safeguarding = await safeguardingFirst(ctx, actor, text);
  if (safeguarding) return safeguarding;
  const router = await routerContextFor(ctx.db, actor);
  if (model) {
    const outcome = await model.plan(await redactForModel(ctx.db, text, router.districts), router);
    if (outcome.kind === 'call') return runDecision(outcome.call);
  }
  const routed = routeLocally(text, router);
  if (routed.kind === 'call') return runDecision(routed.call);
  // Buttons offer only what the asker's role may use; help is always there.
  const offered = routed.suggestions.filter((call) => isOfferedTo(call.tool, actor.role));
  for (const call of [{ tool: 'help', args: {} }, { tool: 'ladder_overview', args: {} }] as ToolCall[]) {
    if (offered.length < 2 && !offered.some((c) => c.tool === call.tool)) offered.push(call);
  }
  return suggestDecision(offered);
}
