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

export const COMMAND_CATALOGUE: CommandInfo[] = [
  {
    usage: 'help',
    description: 'What you can ask me, for your role.',
    roles: EVERYONE,
  },
];

export function commandsForRole(role: Role): CommandInfo[] {
  return COMMAND_CATALOGUE.filter((c) => c.roles.includes(role));
}
