/**
 * `npm run say -- "ladder keeps walking out of lessons" [--as school_leader] [--url http://127.0.0.1:3978]`
 *
 * Talks to the bot over HTTP without Teams: posts one Bot Framework message activity as a demo user,
 * asking for the replies in the HTTP response (deliveryMode "expectReplies"), and prints them as
 * text (cards summarised: titles, text, facts, checklists, buttons). Without --url it starts the bot
 * in this process on a free loopback port over the store in DATABASE_URL (the demo county after
 * `npm run seed`) and stops it again; with --url it talks to a bot already running with
 * authentication off (`npm run dev`, or `npm start` without MicrosoftAppId).
 */
import { randomUUID } from 'node:crypto';
import { config as loadDotenv } from 'dotenv';
import { createBotServer } from '../bot/server';
import { loadCalendar } from '../services/calendar/school-calendar';
import { clockFromConfig } from '../services/clock';
import { ConfigError, loadConfig } from '../services/config';
import { silentLogger } from '../services/logger';
import { parseDatabaseUrl } from '../services/store/engine';
import { openStore, type Store } from '../services/store/open-store';
import { summariseReplies } from './card-summary';
import { choosePerson, type PlaygroundPerson } from './lib/playground';
import { UsageError } from './lib/usage-error';
import { runScript } from './run-script';

export const SAY_HELP = `Usage: npm run say -- "<what you would type in Teams>" [--as <who>] [--url <bot address>]

  --as   a demo user: la_manager (default), attendance_officer, school_leader, cluster_member,
         admin, or unknown (someone who is not a staff user)
  --url  a bot already running with authentication off, e.g. http://127.0.0.1:3978
         (default: start the bot here over DATABASE_URL, the demo county after npm run seed)

Examples:
  npm run say -- "help"
  npm run say -- "ladder keeps walking out of lessons" --as school_leader
  npm run say -- "cluster Boston agenda" --as attendance_officer
`;

export interface SayOptions {
  text: string;
  person: PlaygroundPerson;
  url?: string;
}

export function parseSayArgs(argv: readonly string[]): SayOptions | 'help' {
  const words: string[] = [];
  let as: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--as' || arg === '--url') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (arg === '--as') as = value;
      else url = value;
    } else if (arg.startsWith('--as=')) as = arg.slice(5);
    else if (arg.startsWith('--url=')) url = arg.slice(6);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}: the options are --as and --url`);
    else words.push(arg);
  }
  const text = words.join(' ').trim();
  if (!text) throw new UsageError('say what? e.g. npm run say -- "ladder keeps walking out of lessons" --as school_leader');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url ${url}: not a web address (e.g. http://127.0.0.1:3978)`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new UsageError(`--url ${url}: use http:// or https://`);
    url = new URL(parsed.pathname === '/' || parsed.pathname === '' ? '/api/messages' : parsed.pathname, parsed).toString();
  }
  return { text, person: choosePerson(as), ...(url ? { url } : {}) };
}

/** The activity Teams would send for a 1:1 message, asking for the replies in the HTTP response. */
export function sayActivity(text: string, person: PlaygroundPerson): Record<string, unknown> {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    // Unused with expectReplies (nothing is sent to a connector); loopback so nothing leaves the machine.
    serviceUrl: 'http://127.0.0.1:1/connector/',
    timestamp: new Date().toISOString(),
    from: { id: person.id, name: person.name, aadObjectId: person.aadObjectId },
    recipient: { id: '28:inclusion-assistant', name: 'Inclusion Assistant' },
    conversation: { id: `say-${person.id}`, conversationType: 'personal', isGroup: false, tenantId: 'say-tenant' },
    channelData: { tenant: { id: 'say-tenant' } },
    deliveryMode: 'expectReplies',
    text,
  };
}

/** Posts the message and returns the bot's reply activities. */
export async function postMessage(url: string, activity: Record<string, unknown>): Promise<unknown[]> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await response.text();
  if (response.status === 401) throw new UsageError(`${url} refused the message (401): that bot has authentication on; say talks only to a bot running with it off`);
  if (response.status !== 200) throw new UsageError(`${url} answered HTTP ${response.status}`);
  const body = raw ? (JSON.parse(raw) as { activities?: Array<{ type?: string }> }) : {};
  return (body.activities ?? []).filter((a) => a.type === 'message');
}

/** Starts the bot here over `store` on a free loopback port, posts, stops it. */
export async function sayInProcess(options: SayOptions, env: NodeJS.ProcessEnv, store?: Store): Promise<unknown[]> {
  const config = loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MicrosoftAppId: '', MicrosoftAppPassword: '' });
  const own = store ?? (await openStore(parseDatabaseUrl(config.DATABASE_URL)));
  const bot = createBotServer(config, { store: own, clock: clockFromConfig(config.CLOCK_NOW), logger: silentLogger, calendar: loadCalendar(config.CALENDAR_FILE) });
  try {
    const { port } = await bot.listen(0, '127.0.0.1');
    return await postMessage(`http://127.0.0.1:${port}/api/messages`, sayActivity(options.text, options.person));
  } finally {
    await bot.close(1000);
    if (!store) await own.close();
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: SayOptions | 'help';
  try {
    options = parseSayArgs(argv);
    if (options === 'help') {
      process.stdout.write(SAY_HELP);
      return 0;
    }
    const replies = options.url ? await postMessage(options.url, sayActivity(options.text, options.person)) : await sayInProcess(options, env);
    process.stdout.write(`${summariseReplies(replies)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`say: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      process.stderr.write(`say: nothing answered at ${(options! as SayOptions).url}: is the bot running (npm run dev)?\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  loadDotenv({ quiet: true } as Parameters<typeof loadDotenv>[0]);
  runScript('say', () => main(process.argv.slice(2), process.env));
}
