import { alertCard } from '../cards/alert-card';
import { alertDigestCard, alertSummaryCard } from '../cards/alert-digest-card';
import { overdueActionCard } from '../cards/my-actions-card';
import { SUMMARY_KIND } from '../services/alerts/alert-cases';
import { buildDigest, buildOpenSummary, type DigestView, type OpenSummaryView } from '../services/alerts/alert-digest';
import { AlertScheduler } from '../services/alerts/alert-schedule';
import { alertViewFor, type AlertView, type AlertViewContext } from '../services/alerts/alert-view';
import { DeliveryWorker, type Renderer, type Transport } from '../services/alerts/delivery-worker';
import type { SchoolCalendar } from '../services/calendar/school-calendar';
import { OVERDUE_REMINDER_KIND, overdueNoticeFor, type OverdueNotice } from '../services/cluster/overdue-reminders';
import { isSlackEnabled, type AppConfig } from '../services/config';
import type { Actor } from '../services/identity/actor';
import { describeScope, parseScope } from '../services/identity/scope';
import type { Logger } from '../services/logger';
import type { Store } from '../services/store/open-store';
import { systemClock, type Clock } from '../services/clock';
import { createConnectorTransport } from './connector-transport';
import { alertBlocks } from '../cards/slack/alert-blocks';
import { overdueActionBlocks, summaryBlocks } from '../cards/slack/digest-blocks';
import { alertDigestBlocks } from '../cards/slack/alert-digest-blocks';
import { createSlackTransport, isSlackTarget, routeByChannel, slackPacing, slackTargetOf, slackTargets } from './slack/slack-alert-transport';
import { personalChannels } from '../services/alerts/delivery-channel';

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

/** One proactive message drawn for one channel, from the same view models (Teams cards or Slack Block Kit). */
interface Drawing {
  overdue(notice: OverdueNotice): Record<string, unknown>;
  digest(view: DigestView): Record<string, unknown>;
  summary(view: OpenSummaryView): Record<string, unknown>;
  alert(view: AlertView, banner: string | undefined): Record<string, unknown>;
}

/** Teams: an Adaptive Card whose notification preview says what kind of message it is, never who it is about. */
function teamsDrawing(refreshUserId: string | undefined): Drawing {
  const adaptive = (summary: string, content: unknown) => ({ type: 'message', summary, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }] });
  return {
    overdue: (notice) => adaptive('A cluster action is overdue', overdueActionCard(notice)),
    digest: (view) => adaptive('Weekly exclusions digest', alertDigestCard(view)),
    summary: (view) => adaptive('Exclusions: what is open now', alertSummaryCard(view)),
    alert: (view, banner) => adaptive(view.title, alertCard(view, { banner, refreshUserIds: refreshUserId ? [refreshUserId] : undefined })),
  };
}

/** Slack: Block Kit, whose `text` (the notification) carries no pupil's name either. */
const slackDrawing: Drawing = {
  overdue: (notice) => ({ ...overdueActionBlocks(notice) }),
  digest: (view) => ({ ...alertDigestBlocks(view) }),
  summary: (view) => ({ ...summaryBlocks(view) }),
  alert: (view, banner) => ({ ...alertBlocks(view, { banner }) }),
};

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
      // A Slack target is always the person's own DM; reads are audited as coming through Slack.
      if (isSlackTarget(target)) actor.channel = 'slack';
      const draw = isSlackTarget(target) ? slackDrawing : teamsDrawing(target.conversationType === 'personal' ? reference.user?.id : undefined);
      if (row.kind === OVERDUE_REMINDER_KIND) {
        const notice = row.subject_id === null ? null : await overdueNoticeFor(ctx.db, row.subject_id);
        if (!notice) return { skip: 'the action was closed before the reminder went' };
        return { activity: draw.overdue(notice) };
      }
      if (row.kind === 'digest') return { activity: draw.digest(await buildDigest(ctx, actor, describeScope(scope), 'digest delivery')) };
      if (row.kind === SUMMARY_KIND) return { activity: draw.summary(await buildOpenSummary(ctx, actor, describeScope(scope), 'summary delivery')) };
      if (row.alert_id === null) return { skip: `nothing renders a ${row.kind} message without an alert` };
      const result = await alertViewFor(ctx, actor, row.alert_id, 'alert delivery');
      if (!result.ok) {
        return { skip: SKIP_REASONS[result.reason] };
      }
      // A register pattern is about one child and family: never pushed to a channel or group chat (routing already excludes them).
      if (result.view.kind === 'attendance' && target.conversationType !== 'personal') return { skip: 'attendance alerts go to personal chats only' };
      return { activity: draw.alert(result.view, KIND_BANNERS[row.kind]) };
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
    // Teams, Slack or both, as each person's subscriptions say (delivery-channel.ts).
    channelsFor: personalChannels(deps.store.db),
    conversationTarget: slackTargetOf,
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
