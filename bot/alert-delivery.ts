import { alertCard } from '../cards/alert-card';
import { alertDigestCard, alertSummaryCard } from '../cards/alert-digest-card';
import { overdueActionCard } from '../cards/my-actions-card';
import { SUMMARY_KIND } from '../services/alerts/alert-cases';
import { buildDigest, buildOpenSummary } from '../services/alerts/alert-digest';
import { AlertScheduler } from '../services/alerts/alert-schedule';
import { alertViewFor, type AlertViewContext } from '../services/alerts/alert-view';
import { DeliveryWorker, type Renderer, type Transport } from '../services/alerts/delivery-worker';
import type { SchoolCalendar } from '../services/calendar/school-calendar';
import { OVERDUE_REMINDER_KIND, overdueNoticeFor } from '../services/cluster/overdue-reminders';
import { isSlackEnabled, type AppConfig } from '../services/config';
import type { Actor } from '../services/identity/actor';
import { describeScope, parseScope } from '../services/identity/scope';
import type { Logger } from '../services/logger';
import type { Store } from '../services/store/open-store';
import { systemClock, type Clock } from '../services/clock';
import { createConnectorTransport } from './connector-transport';
import { alertBlocks } from '../cards/slack/alert-blocks';
import { createSlackTransport, isSlackTarget, routeByChannel, slackPacing, slackTargets } from './slack/slack-alert-transport';

/**
 * Proactive messages at run time: the rule schedule and the delivery worker, with the renderer that
 * turns an outbox row (an alert, a digest, an overdue cluster action) into the card for that
 * recipient and conversation (names only in a personal chat; nothing sent if the pupil is outside
 * the recipient's scope by now, or the action was closed).
 */

const KIND_BANNERS: Record<string, string> = {
  reminder: 'Reminder: you snoozed this alert',
  assigned: 'This alert has been assigned to you',
};

const SKIP_REASONS = { out_of_scope: 'the pupil is outside the recipient’s scope now', figures_only: 'the recipient’s role sees figures only', not_found: 'the alert no longer exists' } as const;

export function createAlertRenderer(ctx: AlertViewContext): Renderer {
  return {
    async render(row, target) {
      const user = await ctx.db.selectFrom('staff_user').selectAll().where('id', '=', row.staff_user_id).executeTakeFirst();
      if (!user) return { skip: 'the recipient is no longer a staff user' };
      let scope;
      try {
        scope = parseScope(user.scope);
      } catch {
        return { skip: 'the recipient’s scope does not parse' };
      }
      const actor: Actor = { user, role: user.role, scope, aadObjectId: user.aad_object_id, conversationType: target.conversationType };
      const reference = JSON.parse(target.referenceJson) as { user?: { id?: string } };
      if (isSlackTarget(target)) {
        actor.channel = 'slack';
        // Slack has the alert card so far; reminders, digests and summaries still go to Teams only.
        if (row.alert_id === null || row.kind === OVERDUE_REMINDER_KIND) return { skip: `a ${row.kind} message is not drawn for Slack yet` };
        const result = await alertViewFor(ctx, actor, row.alert_id, 'alert delivery');
        if (!result.ok) return { skip: SKIP_REASONS[result.reason] };
        return { activity: { ...alertBlocks(result.view, { banner: KIND_BANNERS[row.kind] }) } };
      }
      if (row.kind === OVERDUE_REMINDER_KIND) {
        const notice = row.subject_id === null ? null : await overdueNoticeFor(ctx.db, row.subject_id);
        if (!notice) return { skip: 'the action was closed before the reminder went' };
        // The preview on a phone's lock screen says what kind of message it is, never who it is about.
        return { activity: { type: 'message', summary: 'A cluster action is overdue', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: overdueActionCard(notice) }] } };
      }
      if (row.kind === 'digest') {
        const view = await buildDigest(ctx, actor, describeScope(scope), 'digest delivery');
        return { activity: { type: 'message', summary: 'Weekly exclusions digest', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: alertDigestCard(view) }] } };
      }
      if (row.kind === SUMMARY_KIND) {
        const view = await buildOpenSummary(ctx, actor, describeScope(scope), 'summary delivery');
        return { activity: { type: 'message', summary: 'Exclusions: what is open now', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: alertSummaryCard(view) }] } };
      }
      if (row.alert_id === null) return { skip: `nothing renders a ${row.kind} message without an alert` };
      const result = await alertViewFor(ctx, actor, row.alert_id, 'alert delivery');
      if (!result.ok) {
        return { skip: SKIP_REASONS[result.reason] };
      }
      // A register pattern is about one child and family: never pushed to a channel or group chat (routing already excludes them).
      if (result.view.kind === 'attendance' && target.conversationType !== 'personal') return { skip: 'attendance alerts go to personal chats only' };
      const card = alertCard(result.view, {
        banner: KIND_BANNERS[row.kind],
        refreshUserIds: target.conversationType === 'personal' && reference.user?.id ? [reference.user.id] : undefined,
      });
      // The notification preview shows the alert's title only: never a pupil's name on a lock screen.
      return { activity: { type: 'message', summary: result.view.title, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] } };
    },
  };
}

export interface AlertServices {
  worker: DeliveryWorker;
  scheduler: AlertScheduler;
  stop(): Promise<void>;
}

export interface AlertServiceDeps {
  store: Store;
  clock: Clock;
  calendar: SchoolCalendar;
  logger: Logger;
  transport?: Transport;
}

export function startAlertServices(config: AppConfig, deps: AlertServiceDeps, options: { dailyAt?: string; tickMs?: number } = {}): AlertServices {
  const ctx: AlertViewContext = { db: deps.store.db, clock: deps.clock, calendar: deps.calendar };
  const worker = new DeliveryWorker({
    db: deps.store.db,
    engine: deps.store.engine,
    // Real time for leases, Retry-After and backoff, even when CLOCK_NOW pins the app's "today".
    clock: systemClock,
    transport: deps.transport ?? transportFor(config),
    renderer: createAlertRenderer(ctx),
    // Slack-linked users with no Teams personal chat get their alerts by Slack DM (slack-alert-transport.ts).
    otherTargets: isSlackEnabled(config) ? slackTargets(deps.store.db) : undefined,
    conversationWindowsFor: slackPacing,
    logger: deps.logger,
  });
  const scheduler = new AlertScheduler(
    { db: deps.store.db, sqlite: deps.store.sqlite, calendar: deps.calendar, clock: deps.clock, logger: deps.logger, cardsPerDay: config.ALERT_CARDS_PER_DAY },
    { dailyAt: options.dailyAt, tickMs: options.tickMs ?? config.ALERT_SCHEDULE_TICK_SECONDS * 1000, logger: deps.logger, onQueued: () => worker.kick() },
  );
  worker.start();
  scheduler.start();
  return {
    worker,
    scheduler,
    async stop() {
      await scheduler.stop();
      await worker.stop();
    },
  };
}

/** Teams through the Bot Connector; with a Slack bot token, Slack DMs too. */
function transportFor(config: AppConfig): Transport {
  const teams = createConnectorTransport(config);
  if (!isSlackEnabled(config)) return teams;
  return routeByChannel(teams, createSlackTransport({ apiUrl: config.SLACK_API_URL, token: config.SLACK_BOT_TOKEN! }));
}
