import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { z } from 'zod';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { clockFromConfig } from '../../services/clock';
import { ConfigError, loadConfig, type AppConfig } from '../../services/config';
import { formatCount, percentOf, ProgressLine, type ProgressStream } from '../../services/importers/progress';
import { PROJECT_ROOT } from '../../services/project-paths';
import { parseDatabaseUrl } from '../../services/store/engine';
import { openStore } from '../../services/store/open-store';
import { DEFAULT_DEMO_PUPILS, isStoreEmpty, seedDemoCounty, type SeedProgress } from '../demo/seed-demo-county';
import {
  choosePerson,
  DEFAULT_PLAYGROUND_PORT,
  demoUserFor,
  describePerson,
  listeningPort,
  PLAYGROUND_DIR,
  PLAYGROUND_PEOPLE,
  playgroundCommand,
  playgroundEnv,
  writePlaygroundConfig,
  type PlaygroundPerson,
} from './playground';
import { assertPortFree, signalTree, startChild, stopChild, waitForHttp, type Child } from './processes';
import { UsageError } from './usage-error';

/**
 * `npm run dev`: the newcomer's way in. Seeds the demo county on first run, starts the bot with
 * authentication off and the Microsoft 365 Agents Playground (a Teams-like chat page) pointed at
 * it, and stops both together. scripts/dev.ts only calls runDev; the browser test (test/e2e/)
 * drives that script and uses the helpers in this folder.
 */

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

function botCommand(): { command: string; args: string[] } {
  // What `npm start` runs (tsx bot/main.ts), started through this Node so PATH does not matter.
  return { command: process.execPath, args: [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'bot', 'main.ts')] };
}

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
function seedProgressPrinter(stream: ProgressStream): { update(p: SeedProgress): void; end(): void; abort(): void } {
  const out = new ProgressLine(stream);
  let phase: SeedProgress['phase'] | undefined;
  let last: SeedProgress | undefined;
  let lastDraw = 0;
  const line = (p: SeedProgress) => {
    const counts = p.total > 1 ? ` (${formatCount(p.done)} of ${formatCount(p.total)})` : '';
    return `  ${PHASE_WORDS[p.phase]} ${String(percentOf(p.done, p.total)).padStart(3)}%${counts}`;
  };
  const finishPhase = () => {
    if (last) out.line(line({ ...last, done: last.total }));
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
      if (out.onTerminal && now - lastDraw > 100) {
        lastDraw = now;
        out.redraw(line(p));
      }
    },
    end() {
      finishPhase();
      last = undefined;
    },
    abort() {
      // Leave the half-drawn bar on its own line so the error reads cleanly.
      out.close();
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

/** The whole `npm run dev` session: resolves with the exit code once everything it started has stopped. */
export async function runDev(argv: readonly string[]): Promise<number> {
  // Relative paths (DATABASE_URL's default data/inclusion.sqlite) mean the same to us and the bot.
  process.chdir(PROJECT_ROOT);
  // Here rather than at import: the browser test imports this module and must not load .env.
  dotenv.config({ path: path.join(PROJECT_ROOT, '.env') });
  let options: DevOptions | 'help';
  let config: AppConfig;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, MicrosoftAppId: '', MicrosoftAppPassword: '' };
  try {
    options = parseDevArgs(argv);
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
