import type { Kysely } from 'kysely';
import { claimGoLive } from '../services/alerts/alert-cases';
import { personalSubscriberKey } from '../services/alerts/subscriptions';
import { fixedClock } from '../services/clock';
import type { Database, Role } from '../services/store/database';

/** Staff rows at a time: well under SQLite's bound-parameter limit (7 columns). */
const STAFF_PER_INSERT = 300;

/**
 * The alert benches' staff: inserted, the authority live since September, and every one of them
 * joined (has talked to the bot), so every case is new to someone and is queued (a go-live run
 * would queue nothing at all).
 */
export async function insertJoinedStaff(db: Kysely<Database>, staff: readonly { email: string; role: Role; scope: string }[]): Promise<void> {
  for (let i = 0; i < staff.length; i += STAFF_PER_INSERT) {
    await db
      .insertInto('staff_user')
      .values(staff.slice(i, i + STAFF_PER_INSERT).map((s) => ({ aad_object_id: null, email: s.email, name: s.email, role: s.role, scope: s.scope, created_at: '2026-09-01T00:00:00Z' })))
      .execute();
  }
  await claimGoLive(db, fixedClock('2026-09-01T07:00:00Z'));
  const joined = await db.selectFrom('staff_user').select('id').execute();
  for (let i = 0; i < joined.length; i += STAFF_PER_INSERT) {
    await db
      .insertInto('alert_subscriber')
      .values(joined.slice(i, i + STAFF_PER_INSERT).map((u) => ({ subscriber_key: personalSubscriberKey(u.id), staff_user_id: u.id, joined_at: '2026-09-01T07:00:00Z' })))
      .execute();
  }
}
