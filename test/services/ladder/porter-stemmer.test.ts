import assert from 'node:assert/strict';
import { porterStem } from '../../../services/ladder/porter-stemmer';

describe('porter stemmer', () => {
  // Pairs from Porter's 1980 paper.
  const cases: [string, string][] = [
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['cats', 'cat'],
    ['feed', 'feed'],
    ['agreed', 'agre'],
    ['plastered', 'plaster'],
    ['motoring', 'motor'],
    ['sing', 'sing'],
    ['conflated', 'conflat'],
    ['troubled', 'troubl'],
    ['sized', 'size'],
    ['hopping', 'hop'],
    ['falling', 'fall'],
    ['filing', 'file'],
    ['happy', 'happi'],
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['generalization', 'gener'],
    ['hopefulness', 'hope'],
    ['goodness', 'good'],
    ['revival', 'reviv'],
    ['allowance', 'allow'],
    ['adjustable', 'adjust'],
    ['effective', 'effect'],
    ['adoption', 'adopt'],
    ['probate', 'probat'],
    ['cease', 'ceas'],
    ['controll', 'control'],
  ];
  for (const [word, stem] of cases) {
    it(`${word} -> ${stem}`, () => assert.equal(porterStem(word), stem));
  }

  it('brings the forms of a school word together', () => {
    const forms = ['suspension', 'suspensions', 'suspend', 'suspended', 'suspending'].map(porterStem);
    assert.equal(new Set(forms.map((f) => f.slice(0, 6))).size, 1);
    assert.equal(porterStem('exclusions'), porterStem('exclusion'));
    assert.equal(porterStem('screening'), porterStem('screen'));
  });

  it('leaves short words alone', () => {
    assert.equal(porterStem('is'), 'is');
    assert.equal(porterStem('ap'), 'ap');
  });
});
