import assert from 'node:assert/strict';
import { editDistance } from '../../../services/ladder/edit-distance';

describe('edit distance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('clasroom', 'classroom', 2), 1);
    assert.equal(editDistance('exclusoin', 'exclusion', 2), 1);
    assert.equal(editDistance('kitten', 'sitting', 3), 3);
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    assert.equal(editDistance('studnet', 'student', 2), 1);
  });

  it('is zero for equal words', () => {
    assert.equal(editDistance('ladder', 'ladder', 1), 0);
  });

  it('stops early beyond the limit and says so', () => {
    assert.equal(editDistance('behaviour', 'weapon', 2), 3);
    assert.equal(editDistance('a', 'abcdef', 2), 3);
  });
});
