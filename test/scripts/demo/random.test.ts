import assert from 'node:assert/strict';
import { apportion, hashText, Random, weightedSample, WeightedTable } from '../../../scripts/demo/random';

describe('demo random numbers', () => {
  it('gives the same sequence for the same seed and stream', () => {
    const a = new Random('seed', 'pupils');
    const b = new Random('seed', 'pupils');
    const first = Array.from({ length: 1000 }, () => a.nextUint32());
    assert.deepEqual(
      Array.from({ length: 1000 }, () => b.nextUint32()),
      first,
    );
  });

  it('gives different sequences for different seeds or streams', () => {
    const draw = (r: Random) => Array.from({ length: 20 }, () => r.nextUint32());
    const base = draw(new Random('seed', 'pupils'));
    assert.notDeepEqual(draw(new Random('seed2', 'pupils')), base);
    assert.notDeepEqual(draw(new Random('seed', 'exclusions')), base);
    assert.notEqual(hashText('a'), hashText('b'));
  });

  it('draws uniform numbers in [0, 1) with a sensible mean', () => {
    const r = new Random(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  });

  it('draws gamma and Poisson values with the requested means', () => {
    const r = new Random(2);
    let g = 0;
    let p = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      g += r.gamma(0.3) / 0.3;
      p += r.poisson(2.5);
    }
    assert.ok(Math.abs(g / n - 1) < 0.08, `gamma mean ${g / n}`);
    assert.ok(Math.abs(p / n - 2.5) < 0.05, `poisson mean ${p / n}`);
  });

  it('samples a weighted table in proportion to the weights', () => {
    const table = new WeightedTable([
      ['a', 1],
      ['b', 3],
      ['c', 0],
    ] as const);
    const r = new Random(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[table.sample(r)]++;
    assert.equal(counts.c, 0);
    assert.ok(Math.abs(counts.b / counts.a - 3) < 0.2);
  });

  it('apportions a total exactly, in proportion, with a minimum per part', () => {
    const parts = apportion(100_000, [70.5, 142, 104, 118, 95, 143, 95]);
    assert.equal(
      parts.reduce((s, x) => s + x, 0),
      100_000,
    );
    assert.ok(parts[5]! > parts[0]! * 2 - 10);
    const withMinimum = apportion(7, [1000, 1, 1, 1, 1, 1, 1], 1);
    assert.deepEqual(withMinimum, [1, 1, 1, 1, 1, 1, 1]);
  });

  it('samples without replacement, favouring heavier items', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const picked = weightedSample(items, (i) => (i < 100 ? 50 : 1), 100, new Random(4));
    assert.equal(new Set(picked).size, 100);
    assert.ok(picked.filter((i) => i < 100).length > 60);
  });
});
