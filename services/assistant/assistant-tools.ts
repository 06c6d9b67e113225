import { z } from 'zod/v4';
import { COMMAND_CATALOGUE } from '../commands/command-catalogue';
import type { Role } from '../store/database';

/**
 * The assistant's tools are the bot's own commands. A tool call becomes the command text a user
 * could have typed (`cluster_agenda {district: "Boston"}` is `cluster Boston`) and runs through the
 * same route and service, so role, scope, audit and cards are exactly the command's. Each tool's
 * zod schema checks its arguments and also gives the JSON schema a language model is shown.
 */

const district = z.string().trim().min(2).max(60).describe('A district name exactly as the authority writes it, e.g. Boston or South Holland');

/** Alert type words `alerts subscribe` accepts (services/alerts/subscriptions.ts RULE_WORDS). */
const ALERT_TYPE_WORDS = ['permanent', 'cohorts', 'send', 'looked-after', 'social-worker', 'totals', 'deadlines', 'late', 'repeated', 'disproportionality'] as const;

const TOOL_SCHEMAS = {
  help: z.object({}).strict(),
  ladder_overview: z.object({}).strict(),
  ladder_search: z
    .object({
      situation: z.string().trim().min(3).max(500).describe('What is happening, in general terms: year group, behaviour, needs (EHCP, looked after), sanctions so far. Never a name.'),
    })
    .strict(),
  ladder_rung: z.object({ rung: z.enum(['pre-ladder', '1', '2', '3', '4']).describe('The rung: pre-ladder or step 1 to 4') }).strict(),
  cluster_agenda: z.object({ district }).strict(),
  cluster_minutes: z.object({ district }).strict(),
  my_actions: z.object({}).strict(),
  alerts_list: z.object({}).strict(),
  alerts_digest: z.object({}).strict(),
  alerts_subscribe: z
    .object({
      district: district.optional(),
      types: z.array(z.enum(ALERT_TYPE_WORDS)).max(ALERT_TYPE_WORDS.length).optional().describe('Leave out for every alert type'),
    })
    .strict(),
} as const;

export type ToolName = keyof typeof TOOL_SCHEMAS;
export type ToolArgs<T extends ToolName> = z.infer<(typeof TOOL_SCHEMAS)[T]>;
export type ToolCall = { [T in ToolName]: { tool: T; args: ToolArgs<T> } }[ToolName];

export const TOOL_NAMES = Object.keys(TOOL_SCHEMAS) as ToolName[];

interface ToolText<T extends ToolName> {
  /** The command a user types for this call. */
  command(args: ToolArgs<T>): string;
  /** What the bot says it understood, e.g. "Showing the Boston agenda". */
  understood(args: ToolArgs<T>): string;
  /** One line for a model's tool list. */
  description: string;
}

const TOOL_TEXT: { [T in ToolName]: ToolText<T> } = {
  help: { command: () => 'help', understood: () => 'Showing what you can ask me', description: 'What the user can ask, for their role.' },
  ladder_overview: {
    command: () => 'ladder',
    understood: () => 'Showing the whole ladder of behavioural intervention',
    description: 'The whole ladder of behavioural intervention: every rung and the one-off serious breaches.',
  },
  ladder_search: {
    command: (a) => `ladder ${a.situation}`,
    understood: () => 'Looking that situation up on the ladder of behavioural intervention',
    description: 'Find the rung of the behaviour ladder that fits a situation a school describes, with what to do, what to record and whom to call.',
  },
  ladder_rung: {
    command: (a) => (a.rung === 'pre-ladder' ? 'ladder pre-ladder' : `ladder step ${a.rung}`),
    understood: (a) => (a.rung === 'pre-ladder' ? 'Showing the pre-ladder rung' : `Showing step ${a.rung} of the ladder`),
    description: 'Open one rung of the behaviour ladder by number.',
  },
  cluster_agenda: {
    command: (a) => `cluster ${a.district}`,
    understood: (a) => `Showing the ${a.district} agenda`,
    description: "The next attendance cluster meeting's agenda for a district.",
  },
  cluster_minutes: {
    command: (a) => `cluster ${a.district} minutes`,
    understood: (a) => `Showing the minutes of the last ${a.district} cluster meeting`,
    description: 'What the latest attendance cluster meeting of a district decided.',
  },
  my_actions: {
    command: () => 'my actions',
    understood: () => 'Showing your open actions, overdue ones first',
    description: "The user's own open actions from cluster meetings, soonest due first.",
  },
  alerts_list: {
    command: () => 'alerts list',
    understood: () => 'Showing the open exclusion alerts',
    description: 'Open exclusion alerts (permanent exclusions, suspensions, deadlines) and what this chat receives.',
  },
  alerts_digest: {
    command: () => 'alerts digest',
    understood: () => "Showing this week's exclusions digest",
    description: "This week's exclusions, open deadlines and unacknowledged alerts.",
  },
  alerts_subscribe: {
    command: (a) => ['alerts subscribe', ...(a.district ? [`district ${a.district}`] : []), ...(a.types ?? [])].join(' '),
    understood: (a) => `Subscribing this chat to ${a.types?.length ? a.types.join(', ') + ' ' : ''}exclusion alerts${a.district ? ` for ${a.district}` : ''}`,
    description: 'Receive exclusion alerts in this chat, for a district or the user\'s own area.',
  },
};

export function commandFor(call: ToolCall): string {
  return (TOOL_TEXT[call.tool] as ToolText<ToolName>).command(call.args as never);
}

export function understoodFor(call: ToolCall): string {
  return (TOOL_TEXT[call.tool] as ToolText<ToolName>).understood(call.args as never);
}

export function toolDescription(tool: ToolName): string {
  return TOOL_TEXT[tool].description;
}

/** Checks a tool name and its arguments; the message names what was wrong. */
export function parseToolCall(tool: string, args: unknown): { ok: true; call: ToolCall } | { ok: false; problem: string } {
  if (!(TOOL_NAMES as string[]).includes(tool)) return { ok: false, problem: `unknown tool "${tool.slice(0, 40)}"; tools are ${TOOL_NAMES.join(', ')}` };
  const parsed = TOOL_SCHEMAS[tool as ToolName].safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `${tool}: ${issue.path.join('.') || 'arguments'}: ${issue.message}` };
  }
  return { ok: true, call: { tool, args: parsed.data } as ToolCall };
}

/** The JSON schema of a tool's arguments, from its zod schema. */
export function toolJsonSchema(tool: ToolName): Record<string, unknown> {
  const schema = z.toJSONSchema(TOOL_SCHEMAS[tool]) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** The help card's usage line each tool stands for (services/commands/command-catalogue.ts). */
const TOOL_USAGE: Record<ToolName, string> = {
  help: 'help',
  ladder_overview: 'ladder',
  ladder_search: 'ladder <what is happening>',
  ladder_rung: 'ladder <step>',
  cluster_agenda: 'cluster <district> [agenda]',
  cluster_minutes: 'cluster <district> minutes',
  my_actions: 'my actions',
  alerts_list: 'alerts list',
  alerts_digest: 'alerts digest',
  alerts_subscribe: 'alerts subscribe [county | district <name> | school <urn>] [types]',
};

/** Whether the catalogue offers this tool's command to a role (the service behind it checks again). */
export function isOfferedTo(tool: ToolName, role: Role): boolean {
  const usage = COMMAND_CATALOGUE.flatMap((c) => c.usages).find((u) => u.usage === TOOL_USAGE[tool]);
  if (!usage) throw new Error(`assistant tool ${tool}: no catalogue usage "${TOOL_USAGE[tool]}"`);
  return usage.roles.includes(role);
}
