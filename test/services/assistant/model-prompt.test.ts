import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedActions, loadAssistantPrompt, PromptError } from '../../../services/assistant/model-prompt';
import { projectPath } from '../../../services/project-paths';

describe('assistant prompt (prompts/assistant)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'assistant-prompt-'));
    cpSync(projectPath('prompts/assistant'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ships a prompt that loads, with one action per tool matching its zod schema', () => {
    const prompt = loadAssistantPrompt();
    assert.deepEqual(prompt.actions, expectedActions());
    assert.ok(prompt.completion.max_model_calls <= 3);
  });

  it('refuses actions.json that drifted from the tools, naming the file and the action', () => {
    const actions = JSON.parse(readFileSync(join(dir, 'actions.json'), 'utf8'));
    actions[5].parameters.properties = {};
    writeFileSync(join(dir, 'actions.json'), JSON.stringify(actions));
    assert.throws(() => loadAssistantPrompt(dir), (e: Error) => e instanceof PromptError && /actions\.json: \[5\] cluster_minutes: parameters differ/.test(e.message));
  });

  it('refuses an unknown action, a missing one, bad config and a prompt without its slots', () => {
    const actions = JSON.parse(readFileSync(join(dir, 'actions.json'), 'utf8'));
    writeFileSync(join(dir, 'actions.json'), JSON.stringify([...actions, { name: 'pupil_search', description: 'x', parameters: {} }]));
    assert.throws(() => loadAssistantPrompt(dir), /actions\.json: \[10\]\.name: "pupil_search" is not one of/);
    writeFileSync(join(dir, 'actions.json'), JSON.stringify(actions.slice(1)));
    assert.throws(() => loadAssistantPrompt(dir), /actions\.json: missing actions: help/);
    writeFileSync(join(dir, 'actions.json'), JSON.stringify(actions));
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, completion: { ...config.completion, max_model_calls: 9 } }));
    assert.throws(() => loadAssistantPrompt(dir), /config\.json: completion\.max_model_calls/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'skprompt.txt'), 'Pick a tool.');
    assert.throws(() => loadAssistantPrompt(dir), /skprompt\.txt: must contain \{\{districts\}\}/);
  });
});
