import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../store/database';
import type { Actor } from '../identity/actor';

/**
 * The audit trail of pupil-level reads and of actions taken on pupil records. A service that
 * returns pupil-level data calls `recordAccess` in the same unit of work, so a read cannot happen
 * without its row here.
 */
export interface AccessRecord {
  actor: Actor;
  /** e.g. `pupil.read` (one pupil in full), `pupil.list` (a list of pupils), `exclusion.acknowledge`. */
  action: string;
  /** The command or card verb that caused it, e.g. `cluster agenda`. */
  command: string;
  subjectType?: string;
  pupilIds: readonly number[];
}

export async function recordAccess(db: Kysely<Database>, clock: Clock, record: AccessRecord): Promise<void> {
  if (record.pupilIds.length === 0) return;
  const ids = [...new Set(record.pupilIds)].sort((a, b) => a - b);
  await db
    .insertInto('audit_log')
    .values({
      at: clock.now().toISOString(),
      staff_user_id: record.actor.user.id,
      aad_object_id: record.actor.aadObjectId,
      action: record.action,
      command: record.command,
      subject_type: record.subjectType ?? 'pupil',
      subject_ids: ids.join(','),
      subject_count: ids.length,
      conversation_type: record.actor.conversationType,
      ...(record.actor.channel === 'slack' ? { channel: 'slack' } : {}),
    })
    .execute();
}

export interface IdentityChange {
  at: string;
  /** `identity.bind` (a Teams object id linked to a staff user) or `identity.unbind`. */
  action: 'identity.bind' | 'identity.unbind';
  /** How: e.g. `email match in tenant <id>`, `admin unlink`. */
  command: string;
  /** The staff user whose link changed. */
  subjectUserId: number;
  /** Who did it: the user themself (bind) or the admin (unbind). */
  byStaffUserId: number;
  /** The Teams object id concerned (bound, or the one removed). */
  aadObjectId: string | null;
  conversationType?: string | null;
  /** `slack` for a Slack link; absent: Teams. */
  channel?: 'slack';
}

/** Links between Teams identities and staff accounts decide who sees pupil data: each change is kept. */
export async function recordIdentityChange(db: Kysely<Database>, change: IdentityChange): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: change.at,
      staff_user_id: change.byStaffUserId,
      aad_object_id: change.aadObjectId,
      action: change.action,
      command: change.command.slice(0, 200),
      subject_type: 'staff_user',
      subject_ids: String(change.subjectUserId),
      subject_count: 1,
      conversation_type: change.conversationType ?? null,
      ...(change.channel ? { channel: change.channel } : {}),
    })
    .execute();
}
