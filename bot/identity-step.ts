import { ActivityTypes, TeamsInfo, TurnContext } from 'botbuilder';
import type { Kysely } from 'kysely';
import type { Clock } from '../services/clock';
import { CONFIG_DEFAULTS } from '../services/config';
import type { Logger, RefusalLog } from '../services/logger';
import { describeError } from '../services/logger';
import { firstContactHoldUntil, noteFirstContact, releaseFirstContactHold } from '../services/alerts/alert-cases';
import { rememberConversationRef } from '../services/conversations/conversation-refs';
import type { ServiceUrlPolicy } from '../services/conversations/service-url-policy';
import { findStaffUser } from '../services/identity/staff-directory';
import { isTenantAllowed } from '../services/identity/tenant-policy';
import { parseScope } from '../services/identity/scope';
import type { Database, StaffUser } from '../services/store/database';
import { VERBS } from '../cards/verbs';
import { replyToInvokeWithMessage } from './invoke-reply';
import { withinRosterTimeout } from './teams-roster';
import { conversationTypeOf, markAnswered, onceAnswered, setActor } from './turn-actor';

export const NOT_SET_UP_MESSAGE =
  "Hello. You are not set up to use the Inclusion Assistant yet. Please ask your administrator to add you; they will need the email address you use for Teams.";

export const TENANT_REFUSED_MESSAGE =
  'Sorry, the Inclusion Assistant only serves the local authority’s own organisation, and this Teams organisation is not one of them.';

/**
 * Conversations (last saved reference) and users (first contact handled) one instance remembers,
 * so unchanged work is not repeated; when full it starts again empty, which only costs a write.
 */
const REMEMBERED_PER_INSTANCE = 10_000;

export interface IdentityStepDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  edge: EdgePolicy;
  /** ALERT_CARDS_PER_DAY: how many waiting alert cases a user's first contact delivers as cards. */
  alertCardsPerDay?: number;
  /** IDENTITY_CACHE_SECONDS and IDENTITY_CACHE_USERS; the configuration's defaults when absent. */
  identityCache?: IdentityCacheLimits;
  /** How long to wait for Teams' roster when looking up a new user's email. */
  rosterTimeoutMs?: number;
  /** Real time for the cache (CLOCK_NOW may pin the app's "today"); tests pass their own. */
  nowMs?: () => number;
}

export interface IdentityCacheLimits {
  /** How long a resolved staff user is reused: a role or scope change takes effect within this. */
  ttlMs: number;
  /** Users held; when full the cache starts again empty. */
  maxUsers: number;
}

const DEFAULT_IDENTITY_CACHE: IdentityCacheLimits = {
  ttlMs: CONFIG_DEFAULTS.IDENTITY_CACHE_SECONDS * 1000,
  maxUsers: CONFIG_DEFAULTS.IDENTITY_CACHE_USERS,
};

/** What the edge decided for every turn: set once at start from the configuration. */
export interface EdgePolicy {
  /** True when every turn carries a validated Bot Framework token (MicrosoftAppId set). */
  authenticated: boolean;
  /** ALLOWED_TENANTS; unset serves every tenant. */
  allowedTenants?: readonly string[];
  serviceUrls: ServiceUrlPolicy;
  refusals: RefusalLog;
}

function tenantOf(activity: TurnContext['activity']): string | null {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: string } };
  return activity.conversation?.tenantId ?? channelData.tenant?.id ?? null;
}

/**
 * Runs before every route: keeps the conversation reference fresh (for proactive alerts) and
 * decides who is asking. Returns false to end the turn for someone who is not a staff user.
 */
