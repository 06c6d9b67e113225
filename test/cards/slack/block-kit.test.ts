import assert from 'node:assert/strict';
import { clip, context, fieldSections, longSection, message, mrkdwnFromMarkdown, section, MAX_BLOCKS, MAX_FIELDS, MAX_FIELD_TEXT, MAX_HEADER, MAX_TEXT, type Block, type SlackMessage } from '../../../cards/slack/block-kit';
import { helpBlocks } from '../../../cards/slack/help-blocks';
import { myActionsBlocks } from '../../../cards/slack/my-actions-blocks';
import { ladderOverviewBlocks, ladderResultsBlocks, ladderRungBlocks } from '../../../cards/slack/ladder-blocks';
import { commandsForRole } from '../../../services/commands/command-catalogue';
import { ladderServiceFor } from '../../../services/ladder/ladder-service';
import type { Role } from '../../../services/store/database';

/** Every limit Slack enforces on a message, checked on a built one. */
function assertWithinBlockKitLimits(msg: SlackMessage): void {
  assert.ok(msg.blocks.length >= 1 && msg.blocks.length <= MAX_BLOCKS, `${msg.blocks.length} blocks`);
  assert.ok(msg.text.length > 0 && msg.text.length <= MAX_TEXT);
  const ids = new Set<string>();
  for (const block of msg.blocks) {
    if (block.type === 'header') assert.ok(block.text.text.length <= MAX_HEADER);
    if (block.type === 'section') {
      assert.ok(block.text || block.fields, 'a section needs text or fields');
      if (block.text) assert.ok(block.text.text.length <= MAX_TEXT && block.text.text.length > 0);
      if (block.fields) {
        assert.ok(block.fields.length <= MAX_FIELDS);
        for (const f of block.fields) assert.ok(f.text.length <= MAX_FIELD_TEXT);
      }
    }
    if (block.type === 'actions') {
      assert.ok(block.elements.length <= 25);
      for (const e of block.elements) {
        assert.ok(e.text.text.length <= 75 && e.action_id.length <= 255);
        assert.ok(!ids.has(e.action_id), `action_id ${e.action_id} repeats`);
        ids.add(e.action_id);
        if (e.value !== undefined) assert.ok(e.value.length <= 2000);
      }
    }
  }
}

describe('Block Kit builders', () => {
  it('cut a message past 50 blocks and say so in the last one', () => {
    const blocks: Block[] = Array.from({ length: 73 }, (_, i) => section(`part ${i}`));
    const msg = message('many', blocks, 'Narrow it down.');
    assert.equal(msg.blocks.length, MAX_BLOCKS);
    assert.deepEqual(msg.blocks[48], section('part 48'));
    assert.deepEqual(msg.blocks[49], context('24 more parts not shown. Narrow it down.'));
    assert.equal(message('few', blocks.slice(0, 50)).blocks.length, 50);
  });

  it('keep a section text within 3,000 characters and split long text at line ends', () => {
    assert.equal((section('x'.repeat(5000)) as { text: { text: string } }).text.text.length, MAX_TEXT);
    assert.equal(clip('abcdef', 4), 'abc…');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
    const split = longSection(lines.join('\n'));
    assert.ok(split.length > 1);
    const rejoined = split.map((b) => (b as { text: { text: string } }).text.text).join('\n');
    assert.equal(rejoined, lines.join('\n'), 'nothing is lost when text is split');
    for (const b of split) assert.ok((b as { text: { text: string } }).text.text.length <= MAX_TEXT);
  });

  it('put at most 10 fields in a section, carrying the rest to the next', () => {
    const sections = fieldSections(Array.from({ length: 23 }, (_, i) => `field ${i}`));
    assert.deepEqual(sections.map((s) => (s as { fields: unknown[] }).fields.length), [10, 10, 3]);
  });

  it('turn Teams markdown into mrkdwn and escape Slack control characters', () => {
    assert.equal(mrkdwnFromMarkdown('Type **ladder** <now> & [the guide](https://example.org/a)'), 'Type *ladder* &lt;now&gt; &amp; <https://example.org/a|the guide>');
  });

  it('draw help for every role and every ladder view within the limits', () => {
    for (const role of ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member', 'admin'] as Role[]) {
      const msg = helpBlocks({ userName: 'Ola Officer', roleLabel: role, scopeDescription: 'Boston', commands: commandsForRole(role) });
      assertWithinBlockKitLimits(msg);
      assert.match(JSON.stringify(msg.blocks), /\/inclusion help/);
    }
    const ladder = ladderServiceFor();
    assertWithinBlockKitLimits(ladderOverviewBlocks(ladder.overview()));
    for (const entry of ladder.toolkit.entries) {
      const view = ladder.rung(entry.id, { query: 'a Y9 pupil swore at a teacher, EHC plan, looked after, 40 days suspended' })!;
      const msg = ladderRungBlocks(view);
      assertWithinBlockKitLimits(msg);
      assert.equal(msg.blocks.find((b) => b.type === 'header')?.type, 'header');
    }
    const results = ladder.search('keeps walking out of lessons, swearing, fighting, PSP in place, looked after, EHC plan');
    assert.ok(results.matches.length > 0);
    assertWithinBlockKitLimits(ladderResultsBlocks(results));
  });

  it('draw a long "my actions" within the limits, overdue ones marked, initials when the view says so', () => {
    const actions = Array.from({ length: 25 }, (_, i) => ({
      id: i + 1,
      pupilId: i + 1,
      label: `P${i}. Q.`,
      ncYear: 9,
      schoolName: 'Boston Grammar Test School',
      district: 'Boston',
      description: `Home visit and a call with the family about attendance, number ${i}. `.repeat(4),
      dueDate: '2026-11-20',
      overdue: i < 3,
      meetingDate: '2026-10-15',
    }));
    const msg = myActionsBlocks({ ownerName: 'Ola Officer', today: '2026-11-25', nameMode: 'initials', actions, more: 7 });
    assertWithinBlockKitLimits(msg);
    const text = JSON.stringify(msg.blocks);
    assert.equal(text.match(/\*Overdue\*/g)?.length, 3);
    assert.match(text, /P24\. Q\./, 'every listed action is there, split over sections rather than cut');
    assert.match(text, /7 more open actions/);
    assert.match(text, /shown by initials/);
    assert.equal(msg.text, '32 open actions, 3 overdue');
  });
});
