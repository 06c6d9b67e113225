import { config as loadDotenv } from 'dotenv';
import type { z } from 'zod';

/**
 * Runs a command-line script's main and sets the exit code. A failure prints the error's class and
 * message only: a driver's stack or cause can carry row data.
 */
export function runScript(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.stderr.write(`${name} failed: ${text.slice(0, 300)}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Reads a script's settings from the environment (and .env) through its zod schema. On a bad
 * value it prints one line naming the variable (never the value, which may be a secret) and
 * returns undefined.
 */
export function readScriptEnv<T extends z.ZodTypeAny>(schema: T): z.infer<T> | undefined {
  loadDotenv({ quiet: true } as Parameters<typeof loadDotenv>[0]);
  const parsed = schema.safeParse(process.env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  process.stderr.write(`configuration: ${String(issue.path[0])} is invalid: ${issue.message}\n`);
  return undefined;
}
