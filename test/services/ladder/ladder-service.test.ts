import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../../services/clock';
import { OUT_OF_DATE, academicYearStart, runLadderFeedback, runLadderRungAction } from '../../../services/ladder/ladder-commands';
import { LadderContentError, loadLadderToolkit } from '../../../services/ladder/ladder-loader';
import { MAX_QUERY_LENGTH, createLadderService, ladderServiceFor } from '../../../services/ladder/ladder-service';
import { openStore, type Store } from '../../../services/store/open-store';

describe('ladder service', () => {
  const service = createLadderService(loadLadderToolkit());

  it('reads what follows "ladder"', () => {
    assert.equal(service.answer('').kind, 'overview');
    assert.equal(service.answer('  whole ladder ').kind, 'overview');
    assert.equal(service.answer('stats').kind, 'stats');
    const rung = service.answer('step two');
    assert.equal(rung.kind === 'rung' && rung.view.entry.id, 'step-2');
    const results = service.answer('pupil found with a knife');
    assert.equal(results.kind === 'results' && results.view.matches[0]?.entry.id, 'weapons');
  });

  it('gives a rung its place on the ladder and its neighbours', () => {
    const view = service.rung('step-3')!;
    assert.equal(view.position, 'Step three of four');
    assert.equal(view.previous?.id, 'step-2');
    assert.equal(view.next?.id, 'step-4');
    assert.equal(service.rung('pre-ladder')!.position, 'Before the steps');
    assert.equal(service.rung('nope'), undefined);
  });

  it('cuts a pasted essay to the longest question it reads', () => {
    const view = service.search('walked out '.repeat(200));
    assert.equal(view.query.length, MAX_QUERY_LENGTH);
  });

  it('loads the toolkit once per folder and refuses broken content', () => {
    assert.equal(ladderServiceFor(), ladderServiceFor());
    const dir = mkdtempSync(join(tmpdir(), 'ladder-'));
    try {
      cpSync('data/ladder', dir, { recursive: true });
      writeFileSync(join(dir, 'rungs/step-2.yaml'), 'id: step-2\n');
      assert.throws(() => ladderServiceFor(dir), LadderContentError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ladder commands', () => {
  const ladder = createLadderService(loadLadderToolkit());
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
  });
  afterEach(async () => store.close());
  const ctx = () => ({ db: store.db, clock: fixedClock('2026-11-25T10:00:00Z'), ladder });

  it('answers a stale or tampered button without a card', async () => {
    const actor = { staffUserId: null, role: 'school_leader' as const };
    assert.deepEqual(await runLadderRungAction(ctx(), actor, { id: 'step-9' }), { kind: 'notice', message: OUT_OF_DATE });
    assert.deepEqual(await runLadderRungAction(ctx(), actor, { id: 42 }), { kind: 'notice', message: OUT_OF_DATE });
    assert.deepEqual(await runLadderRungAction(ctx(), actor, undefined), { kind: 'notice', message: OUT_OF_DATE });
  });

  it('stores nothing for feedback on an entry the toolkit does not have', async () => {
    const reply = await runLadderFeedback(ctx(), { staffUserId: null, role: 'school_leader' }, { verdict: 'yes', id: 'gone' });
    assert.equal(reply.kind, 'notice');
    assert.equal((await store.db.selectFrom('ladder_feedback').selectAll().execute()).length, 0);
  });

  it('counts the academic year from 1 September', () => {
    assert.equal(academicYearStart('2026-11-25'), '2026-09-01');
    assert.equal(academicYearStart('2027-08-31'), '2026-09-01');
    assert.equal(academicYearStart('2026-09-01'), '2026-09-01');
  });
});
