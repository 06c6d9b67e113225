import type { Kysely } from 'kysely';
import { recordIdentityChange } from '../audit/audit-log';
import type { Database, StaffUser } from '../store/database';
import { isTenantAllowed } from './tenant-policy';

export interface TeamsIdentity {
  /** Entra object id from the activity; absent for some channels. */
  aadObjectId?: string | null;
  /** Email or UPN from the Teams roster, when the bot could look it up. */
  email?: string | null;
  /** The tenant the turn came from (activity.conversation.tenantId). */
  tenantId?: string | null;
}

export interface BindingRules {
  /** ALLOWED_TENANTS; unset means every tenant (local trials). */
  allowedTenants?: readonly string[];
  /** When the binding happens (ISO), for the audit row. */
  at: string;
  conversationType?: string | null;
}

/**
 * Finds the staff user behind a Teams identity: by object id first, else by email. A user first
 * matched by email gets the object id recorded (so the next turn needs no roster look-up), but
 * only for a turn from an allowed tenant, and the binding is audited; an admin can undo it
 * (`unlinkStaffUser`). Without the tenant rule, whoever in any organisation first showed a
 * matching email would take the account for good.
 */
export async function findStaffUser(db: Kysely<Database>, who: TeamsIdentity, rules?: BindingRules): Promise<StaffUser | undefined> {
  const aad = who.aadObjectId?.trim();
  if (aad) {
    const byAad = await db.selectFrom('staff_user').selectAll().where('aad_object_id', '=', aad).executeTakeFirst();
    if (byAad) return byAad;
  }
  const email = who.email?.trim().toLowerCase();
  if (!email) return undefined;
  const byEmail = await db.selectFrom('staff_user').selectAll().where('email', '=', email).executeTakeFirst();
  if (!byEmail || !aad) return byEmail;
  if (byEmail.aad_object_id) {
    // Linked to another Teams identity already: this one does not get the account.
    return undefined;
  }
  const allowedTenants = rules?.allowedTenants;
  if (allowedTenants && !isTenantAllowed(who.tenantId, allowedTenants)) return undefined;
  // Only an unlinked row is bound, so two racing turns cannot both take it.
  const bound = await db
    .updateTable('staff_user')
    .set({ aad_object_id: aad })
    .where('id', '=', byEmail.id)
    .where('aad_object_id', 'is', null)
    .executeTakeFirst();
  if (Number(bound.numUpdatedRows) !== 1) return undefined;
  await recordIdentityChange(db, {
    at: rules?.at ?? new Date().toISOString(),
    action: 'identity.bind',
    command: `email match in tenant ${who.tenantId?.trim() || 'unknown'}`,
    subjectUserId: byEmail.id,
    byStaffUserId: byEmail.id,
    aadObjectId: aad,
    conversationType: rules?.conversationType ?? null,
  });
  return { ...byEmail, aad_object_id: aad };
}

export interface SlackIdentity {
  /** Slack member id, e.g. U012AB3CD. */
  slackUserId: string;
  /** The email on the Slack profile (users.info), when it could be read. */
  email?: string | null;
  /** The Slack workspace (team id) the request came from, for the audit row. */
  teamId?: string | null;
}

/**
 * Finds the staff user behind a Slack member: by recorded slack_user_id, else by profile email. A
 * user first matched by email gets the member id recorded (only an unlinked row, so two racing
 * requests cannot both take it) and the binding is audited, as for Teams.
 */
export async function findStaffUserBySlack(db: Kysely<Database>, who: SlackIdentity, rules: { at: string; conversationType?: string | null }): Promise<StaffUser | undefined> {
  const slackId = who.slackUserId.trim();
  if (!slackId) return undefined;
  const linked = await db.selectFrom('staff_user').selectAll().where('slack_user_id', '=', slackId).executeTakeFirst();
  if (linked) return linked;
  const email = who.email?.trim().toLowerCase();
  if (!email) return undefined;
  const byEmail = await db.selectFrom('staff_user').selectAll().where('email', '=', email).executeTakeFirst();
  // Linked to another Slack member already: this one does not get the account.
  if (!byEmail || byEmail.slack_user_id) return undefined;
  const bound = await db
    .updateTable('staff_user')
    .set({ slack_user_id: slackId })
    .where('id', '=', byEmail.id)
    .where('slack_user_id', 'is', null)
    .executeTakeFirst();
  if (Number(bound.numUpdatedRows) !== 1) return undefined;
  await recordIdentityChange(db, {
    at: rules.at,
    action: 'identity.bind',
    command: `slack email match in workspace ${who.teamId?.trim() || 'unknown'} for ${slackId}`,
    subjectUserId: byEmail.id,
    byStaffUserId: byEmail.id,
    aadObjectId: null,
    conversationType: rules.conversationType ?? null,
    channel: 'slack',
  });
  return { ...byEmail, slack_user_id: slackId };
}

export type UnlinkResult = { ok: true; name: string; hadLink: boolean } | { ok: false; reason: 'not_found' };

/** An admin removes a staff user's Teams link; the next turn from that person binds again by email. */
export async function unlinkStaffUser(db: Kysely<Database>, email: string, by: { staffUserId: number; at: string; conversationType?: string | null }): Promise<UnlinkResult> {
  const address = email.trim().toLowerCase();
  const user = await db.selectFrom('staff_user').selectAll().where('email', '=', address).executeTakeFirst();
  if (!user) return { ok: false, reason: 'not_found' };
  if (!user.aad_object_id) return { ok: true, name: user.name, hadLink: false };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_user').set({ aad_object_id: null }).where('id', '=', user.id).execute();
    await recordIdentityChange(trx, {
      at: by.at,
      action: 'identity.unbind',
      command: 'admin unlink',
      subjectUserId: user.id,
      byStaffUserId: by.staffUserId,
      aadObjectId: user.aad_object_id,
      conversationType: by.conversationType ?? null,
    });
  });
  return { ok: true, name: user.name, hadLink: true };
}
