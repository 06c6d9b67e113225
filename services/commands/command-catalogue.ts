import type { Role } from '../store/database';

/**
 * What the bot can do: one entry per command, read by the routes (matching), the help card and the
 * Teams manifest's command menu. Each feature adds its commands here; `roles` says who may use a
 * usage (the service behind a command checks again).
 */

/** One line of the help card. */
export interface CommandInfo {
  /** What to type, e.g. `cluster <district> agenda`. */
  usage: string;
  /** One line a school leader or LA officer understands. */
  description: string;
  /** A real example to try. */
  example?: string;
  roles: readonly Role[];
}

/** An entry of Teams' command menu (the manifest's commandLists). */
export interface MenuCommand {
  /** What Teams puts in the compose box; at most 32 characters. */
  title: string;
  /** At most 128 characters. */
  description: string;
}

export interface BotCommand {
  /** A message (after the bot's @mention is removed) that matches goes to this command's route. */
  pattern: RegExp;
  /** Its entry in Teams' command menu; none: not listed there. */
  menu?: MenuCommand;
  usages: readonly CommandInfo[];
}

const EVERYONE: readonly Role[] = ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member', 'admin'];

/**
 * Every command, in the help card's order: its route matches `pattern`, the help card shows its
 * `usages` to the roles named, and `npm run package` lists its `menu` entry in Teams' command menu
 * (manifest/build/command-lists.ts). Tests check that the routes and this list agree, and that
 * each example reaches its own command in the order the bot registers the routes (bot/app.ts).
 */
export const COMMANDS = {
  help: {
    pattern: /^\s*(help|\?|hi|hello|start|menu)\s*$/i,
    menu: { title: 'help', description: 'What I can do for you, given your role' },
    usages: [
      {
        usage: 'help',
        description: 'What you can ask me, for your role.',
        roles: EVERYONE,
      },
    ],
  },
  ladder: {
    pattern: /^\s*ladder(?:\s+[\s\S]*)?$/i,
    menu: { title: 'ladder', description: 'Behaviour intervention ladder: all rungs, a rung by number, or describe a situation' },
    usages: [
      {
        usage: 'ladder',
        description: 'The ladder of behavioural intervention: every rung and the one-off serious breaches, each one tap away.',
        roles: EVERYONE,
      },
      {
        usage: 'ladder <what is happening>',
        description: 'The rung that fits a situation, with what to do, what to record, who can help and the statutory points that apply.',
        example: 'ladder Y8 keeps walking out of lessons, PSP in place, looked after',
        roles: EVERYONE,
      },
      {
        usage: 'ladder <step>',
        description: 'Open a rung by number or name.',
        example: 'ladder step two',
        roles: EVERYONE,
      },
      {
        usage: 'ladder stats',
        description: 'What schools ask the ladder most, and what it found nothing useful for.',
        roles: ['la_manager', 'admin'],
      },
    ],
  },
  cluster: {
    pattern: /^\s*cluster(?:\s+[\s\S]*)?$/i,
    menu: { title: 'cluster', description: 'Attendance cluster meeting for a district: cluster Boston agenda, candidates or minutes' },
    usages: [
      {
        usage: 'cluster <district> [agenda]',
        description: "The next attendance cluster meeting's agenda: figures against the authority and England, cohorts, and the pupils to review: nominations, carried-over actions, then the highest need.",
        example: 'cluster Boston agenda',
        roles: EVERYONE,
      },
      {
        usage: 'cluster <district> candidates [school <name>] [cohort <cohort>]',
        description: 'Every pupil who meets the agenda criteria, ranked, by school or cohort, with a Nominate button to put one on the next meeting.',
        example: 'cluster Boston candidates cohort looked after',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
      {
        usage: 'cluster <district> minutes',
        description: 'What the latest cluster meeting decided: pupils reviewed, lead practitioners, outcomes and agreed actions.',
        example: 'cluster Boston minutes',
        roles: EVERYONE,
      },
    ],
  },
  clusterExport: {
    // Registered before `cluster`, which would read "export" as part of the district's name; group 1 is the district.
    pattern: /^\s*cluster\s+(.+?)\s+export\s*$/i,
    usages: [
      {
        usage: 'cluster <district> export',
        description: 'The agenda and the minutes as Word documents, and the pupil list as CSV, to circulate to the meeting (links work once, for 10 minutes).',
        example: 'cluster Boston export',
        roles: EVERYONE,
      },
    ],
  },
  pupil: {
    pattern: /^\s*pupil(?:\s+[\s\S]*)?$/i,
    menu: { title: 'pupil', description: 'Find a pupil in your area by name or UPN and open their attendance review' },
    usages: [
      {
        usage: 'pupil <name or UPN>',
        description: "Find a pupil on roll in your area and open their attendance review card, with their exclusions and alerts.",
        example: 'pupil Bell',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
    ],
  },
  myActions: {
    pattern: /^\s*my\s+actions\s*$/i,
    menu: { title: 'my actions', description: 'Your open actions agreed at attendance cluster meetings' },
    usages: [
      {
        usage: 'my actions',
        description: 'Your open actions from cluster meetings, soonest due first.',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
    ],
  },
  alerts: {
    pattern: /^\s*alerts?(?:\s+[\s\S]*)?$/i,
    menu: { title: 'alerts', description: 'Exclusion alerts: alerts list, subscribe, unsubscribe or digest' },
    usages: [
      {
        usage: 'alerts list',
        description: 'Which exclusion alerts this chat receives; managers and school leaders get their own area by default.',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
      {
        usage: 'alerts subscribe [county | district <name> | school <urn>] [types]',
        description: 'Receive exclusion alerts here; in a team channel, for a district. In your own chat, say where: in teams, in slack or in both. Types: permanent, cohorts, totals, deadlines, repeated, disproportionality.',
        example: 'alerts subscribe district Boston permanent cohorts',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
      {
        usage: 'alerts unsubscribe [district <name> | school <urn>]',
        description: 'Stop exclusion alerts here (all of them when no area is given).',
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
      {
        usage: 'alerts digest',
        description: "This week's exclusions, open deadlines and alerts nobody has acknowledged.",
        roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
      },
    ],
  },
  places: {
    // LA roles only, so not in Teams' command menu, which every user sees.
    pattern: /^\s*places\s*$/i,
    usages: [
      {
        usage: 'places',
        description: 'Alternative provision places in your area: occupancy per hub, who is due to leave, and permanently excluded pupils still waiting for a place on or after day 6.',
        roles: ['la_manager', 'attendance_officer', 'admin'],
      },
    ],
  },
  admin: {
    // Administrators only, so not in Teams' command menu, which every user sees.
    pattern: /^\s*admin(?:\s+[\s\S]*)?$/i,
    usages: [
      {
        usage: 'admin unlink <email>',
        description: "Remove a staff account's link to a Teams identity (e.g. the wrong person's sign-in took it); audited. They link again by email from an allowed organisation.",
        example: 'admin unlink head@school.example',
        roles: ['admin'],
      },
    ],
  },
} satisfies Record<string, BotCommand>;

export const COMMAND_CATALOGUE: readonly BotCommand[] = Object.values(COMMANDS);

/** The help card's lines for a role, in catalogue order. */
export function commandsForRole(role: Role): CommandInfo[] {
  return COMMAND_CATALOGUE.flatMap((command) => command.usages.filter((usage) => usage.roles.includes(role)));
}

/** Teams' command menu: the commands that have a menu entry, in catalogue order. */
export function menuCommands(): MenuCommand[] {
  return COMMAND_CATALOGUE.flatMap((command) => (command.menu ? [command.menu] : []));
}
