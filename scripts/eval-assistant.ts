import { EVAL_DISTRICTS, runAssistantEval, type AssistantEvalResult, type EvalAnswer, type EvalRequest } from '../services/assistant/assistant-eval';
import { createModelEngine, type ModelEngine } from '../services/assistant/model-planner';
import { redactPatterns } from '../services/assistant/redaction';
import { isSafeguardingConcern } from '../services/assistant/safeguarding';
import { loadConfig } from '../services/config';
import { silentLogger } from '../services/logger';

/**
 * Prints the local intent router's top-1 on data/assistant/eval.yaml (the floor the tests assert)
 * and, separately, on the held-out requests never used for tuning; with OPENAI_API_KEY set, the
 * model's too (the requests hold no pupil data; UPNs and dates are replaced all the same, and
 * disclosures are never sent). Usage: npm run eval:assistant
 */
function modelAnswer(engine: ModelEngine) {
  return async (request: EvalRequest): Promise<EvalAnswer> => {
    if (isSafeguardingConcern(request.q)) return { kind: 'safeguarding' };
    const outcome = await engine.plan(redactPatterns(request.q), { districts: EVAL_DISTRICTS, ownDistricts: request.own ?? [] });
    return outcome.kind === 'call' ? outcome : { kind: 'unclear' };
  };
}

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
  const config = loadConfig();
  if (!config.OPENAI_API_KEY) {
    console.log('\nmodel: not measured (OPENAI_API_KEY is not set)');
    return;
  }
  const engine = createModelEngine({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS }, silentLogger);
  console.log('');
  report(`model ${config.OPENAI_MODEL}, tuning set`, await runAssistantEval('data/assistant/eval.yaml', modelAnswer(engine)));
  console.log('');
  report(`model ${config.OPENAI_MODEL}, held out`, await runAssistantEval('data/assistant/eval-holdout.yaml', modelAnswer(engine)));
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
