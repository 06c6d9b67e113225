import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import YAML from 'yaml';
import { z } from 'zod';
import { loadCalendar } from '../services/calendar/school-calendar';
import { clockFromConfig } from '../services/clock';
import { ConfigError, loadConfig, type AppConfig } from '../services/config';
import { DEMO_USERS, type DemoUser } from '../services/demo/demo-users';
import { DEFAULT_DEMO_PUPILS, isStoreEmpty, seedDemoCounty, type SeedProgress } from '../services/demo/seed-demo-county';
import { ROLE_LABELS } from '../services/identity/actor';
import { describeScope, parseScope } from '../services/identity/scope';
import { formatCount } from '../services/importers/progress';
import { parseDatabaseUrl } from '../services/store/engine';
import { openStore } from '../services/store/open-store';

/**
 * `npm run dev`: the newcomer's way in. Seeds the demo county on first run, starts the bot with
 * authentication off and the Microsoft 365 Agents Playground (a Teams-like chat page) pointed at
 * it, and stops both together. The helpers are exported for the browser test (test/e2e/), which
 * drives this very script.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** Generated files (Playground config and its log folder); git-ignored. */
export const PLAYGROUND_DIR = path.join(PROJECT_ROOT, '.playground');
export const DEFAULT_PLAYGROUND_PORT = 56150;

/** A person in the Playground's mock tenant, in the shape its config file wants. */
export interface PlaygroundPerson {
  id: string;
  name: string;
  /** Spelled as the Playground's config schema spells it. */
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

/**
 * The Playground 0.2.x's six built-in people. The first five are the demo staff users
 * (services/demo/demo-users.ts, keyed by the same AAD object ids); Lynne Robbins is deliberately
 * nobody in the store, to show what an unknown user gets.
 */
export const PLAYGROUND_PEOPLE: readonly PlaygroundPerson[] = Object.freeze([
  person('user-id-0', 'Alex', 'Wilber', 'alexw@example.com', '20'),
  person('user-id-1', 'Megan', 'Bowen', 'meganb@example.com', '21'),
  person('user-id-2', 'Adele', 'Vance', 'adelev@example.com', '22'),
  // The Playground gives Isaiah two spellings; keep both as it does.
  { ...person('user-id-3', 'Isaiah', 'Langer', 'isaiah@example.com', '23'), email: 'isaiahl@example.com' },
  person('user-id-4', 'Patti', 'Fernandez', 'pattif@example.com', '24'),
  person('user-id-5', 'Lynne', 'Robbins', 'lynner@example.com', '25'),
]);

function person(id: string, givenName: string, surname: string, upn: string, aadSuffix: string): PlaygroundPerson {
  return {
    id,
    name: `${givenName} ${surname}`,
    userPrincipleName: upn,
    // Not a valid GUID (13 digits in the last group): the Playground's own ids are like this.
    aadObjectId: `00000000-0000-0000-0000-00000000000${aadSuffix}`,
    givenName,
    surname,
    email: upn,
  };
}

/** The LA manager: the Playground's default user. */
const DEFAULT_PERSON = PLAYGROUND_PEOPLE[0]!;

function demoUserFor(who: PlaygroundPerson): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.aadObjectId === who.aadObjectId);
}

/**
 * `--as` accepts a role (la_manager, attendance_officer, school_leader, cluster_member, admin),
 * `unknown`, a first name, a full AAD object id or its last digits (20..25).
 */
export function choosePerson(choice: string | undefined): PlaygroundPerson {
  if (choice === undefined || choice.trim() === '') return DEFAULT_PERSON;
  const wanted = choice.trim().toLowerCase();
  const found = PLAYGROUND_PEOPLE.find((p) => {
    const demo = demoUserFor(p);
    if (demo?.role === wanted) return true;
    if (wanted === 'unknown' && !demo) return true;
    if (p.givenName.toLowerCase() === wanted || p.name.toLowerCase() === wanted) return true;
    if (p.aadObjectId === wanted) return true;
    return /^\d{2}$/.test(wanted) && p.aadObjectId.endsWith(`0${wanted}`);
  });
  if (!found) {
    const roles = [...new Set(DEMO_USERS.map((u) => u.role)), 'unknown'].join(', ');
    throw new UsageError(`--as ${choice}: not a demo user. Use one of ${roles}, or a first name (${PLAYGROUND_PEOPLE.map((p) => p.givenName).join(', ')}).`);
  }
  return found;
}

