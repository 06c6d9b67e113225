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
