import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { OUT_OF_DATE, runLadderChecklist, runLadderCommand, runLadderRungAction, type LadderReply } from '../../../services/ladder/ladder-commands';
import { situationKey } from '../../../services/ladder/ladder-checklist';
import { loadLadderToolkit } from '../../../services/ladder/ladder-loader';
import { createLadderService, type RungView } from '../../../services/ladder/ladder-service';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';

async function staff(store: Store, name: string): Promise<number> {
  const row = await store.db
    .insertInto('staff_user')
    .values({ aad_object_id: null, email: `${name}@school.example`, name, role: 'school_leader', scope: 'school:100001', created_at: '2026-09-01T00:00:00.000Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function rungOf(reply: LadderReply): RungView {
  assert.equal(reply.kind, 'rung', JSON.stringify(reply));
  return (reply as { view: RungView }).view;
}

const ticked = (view: RungView) => view.checklist.flatMap((item, i) => (item.ticked ? [i] : []));

describe('ladder checklist', () => {
  const ladder = createLadderService(loadLadderToolkit());
  const question = 'Y8 keeps walking out of lessons';

  it('keys the situation by the question, however it is typed, and never stores the text', () => {
    assert.equal(situationKey('Keeps walking OUT of lessons? '), situationKey('keeps walking out of lessons'));
    assert.notEqual(situationKey('keeps walking out'), situationKey('threw a chair'));
    assert.equal(situationKey(undefined), '');
    assert.match(situationKey('keeps walking out'), /^[0-9a-f]{24}$/);
  });

  forEachEngine((getStore) => {
    const ctx = () => ({ db: getStore().db, clock: fixedClock('2026-11-25T10:00:00Z'), ladder });

    /** What Teams submits for "Save my ticks": the button's data plus every toggle's value. */
    const submit = (view: RungView, tick: number[], q = view.query) => ({
      id: view.entry.id,
      ...(q ? { q } : {}),
      ...Object.fromEntries(view.checklist.map((item, i) => [`tick-${item.key}`, tick.includes(i) ? 'true' : 'false'])),
    });

    it('saves ticks per user and situation and restores them when the same user reopens the rung', async () => {
      const sam = { staffUserId: await staff(getStore(), 'sam'), role: 'school_leader' as const };
      const kim = { staffUserId: await staff(getStore(), 'kim'), role: 'school_leader' as const };
      const opened = rungOf(await runLadderRungAction(ctx(), sam, { id: 'step-2', q: question }));
      assert.deepEqual(ticked(opened), []);

      const saved = rungOf(await runLadderChecklist(ctx(), sam, submit(opened, [0, 2])));
      assert.deepEqual(ticked(saved), [0, 2]);
      assert.equal(saved.checklistSaved, true);

      // Same user, same rung, same situation (typed differently): ticks come back.
      assert.deepEqual(ticked(rungOf(await runLadderRungAction(ctx(), sam, { id: 'step-2', q: `${question.toUpperCase()}?` }))), [0, 2]);
      // Another situation, another user, or the rung opened by name: a fresh checklist.
      assert.deepEqual(ticked(rungOf(await runLadderRungAction(ctx(), sam, { id: 'step-2', q: 'threw a chair in maths' }))), []);
      assert.deepEqual(ticked(rungOf(await runLadderRungAction(ctx(), kim, { id: 'step-2', q: question }))), []);
      assert.deepEqual(ticked(rungOf(await runLadderCommand(ctx(), sam, 'step two'))), []);

      // Unticking is saved too.
      rungOf(await runLadderChecklist(ctx(), sam, submit(opened, [2])));
      assert.deepEqual(ticked(rungOf(await runLadderRungAction(ctx(), sam, { id: 'step-2', q: question }))), [2]);
    });

    it('ignores ticks for actions the rung does not have and refuses a tampered button', async () => {
      const sam = { staffUserId: await staff(getStore(), 'sam'), role: 'school_leader' as const };
      const view = rungOf(await runLadderRungAction(ctx(), sam, { id: 'step-1' }));
      await runLadderChecklist(ctx(), sam, { ...submit(view, [1]), 'tick-0123456789ab': 'true', 'tick-<script>': 'true' });
      const rows = await getStore().db.selectFrom('ladder_checklist_tick').selectAll().execute();
      assert.equal(rows.length, view.checklist.length);
      assert.deepEqual(rows.filter((r) => r.ticked === 1).map((r) => r.item_key), [view.checklist[1]!.key]);
      assert.deepEqual(await runLadderChecklist(ctx(), sam, { id: 'gone', 'tick-0123456789ab': 'true' }), { kind: 'notice', message: OUT_OF_DATE });
    });
  });
});