/** One line describing who a Playground person is to the bot. */
export function describePerson(who: PlaygroundPerson): string {
  const demo = demoUserFor(who);
  if (!demo) return `${who.name}: not a staff user (the bot will say "not set up yet")`;
  return `${who.name}: ${ROLE_LABELS[demo.role]}, ${describeScope(parseScope(demo.scope))}`;
}

/**
 * The Playground's config (schema version 0.1.1): `currentUser` is who types in the page; `users`
 * must be exactly five other people with unique ids, so it is everyone else.
 */
export function playgroundConfig(current: PlaygroundPerson): Record<string, unknown> {
  const others = PLAYGROUND_PEOPLE.filter((p) => p.id !== current.id);
  return {
    version: '0.1.1',
    tenantId: '00000000-0000-0000-0000-0000000000001',
    bot: { id: '00000000-0000-0000-0000-00000000000011', name: 'Inclusion Assistant' },
    currentUser: { ...current },
    users: others.map((p) => ({ ...p })),
    // Fixed per user, so a conversation reference the bot stores stays valid across restarts.
    personalChat: { id: `playground-personal-${current.id}` },
    groupChat: { id: 'playground-group-chat', name: 'Inclusion Team Chat' },
    team: {
      id: 'playground-team',
      name: 'Inclusion Service',
      aadGroupId: '00000000-0000-0000-0000-000000000031',
      channels: [{ id: 'playground-channel-attendance', name: 'Attendance' }],
    },
  };
}

/** Writes the config where the Playground looks for it (its working folder) and returns the path. */
export function writePlaygroundConfig(dir: string, current: PlaygroundPerson): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '.m365agentsplayground.yml');
  const header = '# Generated by scripts/dev.ts on every run: edit PLAYGROUND_PEOPLE there, not this file.\n';
  writeFileSync(file, header + YAML.stringify(playgroundConfig(current)));
  return file;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const portSchema = z.coerce.number().int().min(1).max(65535);

export interface DevOptions {
  person: PlaygroundPerson;
  pupils: number;
  seed?: string;
  /** --pupils or --seed was given (they only matter on the first run). */
  pupilsGiven: boolean;
  playgroundPort: number;
  /** Where the generated Playground config and its log folder go (PLAYGROUND_DIR, default .playground/). */
  playgroundDir: string;
}

export function parseDevArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DevOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        as: { type: 'string' },
        pupils: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  let pupils = DEFAULT_DEMO_PUPILS;
  if (values.pupils !== undefined) {
    // The seeder checks the range (it knows its own limits); this only rejects non-numbers early.
    const parsed = z.coerce.number().int().positive().safeParse(values.pupils);
    if (!parsed.success || values.pupils.trim() === '') throw new UsageError(`--pupils ${values.pupils}: must be a whole number of pupils`);
    pupils = parsed.data;
  }
  let playgroundPort = DEFAULT_PLAYGROUND_PORT;
  const rawPort = env.PLAYGROUND_PORT?.trim();
  if (rawPort) {
    const parsed = portSchema.safeParse(rawPort);
    if (!parsed.success) throw new UsageError(`configuration: PLAYGROUND_PORT is invalid: must be a port number from 1 to 65535`);
    playgroundPort = parsed.data;
  }
  const playgroundDir = env.PLAYGROUND_DIR?.trim() ? path.resolve(env.PLAYGROUND_DIR.trim()) : PLAYGROUND_DIR;
  return {
    person: choosePerson(values.as),
    pupils,
    seed: values.seed,
    pupilsGiven: values.pupils !== undefined || values.seed !== undefined,
    playgroundPort,
    playgroundDir,
  };
}

const HELP = `Usage: npm run dev -- [--as <user>] [--pupils N] [--seed S]

Seeds the demo county on first run (an empty store), then starts the bot and the
Microsoft 365 Agents Playground on http://localhost:${DEFAULT_PLAYGROUND_PORT} (PLAYGROUND_PORT).

  --as <user>   who you are in the Playground: la_manager (default), attendance_officer,
                school_leader, cluster_member, admin, or unknown (not a staff user)
  --pupils N    size of the demo county on first run (default ${formatCount(DEFAULT_DEMO_PUPILS)})
  --seed S      random seed for the demo county on first run

Environment (also read from .env): DATABASE_URL, PORT (bot, default 3978),
PLAYGROUND_PORT (default ${DEFAULT_PLAYGROUND_PORT}), PLAYGROUND_DIR (generated Playground config
and logs, default .playground/). MicrosoftAppId is ignored: the bot runs with authentication off.
`;

