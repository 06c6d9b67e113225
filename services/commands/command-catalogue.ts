import type { Role } from '../store/database';

/**
 * What the bot can do, for the help card and the Teams manifest's command list. Each feature adds
 * its commands here; `roles` says who may use them (the service behind a command checks again).
 */
export interface CommandInfo {
  /** What to type, e.g. `cluster <district> agenda`. */
  usage: string;
  /** One line a school leader or LA officer understands. */
  description: string;
  /** A real example to try. */
  example?: string;
  roles: readonly Role[];
}

const EVERYONE: readonly Role[] = ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member', 'admin'];

const COMMAND_CATALOGUE: CommandInfo[] = [
  {
    usage: 'help',
    description: 'What you can ask me, for your role.',
    roles: EVERYONE,
  },
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
  {
    usage: 'cluster <district> export',
    description: 'The agenda and the minutes as Word documents, and the pupil list as CSV, to circulate to the meeting (links work once, for 10 minutes).',
    example: 'cluster Boston export',
    roles: EVERYONE,
  },
  {
    usage: 'pupil <name or UPN>',
    description: "Find a pupil on roll in your area and open their attendance review card, with their exclusions and alerts.",
    example: 'pupil Bell',
    roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
  },
  {
    usage: 'my actions',
    description: 'Your open actions from cluster meetings, soonest due first.',
    roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
  },
  {
    usage: 'alerts list',
    description: 'Which exclusion alerts this chat receives; managers and school leaders get their own area by default.',
    roles: ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member'],
  },
  {
    usage: 'alerts subscribe [county | district <name> | school <urn>] [types]',
    description: 'Receive exclusion alerts here; in a team channel, for a district. Types: permanent, cohorts, totals, deadlines, repeated, disproportionality.',
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
  {
    usage: 'admin unlink <email>',
    description: "Remove a staff account's link to a Teams identity (e.g. the wrong person's sign-in took it); audited. They link again by email from an allowed organisation.",
    example: 'admin unlink head@school.example',
    roles: ['admin'],
  },
];

export function commandsForRole(role: Role): CommandInfo[] {
  return COMMAND_CATALOGUE.filter((c) => c.roles.includes(role));
}
