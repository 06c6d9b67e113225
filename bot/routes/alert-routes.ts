import { ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import { alertCard, alertNoticeCard, alertTimelineCard } from '../../cards/alert-card';
import { alertDigestCard, alertListCard } from '../../cards/alert-digest-card';
import { VERBS } from '../../cards/verbs';
import { acknowledgeAlert, alertRefSchema, alertTimeline, assignAlert, recordPlacement, snoozeAlert, type ActionResult } from '../../services/alerts/alert-actions';
import { runAlertCommand } from '../../services/alerts/alert-commands';
import { ALERT_GONE } from '../../services/alerts/alert-actions';
import { alertViewFor, FIGURES_ONLY_MESSAGE, type AlertViewContext } from '../../services/alerts/alert-view';
import { recordGovernorsDecision, recordOutcome } from '../../services/alerts/outcome-action';
import { COMMANDS } from '../../services/commands/command-catalogue';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { heavyRead, type BotApp, type BotDeps } from '../bot-deps';
import { replyToInvokeWithCard } from '../invoke-reply';
import { getActor } from '../turn-actor';

/**
 * `alerts ...` commands and the alert card's buttons. Acknowledge, Assign and Snooze answer with the
 * redrawn card, and teams-ai also rewrites the message itself for everyone in that conversation
 * (the card has a refresh action, so it replaces for all). Copies in other people's chats are
 * updated in place by the delivery worker (a case_update row, services/alerts/case-updates.ts).
 */
export function registerAlertRoutes(app: BotApp, deps: BotDeps): void {
  const ctx: AlertViewContext = { db: deps.store.db, clock: deps.clock, calendar: deps.calendar ?? loadCalendar() };

  /** In a personal chat the viewer's copy refreshes for them automatically; elsewhere Teams decides. */
  const refreshIds = (context: TurnContext) => (context.activity.conversation?.conversationType === 'personal' && context.activity.from?.id ? [context.activity.from.id] : undefined);

  const answer = (context: TurnContext, result: ActionResult) => {
    if (result.ok) return alertCard(result.view, { refreshUserIds: refreshIds(context), notice: result.message });
    // A typed field was wrong: the alert stays, with the problem beside the field and the text kept.
    if (result.field) return alertCard(result.field.view, { refreshUserIds: refreshIds(context), notice: `Not assigned: ${result.message}`, assignError: { message: result.message, email: result.field.value } });
    return alertNoticeCard(result.message);
  };

  app.message(COMMANDS.alerts.pattern, async (context) => {
    const words = (context.activity.text ?? '').replace(/^\s*alerts?\b/i, '');
    const reply = await heavyRead(deps, () => runAlertCommand(ctx, getActor(context), context.activity.conversation.id, words));
    if (reply.kind === 'digest') await context.sendActivity({ attachments: [CardFactory.adaptiveCard(alertDigestCard(reply.view))] });
    else if (reply.kind === 'list') await context.sendActivity({ text: reply.message, attachments: [CardFactory.adaptiveCard(alertListCard(reply.view))] });
    else await context.sendActivity(reply.message);
  });

  app.adaptiveCards.actionExecute(VERBS.alertAcknowledge, async (context, _state, data) => answer(context, await acknowledgeAlert(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertAssign, async (context, _state, data) => answer(context, await assignAlert(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertSnooze, async (context, _state, data) => answer(context, await snoozeAlert(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertPlacement, async (context, _state, data) => answer(context, await recordPlacement(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertOutcome, async (context, _state, data) => answer(context, await recordOutcome(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertGovernorsDecision, async (context, _state, data) => answer(context, await recordGovernorsDecision(ctx, getActor(context), data)));
  app.adaptiveCards.actionExecute(VERBS.alertTimeline, async (context, _state, data) => {
    const result = await heavyRead(deps, () => alertTimeline(ctx, getActor(context), data));
    return result.ok ? alertTimelineCard(result.view, (data as { alertId: number }).alertId) : alertNoticeCard(result.message);
  });
  // Refresh answers only the viewer. teams-ai's actionExecute would also rewrite the shared message
  // (it forces "replace for all" for any card with a refresh action), i.e. a write per view.
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action' && context.activity.value?.action?.verb === VERBS.alertRefresh,
    async (context) => {
      const parsed = alertRefSchema.safeParse(context.activity.value?.action?.data);
      let card;
      if (!parsed.success) card = alertNoticeCard('That card is out of date.');
      else {
        const result = await alertViewFor(ctx, getActor(context), parsed.data.alertId, 'alert card');
        card = result.ok ? alertCard(result.view, { refreshUserIds: refreshIds(context) }) : alertNoticeCard(result.reason === 'figures_only' ? FIGURES_ONLY_MESSAGE : ALERT_GONE);
      }
      await replyToInvokeWithCard(context, card);
    },
    true,
  );
}
