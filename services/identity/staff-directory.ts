import type { Kysely } from 'kysely';
import type { Database, StaffUser } from '../store/database';

export interface TeamsIdentity {
  /** Entra object id from the activity; absent for some channels. */
  aadObjectId?: string | null;
  /** Email or UPN from the Teams roster, when the bot could look it up. */
  email?: string | null;
}

/**
 * Finds the staff user behind a Teams identity: by object id first, else by email. A user first
 * matched by email gets the object id recorded, so the next turn needs no roster look-up.
 */
export async function findStaffUser(db: Kysely<Database>, who: TeamsIdentity): Promise<StaffUser | undefined> {
  const aad = who.aadObjectId?.trim();
  if (aad) {
    const byAad = await db.selectFrom('staff_user').selectAll().where('aad_object_id', '=', aad).executeTakeFirst();
    if (byAad) return byAad;
  }
  const email = who.email?.trim().toLowerCase();
  if (!email) return undefined;
  const byEmail = await db.selectFrom('staff_user').selectAll().where('email', '=', email).executeTakeFirst();
  if (byEmail && aad && !byEmail.aad_object_id) {
    await db.updateTable('staff_user').set({ aad_object_id: aad }).where('id', '=', byEmail.id).execute();
    return { ...byEmail, aad_object_id: aad };
  }
  return byEmail;
}
