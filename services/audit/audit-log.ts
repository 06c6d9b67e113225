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
    })
    .execute();
}
