import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROMPT_DIR, expectedActions } from '../services/assistant/model-prompt';
import { projectPath } from '../services/project-paths';

/** Writes prompts/assistant/actions.json from the tools' zod schemas (the bot refuses a drifted file at start). */
const path = join(projectPath(DEFAULT_PROMPT_DIR), 'actions.json');
writeFileSync(path, JSON.stringify(expectedActions(), null, 2) + '\n');
console.log(`wrote ${path}`);
