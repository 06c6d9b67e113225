import assert from 'node:assert/strict';
import { COMMANDS } from '../../../services/commands/command-catalogue';
import { commandFor, isOfferedTo, parseToolCall, TOOL_NAMES, toolJsonSchema, type ToolCall } from '../../../services/assistant/assistant-tools';

/** One valid call per tool: each becomes a command the bot's own routes match. */
const SAMPLES: ToolCall[] = [
  { tool: 'help', args: {} },
  { tool: 'ladder_overview', args: {} },
  { tool: 'ladder_search', args: { situation: 'Y8 keeps walking out of lessons' } },
  { tool: 'ladder_rung', args: { rung: '2' } },
  { tool: 'ladder_rung', args: { rung: 'pre-ladder' } },
  { tool: 'cluster_agenda', args: { district: 'South Holland' } },
  { tool: 'cluster_minutes', args: { district: 'Boston' } },
  { tool: 'my_actions', args: {} },
  { tool: 'alerts_list', args: {} },
  { tool: 'alerts_digest', args: {} },
  { tool: 'alerts_subscribe', args: { district: 'East Lindsey', types: ['permanent', 'deadlines'] } },
  { tool: 'alerts_subscribe', args: {} },
];

describe('assistant tools', () => {
  it('has a sample for every tool', () => {
    assert.deepEqual([...new Set(SAMPLES.map((s) => s.tool))].sort(), [...TOOL_NAMES].sort());
  });

  it('turns each call into a command its own route matches', () => {
    const expected: Record<string, RegExp> = {
      help: COMMANDS.help.pattern,
      ladder_overview: COMMANDS.ladder.pattern,
      ladder_search: COMMANDS.ladder.pattern,
      ladder_rung: COMMANDS.ladder.pattern,
      cluster_agenda: COMMANDS.cluster.pattern,
      cluster_minutes: COMMANDS.cluster.pattern,
      my_actions: COMMANDS.myActions.pattern,
      alerts_list: COMMANDS.alerts.pattern,
      alerts_digest: COMMANDS.alerts.pattern,
      alerts_subscribe: COMMANDS.alerts.pattern,
    };
    for (const call of SAMPLES) assert.match(commandFor(call), expected[call.tool]!, call.tool);
    assert.equal(commandFor({ tool: 'cluster_agenda', args: { district: 'Boston' } }), 'cluster Boston');
    assert.equal(commandFor({ tool: 'alerts_subscribe', args: { district: 'East Lindsey', types: ['permanent'] } }), 'alerts subscribe district East Lindsey permanent');
  });

  it('gives every tool an object JSON schema from its zod schema', () => {
    for (const tool of TOOL_NAMES) {
      const schema = toolJsonSchema(tool);
      assert.equal(schema.type, 'object', tool);
      assert.equal(schema.additionalProperties, false, tool);
    }
    assert.deepEqual((toolJsonSchema('cluster_agenda') as { required: string[] }).required, ['district']);
  });

  it('accepts valid arguments and names what is wrong otherwise', () => {
    for (const call of SAMPLES) assert.ok(parseToolCall(call.tool, call.args).ok, call.tool);
    const missing = parseToolCall('cluster_agenda', {});
    assert.ok(!missing.ok && /cluster_agenda: district/.test(missing.problem));
    const extra = parseToolCall('my_actions', { pupil: 'someone' });
    assert.ok(!extra.ok && /my_actions/.test(extra.problem));
    const badType = parseToolCall('alerts_subscribe', { types: ['everything'] });
    assert.ok(!badType.ok && /alerts_subscribe: types\.0/.test(badType.problem));
    const unknown = parseToolCall('pupil_search', { name: 'x' });
    assert.ok(!unknown.ok && /unknown tool "pupil_search"/.test(unknown.problem));
  });

  it("knows from the catalogue which tools each role is offered", () => {
    for (const tool of TOOL_NAMES) assert.equal(typeof isOfferedTo(tool, 'la_manager'), 'boolean');
    assert.equal(isOfferedTo('my_actions', 'admin'), false);
    assert.equal(isOfferedTo('alerts_list', 'admin'), false);
    assert.equal(isOfferedTo('help', 'admin'), true);
    assert.equal(isOfferedTo('cluster_agenda', 'school_leader'), true);
  });
});
