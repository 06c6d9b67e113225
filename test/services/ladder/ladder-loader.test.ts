import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { neighbours, rungsOf, scenariosOf } from '../../../services/ladder/ladder-content';
import { LadderContentError, loadLadderToolkit } from '../../../services/ladder/ladder-loader';

/** A private copy of the shipped toolkit to break on purpose. */
function copyToolkit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-'));
  cpSync('data/ladder', dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `edit of ${file} changed nothing`);
  writeFileSync(path, after);
}

function loadError(dir: string): LadderContentError {
  try {
    loadLadderToolkit(dir);
  } catch (error) {
    assert.ok(error instanceof LadderContentError, `expected LadderContentError, got ${String(error)}`);
    return error;
  }
  assert.fail('content loaded although it is broken');
}

describe('ladder loader', () => {
  const dirs: string[] = [];
  const broken = () => {
    const dir = copyToolkit();
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  describe('the shipped sample toolkit', () => {
    const toolkit = loadLadderToolkit();

    it('is marked as sample content', () => {
      assert.equal(toolkit.sample, true);
      assert.match(toolkit.notice ?? '', /sample/i);
    });

    it('has the pre-ladder and steps one to four in climbing order', () => {
      assert.deepEqual(
        rungsOf(toolkit).map((r) => r.id),
        ['pre-ladder', 'step-1', 'step-2', 'step-3', 'step-4'],
      );
    });

    it('has part two scenarios for one-off serious breaches', () => {
      const ids = scenariosOf(toolkit).map((s) => s.id);
      for (const id of ['drugs', 'weapons', 'assault-on-staff', 'assault-on-pupil', 'sexual-harm', 'online-abuse', 'serious-damage']) {
        assert.ok(ids.includes(id), `missing scenario ${id}`);
      }
    });

    it('gives every entry actions, evidence, services, resources and cohort notes', () => {
      for (const e of toolkit.entries) {
        assert.ok(e.school_actions.length >= 3, `${e.id}: actions`);
        assert.ok(e.evidence_to_keep.length >= 2, `${e.id}: evidence`);
        assert.ok(e.la_services.length >= 2, `${e.id}: services`);
        assert.ok(e.resources.length >= 2, `${e.id}: resources`);
        assert.ok(e.statutory_expectations.length >= 2, `${e.id}: statutory`);
        assert.ok(e.notes.looked_after && e.notes.ehc_plan && e.notes.sen_support, `${e.id}: notes`);
      }
    });

    it('links previous and next rungs within a part', () => {
      assert.equal(neighbours(toolkit, 'step-2').previous?.id, 'step-1');
      assert.equal(neighbours(toolkit, 'step-2').next?.id, 'step-3');
      assert.equal(neighbours(toolkit, 'pre-ladder').previous, undefined);
      assert.equal(neighbours(toolkit, 'step-4').next, undefined);
      assert.equal(neighbours(toolkit, 'drugs').previous, undefined, 'scenarios do not continue the rungs');
    });
  });

  describe('broken content', () => {
    it('names the file, line, column and field of a missing required field', () => {
      const dir = broken();
      edit(dir, 'rungs/step-2.yaml', (t) => t.replace(/^purpose: >-\n(  .*\n)+/m, ''));
      const error = loadError(dir);
      assert.equal(error.problems.length, 1);
      const [p] = error.problems;
      assert.match(p!.file, /rungs\/step-2\.yaml$/);
      assert.equal(p!.field, 'purpose');
      assert.equal(p!.message, 'is required');
      assert.match(error.message, /step-2\.yaml:\d+:\d+: purpose: is required/);
    });

    it('points at a misspelt key on its own line', () => {
      const dir = broken();
      edit(dir, 'rungs/step-1.yaml', (t) => t.replace('evidence_to_keep:', 'evidence_to_kep:'));
      const error = loadError(dir);
      const unknown = error.problems.find((p) => /unknown field/.test(p.message));
      assert.ok(unknown, error.message);
      assert.match(unknown.message, /evidence_to_kep/);
      const line = readFileSync(join(dir, 'rungs/step-1.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('evidence_to_kep:')) + 1;
      assert.equal(unknown.line, line);
      assert.equal(unknown.column, 1);
    });

    it('locates an item of the wrong type inside a list and explains the colon trap', () => {
      const dir = broken();
      edit(dir, 'scenarios/drugs.yaml', (t) => t.replace('  - Tell the DSL; consider exploitation', '  - Tell the DSL: consider exploitation'));
      const error = loadError(dir);
      const [p] = error.problems;
      assert.equal(p!.field, 'school_actions[2]');
      const line = readFileSync(join(dir, 'scenarios/drugs.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('Tell the DSL: consider')) + 1;
      assert.equal(p!.line, line);
      assert.match(p!.message, /put the text in quotes/);
    });

    it('reports invalid YAML with its line', () => {
      const dir = broken();
      edit(dir, 'scenarios/weapons.yaml', (t) => t.replace('aliases: [weapon, knife, knives, bladed article]', 'aliases: [weapon, knife'));
      const error = loadError(dir);
      assert.match(error.problems[0]!.message, /not valid YAML/);
      assert.ok(error.problems[0]!.line, 'has a line number');
      assert.match(error.problems[0]!.file, /weapons\.yaml$/);
    });

    it('rejects a resource link that is not a web address', () => {
      const dir = broken();
      edit(dir, 'rungs/step-3.yaml', (t) => t.replace('link: https://www.gov.uk/government/publications/send-code-of-practice-0-to-25', 'link: gov.uk/send'));
      const error = loadError(dir);
      assert.equal(error.problems[0]!.field, 'resources[0].link');
    });

    it('rejects two entries with the same id', () => {
      const dir = broken();
      edit(dir, 'rungs/step-3.yaml', (t) => t.replace('id: step-3', 'id: step-2'));
      const error = loadError(dir);
      assert.ok(error.problems.some((p) => p.field === 'id' && /already used/.test(p.message)), error.message);
    });

    it('rejects two rungs with the same order', () => {
      const dir = broken();
      edit(dir, 'rungs/step-3.yaml', (t) => t.replace('order: 3', 'order: 2'));
      const error = loadError(dir);
      assert.ok(error.problems.some((p) => p.field === 'order'), error.message);
    });

    it('reports a listed file that does not exist', () => {
      const dir = broken();
      rmSync(join(dir, 'scenarios/serious-damage.yaml'));
      const error = loadError(dir);
      assert.match(error.message, /framework\.yaml: parts\[1\]\.entries\[6\]: file not found: .*serious-damage\.yaml/);
    });

    it('reports a content file that framework.yaml does not list', () => {
      const dir = broken();
      writeFileSync(join(dir, 'scenarios/theft.yaml'), 'id: theft\n');
      const error = loadError(dir);
      assert.match(error.message, /theft\.yaml: not listed in framework\.yaml/);
    });

    it('reports a bad synonyms file', () => {
      const dir = broken();
      edit(dir, 'synonyms.yaml', (t) => t.replace('  - concept: managed move\n', '  - concept: managed move\n    phrase: [x]\n'));
      const error = loadError(dir);
      assert.ok(error.problems.some((p) => /synonyms\.yaml$/.test(p.file) && /unknown field phrase/.test(p.message)), error.message);
    });

    it('reports a synonym group pointing to a part that does not exist', () => {
      const dir = broken();
      edit(dir, 'synonyms.yaml', (t) => t.replace('  - concept: managed move\n', '  - concept: managed move\n    part: part-three\n'));
      const error = loadError(dir);
      assert.ok(error.problems.some((p) => /synonyms\.yaml$/.test(p.file) && (p.field ?? '').endsWith('.part') && /part-three/.test(p.message)), error.message);
    });

    it('collects problems from several files in one error', () => {
      const dir = broken();
      edit(dir, 'rungs/step-1.yaml', (t) => t.replace('order: 1', 'order: one'));
      edit(dir, 'scenarios/drugs.yaml', (t) => t.replace('label: Drugs', 'label: ""'));
      const error = loadError(dir);
      assert.equal(error.problems.length, 2);
      assert.match(error.message, /2 problems/);
    });

    it('needs a framework.yaml', () => {
      const dir = broken();
      rmSync(join(dir, 'framework.yaml'));
      assert.match(loadError(dir).message, /framework\.yaml: file not found/);
    });
  });
});
