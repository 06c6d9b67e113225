import { runAssistantEval, type AssistantEvalResult } from '../services/assistant/assistant-eval';

/**
 * Prints the local intent router's top-1 on data/assistant/eval.yaml (the floor the tests assert)
 * and, separately, on the held-out requests never used for tuning. Usage: npm run eval:assistant
 */
function report(title: string, result: AssistantEvalResult): void {
  console.log(`${title}: ${result.total} requests`);
  console.log(`  top-1 ${result.top1}/${result.total} = ${((100 * result.top1) / result.total).toFixed(1)}%`);
  if (result.misses.length) {
    console.log('  wrong (expected -> got):');
    for (const m of result.misses) console.log(`    ${m.expected.padEnd(40)} -> ${m.got.padEnd(40)} "${m.q}"`);
  }
}

async function main(): Promise<void> {
  report('local router, tuning set (data/assistant/eval.yaml)', await runAssistantEval('data/assistant/eval.yaml'));
  console.log('');
  report('local router, held out, never used for tuning (data/assistant/eval-holdout.yaml)', await runAssistantEval('data/assistant/eval-holdout.yaml'));
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
