import { ActivityTypes, TeamsInfo, TurnContext } from 'botbuilder';
import type { Kysely } from 'kysely';
import type { Clock } from '../services/clock';
import type { Logger } from '../services/logger';
import { describeError } from '../services/logger';
import { saveConversationRef } from '../services/conversations/conversation-refs';
import { findStaffUser } from '../services/identity/staff-directory';
import { parseScope } from '../services/identity/scope';
import type { Database, StaffUser } from '../services/store/database';
import { VERBS } from '../cards/verbs';
import { conversationTypeOf, markAnswered, setActor } from './turn-actor';

export const NOT_SET_UP_MESSAGE =
  "Hello. You are not set up to use the Inclusion Assistant yet. Please ask your administrator to add you; they will need the email address you use for Teams.";

const ROSTER_LOOKUP_TIMEOUT_MS = 2000;
/** How long a resolved staff user is reused: a role or scope change takes effect within this. */
export const IDENTITY_CACHE_MS = 30_000;

export interface IdentityStepDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs before every route: keeps the conversation reference fresh (for proactive alerts) and
 * decides who is asking. Returns false to end the turn for someone who is not a staff user.
 */
export function createIdentityStep(deps: IdentityStepDeps) {
  const lastSavedReference = new Map<string, string>();
  // Most turns come from people who asked a moment ago; one query per turn is measurable (bench/).
  const recentUsers = new Map<string, { user: StaffUser; until: number }>();

  async function resolveUser(context: TurnContext, aadObjectId: string | null): Promise<StaffUser | undefined> {
    const nowMs = Date.now();
    if (aadObjectId) {
      const cached = recentUsers.get(aadObjectId);
      if (cached && cached.until > nowMs) return cached.user;
    }
    let user = await findStaffUser(deps.db, { aadObjectId });
    if (!user) {
      const email = await rosterEmail(context);
      if (email) user = await findStaffUser(deps.db, { aadObjectId, email });
    }
    // Unknown users are not cached, so someone just added can start at once.
    if (user && aadObjectId) {
      if (recentUsers.size > 5000) recentUsers.clear();
      recentUsers.set(aadObjectId, { user, until: nowMs + IDENTITY_CACHE_MS });
    }
    return user;
  }

  async function rememberConversation(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (!activity.conversation?.id || !activity.serviceUrl) return;
    const reference: Partial<ReturnType<typeof TurnContext.getConversationReference>> = TurnContext.getConversationReference(activity);
    // Without activityId a proactive post starts a new message instead of replying in a thread.
    delete reference.activityId;
    const json = JSON.stringify(reference);
    const conversationId = activity.conversation.id;
    if (lastSavedReference.get(conversationId) === json) return;
    const type = conversationTypeOf(context);
    const channelData = (activity.channelData ?? {}) as { team?: { id?: string }; channel?: { id?: string }; tenant?: { id?: string } };
    await saveConversationRef(
      deps.db,
      {
        conversationId,
        conversationType: type,
        tenantId: activity.conversation.tenantId ?? channelData.tenant?.id ?? null,
        aadObjectId: type === 'personal' ? (activity.from?.aadObjectId ?? null) : null,
        teamId: channelData.team?.id ?? null,
        channelId: channelData.channel?.id ?? null,
        serviceUrl: activity.serviceUrl,
        referenceJson: json,
      },
      deps.clock.now().toISOString(),
    );
    if (lastSavedReference.size > 10000) lastSavedReference.clear();
    lastSavedReference.set(conversationId, json);
  }

  async function rosterEmail(context: TurnContext): Promise<string | null> {
    if (context.activity.channelId !== 'msteams' || !context.activity.from?.id) return null;
    try {
      const member = await Promise.race([
        TeamsInfo.getMember(context, context.activity.from.id),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('roster look-up timed out')), ROSTER_LOOKUP_TIMEOUT_MS).unref()),
      ]);
      return member.email ?? member.userPrincipalName ?? null;
    } catch (error) {
      deps.logger.debug('identity.roster_lookup_failed', describeError(error));
      return null;
    }
  }

  return async function identityStep(context: TurnContext): Promise<boolean> {
    const type = context.activity.type;
    await rememberConversation(context);
    if (type !== ActivityTypes.Message && type !== ActivityTypes.Invoke) return true;

    const aadObjectId = context.activity.from?.aadObjectId ?? null;
    const user = await resolveUser(context, aadObjectId);
    if (!user) {
      if (isOpenToEveryone(context)) return true;
      deps.logger.info('identity.unknown_user', { activity: type });
      await replyNotSetUp(context);
      markAnswered(context);
      return false;
    }
    let scope;
    try {
      scope = parseScope(user.scope);
    } catch (error) {
      // A stored scope that no longer parses must not widen access: treat as not set up.
      deps.logger.warn('identity.bad_scope', { staffUserId: user.id, ...describeError(error) });
      await replyNotSetUp(context);
      markAnswered(context);
      return false;
    }
    setActor(context, { user, role: user.role, scope, aadObjectId, conversationType: conversationTypeOf(context) });
    return true;
  };
}

async function replyNotSetUp(context: TurnContext): Promise<void> {
  if (context.activity.type === ActivityTypes.Invoke) {
    await context.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: NOT_SET_UP_MESSAGE } },
    });
    return;
  }
  await context.sendActivity(NOT_SET_UP_MESSAGE);
}

// ---------------------------------------------------------------------------------------------
// Open to people not set up yet

/** The ladder's card buttons; feedback is then stored without a staff user. */
const OPEN_VERBS: readonly string[] = [VERBS.ladderOverview, VERBS.ladderRung, VERBS.ladderFeedback];

/**
 * The ladder of behavioural intervention holds no pupil data, so anyone in the tenant may read it
 * before an administrator adds them: `ladder ...` (not `ladder stats`) and the ladder card's
 * buttons. Everything else stays refused. Such a turn runs with no actor.
 */
export function isOpenToEveryone(context: TurnContext): boolean {
  const activity = context.activity;
  if (activity.type === ActivityTypes.Message) {
    const words = (activity.text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
    return /^ladder(\s|$)/.test(words) && !/^ladder stats?\b/.test(words);
  }
  if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
    const verb = (activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    return typeof verb === 'string' && OPEN_VERBS.includes(verb);
  }
  return false;
}