export function createIdentityStep(deps: IdentityStepDeps) {
  const cacheLimits = deps.identityCache ?? DEFAULT_IDENTITY_CACHE;
  const nowMs = deps.nowMs ?? Date.now;
  const lastSavedReference = new Map<string, string>();
  // Most turns come from people who asked a moment ago; one query per turn is measurable (bench/).
  const recentUsers = new Map<string, { user: StaffUser; until: number }>();
  // Users already known to have a personal chat: their first contact has been handled.
  const contacted = new Set<number>();

  async function resolveUser(context: TurnContext, aadObjectId: string | null): Promise<StaffUser | undefined> {
    const now = nowMs();
    if (aadObjectId) {
      const cached = recentUsers.get(aadObjectId);
      if (cached && cached.until > now) return cached.user;
    }
    let user = await findStaffUser(deps.db, { aadObjectId });
    if (!user) {
      const email = await rosterEmail(context);
      if (email) {
        user = await findStaffUser(
          deps.db,
          { aadObjectId, email, tenantId: tenantOf(context.activity) },
          { allowedTenants: deps.edge.allowedTenants, at: deps.clock.now().toISOString(), conversationType: conversationTypeOf(context) },
        );
      }
    }
    // Unknown users are not cached, so someone just added can start at once.
    if (user && aadObjectId) {
      if (recentUsers.size >= cacheLimits.maxUsers) recentUsers.clear();
      recentUsers.set(aadObjectId, { user, until: now + cacheLimits.ttlMs });
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
    const channelData = (activity.channelData ?? {}) as { team?: { id?: string }; channel?: { id?: string } };
    const outcome = await rememberConversationRef(
      deps.db,
      deps.edge.serviceUrls,
      {
        conversationId,
        conversationType: type,
        tenantId: tenantOf(activity),
        aadObjectId: type === 'personal' ? (activity.from?.aadObjectId ?? null) : null,
        teamId: channelData.team?.id ?? null,
        channelId: channelData.channel?.id ?? null,
        serviceUrl: activity.serviceUrl,
        referenceJson: json,
      },
      deps.clock.now().toISOString(),
      { authenticated: deps.edge.authenticated },
    );
    if (outcome.startsWith('refused')) {
      deps.edge.refusals.refuse(`conversation_ref.${outcome}`, { activity: activity.type });
      return;
    }
    if (lastSavedReference.size > REMEMBERED_PER_INSTANCE) lastSavedReference.clear();
    lastSavedReference.set(conversationId, json);
  }

  async function rosterEmail(context: TurnContext): Promise<string | null> {
    if (context.activity.channelId !== 'msteams' || !context.activity.from?.id) return null;
    try {
      const member = await withinRosterTimeout(TeamsInfo.getMember(context, context.activity.from.id), deps.rosterTimeoutMs);
      return member.email ?? member.userPrincipalName ?? null;
    } catch (error) {
      deps.logger.debug('identity.roster_lookup_failed', describeError(error));
      return null;
    }
  }

  async function identityStep(context: TurnContext): Promise<boolean> {
    const type = context.activity.type;
    // First of all: a turn from an organisation the authority does not serve gets nothing else.
    if (!isTenantAllowed(tenantOf(context.activity), deps.edge.allowedTenants)) {
      deps.edge.refusals.refuse('tenant_not_allowed', { activity: type });
      if (type === ActivityTypes.Message || type === ActivityTypes.Invoke) await reply(context, TENANT_REFUSED_MESSAGE);
      markAnswered(context);
      return false;
    }
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
    const conversationType = conversationTypeOf(context);
    setActor(context, { user, role: user.role, scope, aadObjectId, conversationType });
    if (conversationType === 'personal' && !contacted.has(user.id)) {
      // First contact: alerts can reach this user now; what waits for them is queued at once. A
      // failure here must not cost the user their answer: it is tried again on their next turn.
      try {
        const holdUntil = firstContactHoldUntil(nowMs());
        const queued = await noteFirstContact(deps.db, deps.clock, user.id, deps.alertCardsPerDay, holdUntil);
        if (queued > 0) {
          const staffUserId = user.id;
          onceAnswered(context, async () => {
            try {
              await releaseFirstContactHold(deps.db, staffUserId, holdUntil);
            } catch (error) {
              // The hold runs out by itself: the cards come a little later, nothing is lost.
              deps.logger.warn('alerts.first_contact_release_failed', { staffUserId, ...describeError(error) });
            }
          });
        }
        if (contacted.size > REMEMBERED_PER_INSTANCE) contacted.clear();
        contacted.add(user.id);
      } catch (error) {
        deps.logger.warn('alerts.first_contact_failed', { staffUserId: user.id, ...describeError(error) });
      }
    }
    return true;
  }
  /** After an admin changes a link, this instance stops reusing cached users at once. */
  identityStep.forgetUsers = () => recentUsers.clear();
  return identityStep;
}

async function replyNotSetUp(context: TurnContext): Promise<void> {
  await reply(context, NOT_SET_UP_MESSAGE);
}

/** A plain answer; for a card press (invoke) it is the invoke response, as Teams expects. */
async function reply(context: TurnContext, text: string): Promise<void> {
  if (context.activity.type === ActivityTypes.Invoke) await replyToInvokeWithMessage(context, text);
  else await context.sendActivity(text);
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
function isOpenToEveryone(context: TurnContext): boolean {
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
