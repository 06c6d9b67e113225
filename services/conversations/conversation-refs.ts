import type { Kysely } from 'kysely';
import type { ConversationType, Database } from '../store/database';
import { checkServiceUrl, type ServiceUrlPolicy } from './service-url-policy';

export interface ConversationRefInput {
  conversationId: string;
  conversationType: ConversationType;
  tenantId: string | null;
  aadObjectId: string | null;
  teamId: string | null;
  channelId: string | null;
  serviceUrl: string;
  /** The Bot Framework conversation reference without activityId, as JSON. */
  referenceJson: string;
}

/**
 * Keeps the latest reference for each conversation, so alerts can be posted there later. A
 * conversation that comes back after being marked gone (bot re-installed) is live again.
 */
export async function saveConversationRef(db: Kysely<Database>, ref: ConversationRefInput, at: string): Promise<void> {
  const row = {
    conversation_id: ref.conversationId,
    conversation_type: ref.conversationType,
    tenant_id: ref.tenantId,
    aad_object_id: ref.aadObjectId,
    team_id: ref.teamId,
    channel_id: ref.channelId,
    service_url: ref.serviceUrl,
    reference_json: ref.referenceJson,
    updated_at: at,
    gone_at: null,
  };
  await db
    .insertInto('conversation_ref')
    .values(row)
    .onConflict((oc) =>
      oc.column('conversation_id').doUpdateSet({
        conversation_type: row.conversation_type,
        tenant_id: row.tenant_id,
        aad_object_id: row.aad_object_id,
        team_id: row.team_id,
        channel_id: row.channel_id,
        service_url: row.service_url,
        reference_json: row.reference_json,
        updated_at: row.updated_at,
        gone_at: null,
      }),
    )
    .execute();
}

export type RememberOutcome = 'saved' | 'unchanged' | 'refused_service_url' | 'refused_unauthenticated' | 'refused_other_user';

/**
 * Stores a conversation reference seen on a turn, under the rules that keep alert delivery from
 * being re-pointed: the service URL must pass the policy; a personal chat's reference changes only
 * on a turn from its own user; and its service URL (where deliveries go) changes only on an
 * authenticated turn. With authentication off (local tools on loopback only) new conversations
 * are recorded and refreshed, but never moved to another service URL.
 */
export async function rememberConversationRef(
  db: Kysely<Database>,
  policy: ServiceUrlPolicy,
  ref: ConversationRefInput,
  at: string,
  turn: { authenticated: boolean },
): Promise<RememberOutcome> {
  if (!checkServiceUrl(ref.serviceUrl, policy).ok) return 'refused_service_url';
  const existing = await db
    .selectFrom('conversation_ref')
    .select(['conversation_type', 'aad_object_id', 'service_url', 'reference_json', 'gone_at'])
    .where('conversation_id', '=', ref.conversationId)
    .executeTakeFirst();
  if (existing) {
    if (existing.reference_json === ref.referenceJson && existing.service_url === ref.serviceUrl && existing.gone_at === null) return 'unchanged';
    if (existing.conversation_type === 'personal' && existing.aad_object_id !== null && existing.aad_object_id !== ref.aadObjectId) {
      return 'refused_other_user';
    }
    // Where deliveries go changes only on a turn the Bot Framework vouched for.
    if (!turn.authenticated && existing.service_url !== ref.serviceUrl) return 'refused_unauthenticated';
  }
  await saveConversationRef(db, ref, at);
  return 'saved';
}

export async function markConversationGone(db: Kysely<Database>, conversationId: string, at: string): Promise<void> {
  await db.updateTable('conversation_ref').set({ gone_at: at }).where('conversation_id', '=', conversationId).execute();
}

export async function personalConversationFor(db: Kysely<Database>, aadObjectId: string) {
  return db
    .selectFrom('conversation_ref')
    .selectAll()
    .where('aad_object_id', '=', aadObjectId)
    .where('conversation_type', '=', 'personal')
    .where('gone_at', 'is', null)
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
}
