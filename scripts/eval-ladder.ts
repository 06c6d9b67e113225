import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runLadderEval, type EvalResult } from '../services/ladder/ladder-eval';

/**
 * Prints ladder search accuracy on data/ladder/eval.yaml (the floor the tests assert) and eval-dev.yaml (also used for tuning) and, separately,
 * on the held-out sets that were never used for tuning. Held-out sets print totals only, so that
 * reading them cannot turn into tuning on them; `--show-held-out` lists their misses, for when a set
 * is retired into eval.yaml after a round. Usage: npm run eval:ladder [-- --show-held-out]
 */
function report(title: string, result: EvalResult, detail: boolean): void {
  const pct = (n: number) => `${((100 * n) / result.total).toFixed(1)}%`;
  console.log(`${title}: ${result.total} questions`);
  console.log(`  top-1 ${result.top1}/${result.total} = ${pct(result.top1)}`);
  console.log(`  top-3 ${result.top3}/${result.total} = ${pct(result.top3)}`);
  if (result.negatives) {
    console.log(`  negative cases ${result.negatives - result.intrusions.length}/${result.negatives} clean (no unrelated entry offered)`);
    if (detail) for (const i of result.intrusions) console.log(`    offered ${i.unwanted.join(', ')} (got ${i.got.join(', ')})   "${i.q}"`);
  }
  if (detail && result.misses.length) {
    console.log('  not first (expected -> got):');
    for (const m of result.misses) console.log(`    ${m.expect.padEnd(20)} -> ${m.got.join(', ') || '(nothing)'}   "${m.q}"`);
  }
}

const showHeldOut = process.argv.includes('--show-held-out');
report('ladder eval (data/ladder/eval.yaml)', runLadderEval(), true);
if (existsSync(resolve(__dirname, '..', 'data/ladder/eval-dev.yaml'))) {
  console.log('');
  report('development set, used for tuning (data/ladder/eval-dev.yaml)', runLadderEval('data/ladder', 'eval-dev.yaml'), true);
}
const heldOut = ['eval-holdout.yaml', 'eval-holdout-2.yaml'];
for (const file of heldOut) {
  if (!existsSync(resolve(__dirname, '..', 'data/ladder', file))) continue;
  console.log('');
  report(`held-out check, never used for tuning (data/ladder/${file})`, runLadderEval('data/ladder', file), showHeldOut);
}
