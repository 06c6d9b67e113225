import type { App } from '@slack/bolt';
import type restify from 'restify';
import { loadCalendar } from '../../services/calendar/school-calendar';
import type { ViewKind } from '../../services/cluster/cluster-commands';
import type { AppConfig } from '../../services/config';
import type { Actor } from '../../services/identity/actor';
import { parseScope } from '../../services/identity/scope';
import { findStaffUserBySlack } from '../../services/identity/staff-directory';
import { ladderServiceFor } from '../../services/ladder/ladder-service';
import { describeError, type Logger, type RefusalLog } from '../../services/logger';
import type { ConversationType } from '../../services/store/database';
import { noticeMessage, type SlackMessage } from '../../cards/slack/block-kit';
import type { BotDeps } from '../bot-deps';
import { SLACK_LADDER_ACTIONS } from '../../cards/slack/ladder-blocks';
import { runLadderOverview, runLadderRungAction } from '../../services/ladder/ladder-commands';
import { createDecider } from '../assistant-turn';
import { isOpenToEveryone, renderLadderForSlack, runSlackCommand, type SlackCommandDeps } from './slack-commands';
import { RestifyReceiver } from './slack-receiver';
import { buttonData, conversationTypeOfChannel, type SlackContext } from './slack-context';
import { registerSlackReview } from './slack-review';
import { registerSlackNames } from './slack-names';
import { registerSlackClusterViews } from './slack-cluster-views';
import { registerSlackAssign } from './slack-assign';
import { registerSlackNominate } from './slack-nominate';
import { slackMode, socketModeReceiver } from './slack-socket-mode';
import { registerSlackHome } from './slack-home';
import { acknowledgeAlert, assignAlert, snoozeAlert } from '../../services/alerts/alert-actions';
import type { AlertViewContext } from '../../services/alerts/alert-view';
import { firstContactHoldUntil, noteFirstContact, releaseFirstContactHold } from '../../services/alerts/alert-cases';
import { alertBlocks, SLACK_ALERT_ACTIONS } from '../../cards/slack/alert-blocks';

export const SLACK_NOT_SET_UP_MESSAGE =
  'Hello. You are not set up to use the Inclusion Assistant yet. Please ask your administrator to add you; they will need the email address on your Slack profile.';

export const SLACK_FAILED_MESSAGE = 'Sorry, something went wrong answering that. Please try again in a minute.';

/** The slash command the Slack app declares. */
const SLASH_COMMAND = '/inclusion';

export interface SlackEdgeOptions {
  /** The clock Slack signatures are judged by (5 minutes); the real time unless a test injects one. */
  nowMs?: () => number;
}

export interface SlackEdge {
  app: App;
  /** Closes the Socket Mode connection (nothing to do over HTTP: the server's close ends it). */
  stop(): Promise<void>;
}

/**
 * Starts Slack on the bot's restify server: Bolt (loaded only now, so a bot without Slack settings
 * never loads it) with our receiver at POST /slack/events. Slack's Web API client goes to
 * SLACK_API_URL when set.
 */
