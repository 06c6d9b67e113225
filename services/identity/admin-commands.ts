import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Database } from '../store/database';
import type { Actor } from './actor';
import { unlinkStaffUser } from './staff-directory';
import { placeholders } from '../util/teams-text';

export const ADMIN_ONLY_MESSAGE = 'Only an administrator can use admin commands.';
const ADMIN_USAGE = placeholders('Admin commands: **admin unlink <email>** removes the Teams link of a staff account (the person links again from an allowed organisation when they next write).');

const emailSchema = z.string().trim().toLowerCase().email();

/**
 * `admin ...` text commands, for administrators only. `admin unlink <email>` undoes a Teams
 * identity binding, e.g. when the wrong person's sign-in took an account; it is audited.
 */
export async function runAdminCommand(db: Kysely<Database>, clock: Clock, actor: Actor, words: string): Promise<string> {
  if (actor.role !== 'admin') return ADMIN_ONLY_MESSAGE;
  const match = /^\s*unlink\s+(\S+)\s*$/i.exec(words);
  if (!match) return ADMIN_USAGE;
  const email = emailSchema.safeParse(match[1]);
  if (!email.success) return 'email: that is not an email address. Use **admin unlink name@example.org**.';
  const result = await unlinkStaffUser(db, email.data, { staffUserId: actor.user.id, at: clock.now().toISOString(), conversationType: actor.conversationType });
  if (!result.ok) return `No staff account has the email ${email.data}.`;
  if (!result.hadLink) return `${result.name}'s account (${email.data}) is not linked to a Teams identity; nothing changed.`;
  return `Unlinked ${result.name}'s account (${email.data}) from its Teams identity. It links again, by email, the next time they write from an allowed organisation (other bot instances notice within 30 seconds).`;
}
