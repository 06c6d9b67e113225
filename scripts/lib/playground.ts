import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROLE_LABELS } from '../../services/identity/actor';
import { describeScope, parseScope } from '../../services/identity/scope';
import { PROJECT_ROOT } from '../../services/project-paths';
import { DEMO_USERS, type DemoUser } from '../demo/demo-users';
import { UsageError } from './usage-error';

/**
 * The Microsoft 365 Agents Playground as `npm run dev` and `npm run say` use it: its mock people
 * (the demo staff users), its config file, and how to start it.
 */

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
 * (scripts/demo/demo-users.ts, keyed by the same AAD object ids); Lynne Robbins is deliberately
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
export const DEFAULT_PERSON = PLAYGROUND_PEOPLE[0]!;

export function demoUserFor(who: PlaygroundPerson): DemoUser | undefined {
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
  const header = '# Generated by npm run dev (scripts/lib/playground.ts) on every run: edit PLAYGROUND_PEOPLE there, not this file.\n';
  writeFileSync(file, header + YAML.stringify(playgroundConfig(current)));
  return file;
}

export function playgroundCommand(botEndpoint: string, port: number): { command: string; args: string[] } {
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