export async function startSlackEdge(server: restify.Server, config: AppConfig, deps: BotDeps, refusals: RefusalLog, options: SlackEdgeOptions = {}): Promise<SlackEdge> {
  const bolt = await import('@slack/bolt');
  const socketMode = slackMode(config) === 'socket';
  const receiver = socketMode ? socketModeReceiver(bolt, config, boltLogger(deps.logger)) : new RestifyReceiver(server, {
    signingSecret: config.SLACK_SIGNING_SECRET!,
    isValidSlackRequest: bolt.isValidSlackRequest,
    logger: deps.logger,
    refusals,
    nowMs: options.nowMs,
  });
  const app = new bolt.App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logger: boltLogger(deps.logger),
    // No conversation store: every command stands alone, and nothing is kept in memory per chat.
    convoStore: false,
    clientOptions: config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {},
  });
  const calendar = deps.calendar ?? loadCalendar(config.CALENDAR_FILE);
  const commandDeps: SlackCommandDeps = {
    ladder: { db: deps.store.db, clock: deps.clock, ladder: deps.ladder ?? ladderServiceFor() },
    cluster: { db: deps.store.db, calendar, clock: deps.clock, agendaSize: deps.clusterAgendaSize },
    alerts: { db: deps.store.db, clock: deps.clock, calendar },
    publicUrl: deps.publicUrl,
    // The same assistant as Teams (safeguarding first, then the model if any, then the local router).
    decide: createDecider({ db: deps.store.db, clock: deps.clock, safeguardingContact: deps.safeguardingContact }, deps.assistantModel, deps.logger).decide,
  };

  // First contact's held cards, by Slack user, until their request has been answered.
  const heldAtFirstContact = new Map<string, { staffUserId: number; holdUntil: string }>();
  app.use(async ({ body, next }) => {
    try {
      await next();
    } finally {
      const slackUserId = slackUserOfBody(body);
      const held = slackUserId ? heldAtFirstContact.get(slackUserId) : undefined;
      if (slackUserId && held) {
        heldAtFirstContact.delete(slackUserId);
        // A failed release only delays the cards until the hold runs out.
        await releaseFirstContactHold(deps.store.db, held.staffUserId, held.holdUntil).catch((error) => deps.logger.warn('alerts.first_contact_release_failed', describeError(error)));
      }
    }
  });

  /** Who is asking: a linked staff user, else one matched by the email on their Slack profile. */
  async function actorFor(client: App['client'], slackUserId: string, teamId: string | undefined, conversationType: ConversationType): Promise<Actor | undefined> {
    const at = deps.clock.now().toISOString();
    let user = await findStaffUserBySlack(deps.store.db, { slackUserId, teamId }, { at, conversationType });
    if (!user) {
      const email = await profileEmail(client, slackUserId);
      if (email) user = await findStaffUserBySlack(deps.store.db, { slackUserId, email, teamId }, { at, conversationType });
    }
    if (!user) return undefined;
    // A direct message is Slack's first contact, as a Teams personal chat is: alerts can reach them from now on.
    if (conversationType === 'personal') {
      // What waits for them is held until this request has been answered (the middleware below).
      const holdUntil = firstContactHoldUntil(Date.now());
      if ((await noteFirstContact(deps.store.db, deps.clock, user.id, config.ALERT_CARDS_PER_DAY, holdUntil)) > 0) heldAtFirstContact.set(slackUserId, { staffUserId: user.id, holdUntil });
    }
    try {
      return { user, role: user.role, scope: parseScope(user.scope), aadObjectId: null, conversationType, channel: 'slack' };
    } catch (error) {
      // A stored scope that no longer parses must not widen access: treat as not set up.
      deps.logger.warn('identity.bad_scope', { staffUserId: user.id, ...describeError(error) });
      return undefined;
    }
  }

  async function profileEmail(client: App['client'], slackUserId: string): Promise<string | null> {
    try {
      const info = await client.users.info({ user: slackUserId });
      return info.user?.profile?.email ?? null;
    } catch (error) {
      deps.logger.debug('slack.users_info_failed', describeError(error));
      return null;
    }
  }

  async function answer(client: App['client'], slackUserId: string, teamId: string | undefined, conversationType: ConversationType, text: string, channelId = ''): Promise<SlackMessage> {
    try {
      return await answerOrThrow(client, slackUserId, teamId, conversationType, text, channelId);
    } catch (error) {
      // The request was acknowledged already: the person must still hear that it failed.
      deps.logger.error('slack.command_failed', describeError(error));
      return noticeMessage(SLACK_FAILED_MESSAGE);
    }
  }

  async function answerOrThrow(client: App['client'], slackUserId: string, teamId: string | undefined, conversationType: ConversationType, text: string, channelId: string): Promise<SlackMessage> {
    const actor = await actorFor(client, slackUserId, teamId, conversationType);
    if (!actor && !isOpenToEveryone(text)) {
      deps.logger.info('identity.unknown_user', { channel: 'slack' });
      return noticeMessage(SLACK_NOT_SET_UP_MESSAGE);
    }
    // Outside a direct message pupils show as initials, as in Teams group chats and channels.
    const view: ViewKind = conversationType === 'personal' ? 'own' : 'shared';
    return runSlackCommand(commandDeps, actor, text, view, channelId);
  }

  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    // Acknowledged at once (Slack allows 3 s); the answer follows through response_url.
    await ack();
    const reply = await answer(client, command.user_id, command.team_id, conversationTypeOfChannel(command.channel_id, command.channel_name), command.text ?? '', command.channel_id);
    await respond({ ...reply, response_type: 'ephemeral' });
  });

  app.message(async ({ message, say, client, body }) => {
    const m = message as { channel_type?: string; subtype?: string; bot_id?: string; user?: string; text?: string };
    // Only people's own direct messages: channel messages reach us as app_mention instead.
    if (m.channel_type !== 'im' || m.subtype !== undefined || m.bot_id || !m.user) return;
    await say(await answer(client, m.user, (body as { team_id?: string }).team_id, 'personal', m.text ?? '', (message as { channel?: string }).channel));
  });

  app.event('app_mention', async ({ event, say, client, body }) => {
    if (!event.user) return;
    const text = (event.text ?? '').replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ');
    const reply = await answer(client, event.user, (body as { team_id?: string }).team_id, conversationTypeOfChannel(event.channel), text, event.channel);
    await say({ ...reply, ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}) });
  });

  // The ladder's Previous / Next / Open / Whole ladder buttons redraw the message in place. The
  // ladder holds no pupil data, so like in Teams these work for people not set up yet.
  app.action(/^ladder\.(rung|overview)(\.|$)/, async ({ action, ack, respond, body, client }) => {
    await ack();
    const pressed = action as { action_id: string; value?: string };
    const actor = await actorFor(client, body.user.id, body.team?.id ?? undefined, 'personal');
    const ladderActor = actor ? { staffUserId: actor.user.id, role: actor.role } : { staffUserId: null, role: null };
    const data = buttonData(pressed.value);
    const reply = pressed.action_id === SLACK_LADDER_ACTIONS.overview
      ? runLadderOverview(commandDeps.ladder)
      : await runLadderRungAction(commandDeps.ladder, ladderActor, data);
    await respond({ ...renderLadderForSlack(reply), replace_original: true });
  });

  // The alert card's buttons run the same alert actions as Teams (scope checked, audited, every copy bumped).
  const alertCtx: AlertViewContext = { db: deps.store.db, clock: deps.clock, calendar: commandDeps.cluster.calendar };
  app.action(/^alert\./, async ({ action, ack, respond, body, client }) => {
    await ack();
    const pressed = action as { action_id: string; value?: string };
    const channelId = (body as { channel?: { id?: string } }).channel?.id ?? 'D';
    let reply: SlackMessage & { replace_original?: boolean; response_type?: 'ephemeral' };
    try {
      const actor = await actorFor(client, body.user.id, body.team?.id ?? undefined, conversationTypeOfChannel(channelId));
      if (!actor) {
        reply = { ...noticeMessage(SLACK_NOT_SET_UP_MESSAGE), response_type: 'ephemeral' };
      } else {
        const data = buttonData(pressed.value);
        const run = pressed.action_id === SLACK_ALERT_ACTIONS.acknowledge ? acknowledgeAlert : pressed.action_id === SLACK_ALERT_ACTIONS.assignToMe ? assignAlert : pressed.action_id.startsWith(`${SLACK_ALERT_ACTIONS.snooze}.`) ? snoozeAlert : undefined;
        const result = run ? await run(alertCtx, actor, data) : { ok: false as const, message: 'That button is out of date.' };
        // Success redraws the card in place; a refusal goes only to the person who pressed.
        reply = result.ok ? { ...alertBlocks(result.view, { notice: result.message }), replace_original: true } : { ...noticeMessage(result.message), response_type: 'ephemeral' };
      }
    } catch (error) {
      deps.logger.error('slack.alert_action_failed', describeError(error));
      reply = { ...noticeMessage(SLACK_FAILED_MESSAGE), response_type: 'ephemeral' };
    }
    await respond(reply);
  });

  // Cluster reviews (modal), names to the presser alone, the cluster messages' in-place views, assign to a colleague.
  const ctx: SlackContext = { deps, commands: commandDeps, actorFor };
  registerSlackReview(app, ctx);
  registerSlackNames(app, ctx);
  registerSlackClusterViews(app, ctx);
  registerSlackAssign(app, ctx);
  registerSlackNominate(app, ctx);
  // The App Home tab and its "Describe a situation" modal (slack-home.ts).
  registerSlackHome(app, { commands: commandDeps, alerts: alertCtx, logger: deps.logger, safeguardingContact: deps.safeguardingContact, notSetUpMessage: SLACK_NOT_SET_UP_MESSAGE, actorFor });

  app.error(async (error) => {
    deps.logger.error('slack.handler_failed', describeError(error));
  });

  if (socketMode) await app.start();
  deps.logger.info('slack.on', { mode: socketMode ? 'socket' : 'http', path: socketMode ? null : '/slack/events', api: config.SLACK_API_URL ? 'custom' : 'slack.com' });
  return {
    app,
    stop: async () => {
      if (socketMode) await app.stop();
    },
  };
}

/** The Slack user behind a request: a slash command, an event, or a button or form. */
function slackUserOfBody(body: unknown): string | undefined {
  const b = body as { user_id?: string; user?: { id?: string }; event?: { user?: string } };
  return b.user_id ?? b.user?.id ?? b.event?.user;
}

/** Bolt's logger interface onto ours; Bolt's own messages carry no pupil data. */
function boltLogger(logger: Logger) {
  let level = 'info';
  return {
    debug: (...msg: unknown[]) => logger.debug('slack.bolt', { message: msg.map(String).join(' ') }),
    info: (...msg: unknown[]) => logger.info('slack.bolt', { message: msg.map(String).join(' ') }),
    warn: (...msg: unknown[]) => logger.warn('slack.bolt', { message: msg.map(String).join(' ') }),
    error: (...msg: unknown[]) => logger.error('slack.bolt', { message: msg.map(String).join(' ') }),
    setLevel: (l: string) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as unknown as NonNullable<ConstructorParameters<typeof App>[0]>['logger'];
}