// ---------------------------------------------------------------------------------------------
// Ports, children, readiness

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
function signalTree(child: Child, signal: NodeJS.Signals): void {
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
async function waitForHttp(url: string, child: Child, timeoutMs: number, what: string): Promise<void> {
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

class ChildExitedError extends Error {
  constructor(
    readonly childName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChildExitedError';
  }
}

function botCommand(): { command: string; args: string[] } {
  // What `npm start` runs (tsx bot/main.ts), started through this Node so PATH does not matter.
  return { command: process.execPath, args: [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'bot', 'main.ts')] };
}

function playgroundCommand(botEndpoint: string, port: number): { command: string; args: string[] } {
  const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'agentsplayground');
  let cli: string;
  try {
    cli = realpathSync(bin);
  } catch {
    throw new UsageError(`${path.relative(PROJECT_ROOT, bin)} is missing: run \`npm install\` first (the Playground is a devDependency).`);
  }
  return { command: process.execPath, args: [cli, '-e', botEndpoint, '-c', 'msteams', '--dt', '-p', String(port)] };
}

/** The environment for the Playground: the no-op xdg-open first on PATH, our config file. */
export function playgroundEnv(base: NodeJS.ProcessEnv, configFile: string): NodeJS.ProcessEnv {
  const bin = path.join(PROJECT_ROOT, 'scripts', 'bin');
  return {
    ...base,
    PATH: [bin, base.PATH ?? ''].filter(Boolean).join(path.delimiter),
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
    // It falls back to its built-in users if it cannot find the new name but finds the old one.
    TEAMS_APP_TEST_TOOL_CONFIG_PATH: configFile,
    BROWSER: 'none',
  };
}

/** The Playground prints "Listening on <port>"; it quietly picks a random port if its own is taken. */
export function listeningPort(line: string): number | undefined {
  const match = /Listening on (\d+)/.exec(line);
  return match ? Number(match[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// First-run seeding

const PHASE_WORDS: Record<SeedProgress['phase'], string> = {
  plan: 'planning schools and pupils',
  clear: 'clearing old case data',
  county: 'local authority, districts, schools',
  pupils: 'pupils',
  enrolments: 'enrolments',
  exclusions: 'suspensions and exclusions',
  attendance: 'attendance to date',
  users: 'demo staff users',
};

/** A one-line bar redrawn in place on a terminal; one line per finished phase elsewhere. */
function seedProgressPrinter(stream: NodeJS.WriteStream): { update(p: SeedProgress): void; end(): void; abort(): void } {
  let phase: SeedProgress['phase'] | undefined;
  let last: SeedProgress | undefined;
  let lastDraw = 0;
  const line = (p: SeedProgress) => {
    const percent = p.total > 0 ? Math.floor((p.done * 100) / p.total) : 100;
    const counts = p.total > 1 ? ` (${formatCount(p.done)} of ${formatCount(p.total)})` : '';
    return `  ${PHASE_WORDS[p.phase]} ${String(percent).padStart(3)}%${counts}`;
  };
  const finishPhase = () => {
    if (!last) return;
    const done = { ...last, done: last.total };
    stream.write(stream.isTTY ? `\r${line(done)}\u001b[K\n` : `${line(done)}\n`);
  };
  return {
    update(p) {
      if (p.phase !== phase) {
        finishPhase();
        phase = p.phase;
        lastDraw = 0;
      }
      last = p;
      const now = Date.now();
      if (stream.isTTY && now - lastDraw > 100) {
        lastDraw = now;
        stream.write(`\r${line(p)}\u001b[K`);
      }
    },
    end() {
      finishPhase();
      last = undefined;
    },
    abort() {
      // Leave the half-drawn bar on its own line so the error reads cleanly.
      if (stream.isTTY && last) stream.write('\n');
      last = undefined;
    },
  };
}

/** Opens the store; seeds the demo county if it holds no case data; says which user is in it. */
async function prepareStore(config: AppConfig, options: DevOptions): Promise<void> {
  const location = parseDatabaseUrl(config.DATABASE_URL);
  const where = location.engine === 'sqlite' ? location.target : 'PostgreSQL (DATABASE_URL)';
  const store = await openStore(location);
  try {
    if (await isStoreEmpty(store)) {
      const started = Date.now();
      const wait = options.pupils >= 20_000 ? ' This takes up to a minute.' : '';
      console.log(`First run: creating the demo county (${formatCount(options.pupils)} pupils) in ${where}.${wait}`);
      const printer = seedProgressPrinter(process.stdout);
      let counts;
      try {
        counts = await seedDemoCounty(store, {
          pupils: options.pupils,
          seed: options.seed,
          clock: clockFromConfig(config.CLOCK_NOW),
          calendar: loadCalendar(config.CALENDAR_FILE),
          onProgress: (p) => printer.update(p),
        });
      } catch (error) {
        printer.abort();
        // The seed writes in one transaction: a failure leaves the store empty, not half-filled.
        throw new Error(`could not create the demo county: ${(error as Error).message}`);
      }
      printer.end();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `Demo county ready in ${seconds} s: ${formatCount(counts.pupils)} pupils in ${formatCount(counts.schools)} schools over ` +
          `${counts.districts} districts, attendance ${counts.from} to ${counts.to}, ${counts.demoUsers} demo staff users.`,
      );
    } else {
      const pupils = await store.db.selectFrom('pupil').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      console.log(`Using the data already in ${where} (${formatCount(Number(pupils.n))} pupils). To start again: npm run seed -- --force`);
      if (options.pupilsGiven) console.log('(--pupils and --seed only apply to the first run, on an empty store.)');
    }
    const staff = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', options.person.aadObjectId).executeTakeFirst();
    if (!staff && demoUserFor(options.person)) {
      console.log(
        `Note: ${options.person.name} (${options.person.aadObjectId}) is not a staff user in this store, so the bot will say "not set up yet". ` +
          'Import staff users (npm run import -- users <file>) or start again from the demo county (npm run seed -- --force).',
      );
    }
  } finally {
    await store.close();
  }
}

/**
 * `kill <npm pid>` reaches npm's `sh -c` wrapper, which dies without passing SIGTERM on, leaving
 * tsx and us running with the bot and the Playground holding their ports. So we also stop when the
 * process that launched our tsx wrapper disappears. Linux only (/proc); elsewhere a no-op.
 */
function watchLauncher(onGone: () => void): void {
  let launcher: number | undefined;
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    // Fields after "(command)": state, then the parent's pid.
    launcher = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return;
  }
  if (!launcher || launcher <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(launcher!, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        clearInterval(timer);
        onGone();
      }
    }
  }, 1000);
  timer.unref();
}

