import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The project root: the nearest folder above this module holding package.json. Walking up (rather
 * than a fixed number of `..`) keeps the same answer from the TypeScript sources (services/) and
 * from the compiled output (dist/services/), so shipped content resolves the same in both.
 */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: cannot locate the project's data folder`);
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

/** A path from configuration or a default: absolute as given, relative from the project root (not the cwd). */
export function projectPath(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}
