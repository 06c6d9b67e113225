import { CardFactory } from 'botbuilder';
import { placesCard } from '../../cards/places-card';
import { COMMANDS } from '../../services/commands/command-catalogue';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { placesOverview, type PlacesContext } from '../../services/places/places-overview';
import type { BotApp, BotDeps } from '../bot-deps';
import { getActor } from '../turn-actor';

/** `places`: alternative provision occupancy, who leaves soon and who waits past day 6 (issue 12). */
export function registerPlacesRoutes(app: BotApp, deps: BotDeps): void {
  const ctx: PlacesContext = { db: deps.store.db, clock: deps.clock, calendar: deps.calendar ?? loadCalendar() };
  app.message(COMMANDS.places.pattern, async (context) => {
    const result = await placesOverview(ctx, getActor(context));
    if (!result.ok) await context.sendActivity(result.message);
    else await context.sendActivity({ attachments: [CardFactory.adaptiveCard(placesCard(result.view))] });
  });
}
