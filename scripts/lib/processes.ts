import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { UsageError } from './usage-error';

/** Ports, child processes (each in its own process group) and waiting until one answers. */

/** Resolves when nothing listens on the port (we could bind it), rejects with a clear message. */
export function assertPortFree(port: number, host: string | undefined, what: string, hint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        reject(new UsageError(`Port ${port} is already in use, so the ${what} cannot start there. Is another \`npm run dev\` or \`npm start\` running? Stop it, or ${hint}.`));
      } else {
        reject(error);
      }
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A free loopback port (for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit when the process has gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls back with every line the child writes (stdout and stderr). */
  onLine(listener: (line: string) => void): void;
  /** Started in its own process group, which stopChild signals as a whole. */
  group: boolean;
}

export interface ChildOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  echo?: (line: string) => void;
  /** Own process group, so stopping it stops everything it started (default true). */
  detached?: boolean;
}

export function startChild(name: string, command: string, args: string[], options: ChildOptions): Child {
  const group = options.detached ?? true;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const listeners: Array<(line: string) => void> = [];
  if (options.echo) listeners.push(options.echo);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream!.setEncoding('utf8');
    stream!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) listeners.forEach((listen) => listen(line));
    });
    stream!.on('end', () => {
      if (partial) listeners.forEach((listen) => listen(partial));
      partial = '';
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure (missing binary) emits 'error' and may never emit 'exit'.
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  return { name, process: child, exited, onLine: (listener) => listeners.push(listener), group };
}

function isRunning(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null && child.process.pid !== undefined;
}

/**
 * Signals the child's whole process group when it has one (started detached), else the child alone.
 * The bot runs as `node tsx/cli bot/main.ts`, and tsx runs the bot in a second node process: a signal
 * to the wrapper alone can leave that second process serving on the port after we have gone.
 */
export function signalTree(child: Child, signal: NodeJS.Signals): void {
  const pid = child.process.pid;
  if (pid === undefined) return;
  if (child.group) {
    try {
      process.kill(-pid, signal);
      return;
    } catch (error) {
      // ESRCH: the group has already gone.
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    }
  }
  if (isRunning(child)) child.process.kill(signal);
}

/**
 * SIGTERM to the child's process group, SIGKILL if it has not gone within `graceMs`; and once the
 * child itself has exited, SIGKILL to anything left in its group (a grandchild it did not stop).
 */
export async function stopChild(child: Child, graceMs = 15000): Promise<void> {
  if (isRunning(child)) {
    signalTree(child, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([child.exited, timer])) === 'timeout' && isRunning(child)) {
      signalTree(child, 'SIGKILL');
      await child.exited;
    }
  }
  if (child.group) signalTree(child, 'SIGKILL');
}

/** Polls `url` until it answers 200; fails early if `child` exits first. */
export async function waitForHttp(url: string, child: Child, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void child.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new ChildExitedError(child.name, `${what} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

export class ChildExitedError extends Error {
  constructor(
    readonly childName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChildExitedError';
  }
}