// ---------------------------------------------------------------------------------------------
// Main

function banner(options: DevOptions, playgroundUrl: string, endpoint: string): string {
  const others = PLAYGROUND_PEOPLE.filter((p) => p.id !== options.person.id).map((p) => {
    const as = demoUserFor(p)?.role ?? 'unknown';
    return `     npm run dev -- --as ${as.padEnd(19)} ${describePerson(p)}`;
  });
  const rule = '-'.repeat(78);
  return [
    '',
    rule,
    `  Open ${playgroundUrl} to chat with the bot`,
    `  You are ${describePerson(options.person)}.`,
    '  Type "help" in the chat to see what this role can do.',
    '',
    '  To act as another demo user, stop with Ctrl-C and start again as them:',
    ...others,
    '  (the Playground has no user switch in the page; its "Mock an Activity" menu can send',
    '   one activity with any "from" user.)',
    '',
    `  Bot endpoint: ${endpoint} (authentication OFF: local use only)`,
    '  Ctrl-C stops the bot and the Playground.',
    rule,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  // Relative paths (DATABASE_URL's default data/inclusion.sqlite) mean the same to us and the bot.
  process.chdir(PROJECT_ROOT);
  // Here rather than at import: the browser test imports this module and must not load .env.
  dotenv.config({ path: path.join(PROJECT_ROOT, '.env') });
  let options: DevOptions | 'help';
  let config: AppConfig;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, MicrosoftAppId: '', MicrosoftAppPassword: '' };
  try {
    options = parseDevArgs(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    // The bot validates the same environment; checking here first stops before any seeding.
    config = loadConfig(childEnv);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (process.env.MicrosoftAppId?.trim()) {
    console.log('Note: MicrosoftAppId is set in your environment; `npm run dev` ignores it and runs the bot with authentication off for the Playground.');
  }
  if (config.PORT === 0) {
    console.error('configuration: PORT must be a fixed port for `npm run dev` (the Playground needs to know it)');
    return 2;
  }

  try {
    await assertPortFree(config.PORT, undefined, 'bot', 'set PORT to another port (e.g. PORT=3979 npm run dev)');
    await assertPortFree(options.playgroundPort, undefined, 'Agents Playground', 'set PLAYGROUND_PORT to another port');
    await prepareStore(config, options);
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : `npm run dev: ${(error as Error).message}`);
    return 1;
  }

  const botUrl = `http://localhost:${config.PORT}`;
  const endpoint = `${botUrl}/api/messages`;
  const children: Child[] = [];
  let stopping = false;
  let failure: string | undefined;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const stopAll = async (code: number, message?: string) => {
    if (stopping) return;
    stopping = true;
    if (message) failure = message;
    await Promise.all(children.map((c) => stopChild(c, 5000)));
    if (failure) console.error(`\n${failure}`);
    else console.log('Stopped the bot and the Playground.');
    finish(code);
  };

  const watch = (child: Child, label: string) => {
    void child.exited.then(({ code, signal }) => {
      if (stopping) return;
      // A signal to us may arrive just after a child stopped for the same reason; let our handler win the race.
      setTimeout(() => {
        if (stopping) return;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const other = label === 'bot' ? 'the Playground' : 'the bot';
        void stopAll(1, `npm run dev: the ${label} ${how} (see its [${child.name}] lines above); stopped ${other} too.`);
      }, 300);
    });
  };

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      // Under npm and tsx one Ctrl-C can arrive more than once within milliseconds (the terminal
      // signals the whole group and the wrappers relay it); only a later, second Ctrl-C means
      // "do not wait for a graceful stop".
      if (Date.now() - firstSignalAt < 1000) return;
      console.error('Stopping immediately.');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    console.log(`\n${signal}: stopping the bot and the Playground...`);
    void stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Whatever ends this process (a second Ctrl-C, a crash, process.exit), nothing we started outlives
  // it: the children run in their own process groups, which a terminal's Ctrl-C no longer reaches.
  process.on('exit', () => children.forEach((c) => signalTree(c, 'SIGKILL')));
  watchLauncher(() => {
    if (stopping) return;
    console.log('\nThe process that started `npm run dev` has gone: stopping the bot and the Playground...');
    void stopAll(0);
  });

  const prefix = (name: string) => (line: string) => {
    if (line.trim() !== '') process.stdout.write(`[${name}] ${line}\n`);
  };

  // 1. The bot, exactly as `npm start` runs it, with authentication off.
  const bot = botCommand();
  // Authentication is off, so the bot is a local tool: loopback only, and never "production"
  // (which would refuse to start without MicrosoftAppId and ALLOWED_TENANTS).
  const botEnv = { ...childEnv, PORT: String(config.PORT), HOST: '127.0.0.1', NODE_ENV: 'development' };
  const botChild = startChild('bot', bot.command, bot.args, { cwd: PROJECT_ROOT, env: botEnv, echo: prefix('bot') });
  children.push(botChild);
  watch(botChild, 'bot');
  try {
    await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`, botChild, 60000, 'the bot');
  } catch (error) {
    await stopAll(1, `npm run dev: ${(error as Error).message} (see the [bot] lines above).`);
    return finished;
  }
  if (stopping) return finished;

  // 2. The Playground, in .playground/ (it writes a devTools/ log folder where it runs).
  const configFile = writePlaygroundConfig(options.playgroundDir, options.person);
  let playground;
  try {
    playground = playgroundCommand(endpoint, options.playgroundPort);
  } catch (error) {
    await stopAll(1, (error as Error).message);
    return finished;
  }
  let actualPort: number | undefined;
  const pgChild = startChild('playground', playground.command, playground.args, {
    cwd: options.playgroundDir,
    env: playgroundEnv(childEnv, configFile),
    echo: prefix('playground'),
  });
  pgChild.onLine((line) => (actualPort ??= listeningPort(line)));
  children.push(pgChild);
  watch(pgChild, 'Playground');
  try {
    await waitForHttp(`http://127.0.0.1:${options.playgroundPort}/`, pgChild, 60000, 'the Agents Playground');
  } catch (error) {
    if (actualPort !== undefined && actualPort !== options.playgroundPort) {
      await stopAll(1, `npm run dev: port ${options.playgroundPort} was taken, so the Playground moved to ${actualPort}; set PLAYGROUND_PORT to a free port.`);
    } else {
      await stopAll(1, `npm run dev: ${(error as Error).message} (see the [playground] lines above).`);
    }
    return finished;
  }
  if (!stopping) process.stdout.write(banner(options, `http://localhost:${options.playgroundPort}`, endpoint));
  return finished;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`npm run dev failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
