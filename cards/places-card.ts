import type { PlacesOverview } from '../services/places/places-overview';
import { adaptiveCard, escapeMarkdown, facts, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { formatDate } from './alert-card';

/**
 * The `places` card: occupancy per alternative provision hub (by district), who is due to leave a
 * place, and the permanently excluded pupils waiting for one past day 6. Figures-only viewers get
 * the counts without the lists.
 */

const PHASE_LABELS = { primary: 'primary', secondary: 'secondary', all_through: 'all ages' } as const;

function occupancy(taken: number, places: number): string {
  return `${taken} of ${places}`;
}

export function placesCard(view: PlacesOverview): AdaptiveCard {
  const body: CardElement[] = [heading(`Alternative provision places: ${escapeMarkdown(view.area)}`), subtle(`Today, ${formatDate(view.today)}`)];
  if (view.hubs.length === 0) body.push(text('No hubs are recorded in your area (the authority imports them with `npm run import -- ap-places`).'));
  else {
    const rows = view.hubs.map((h): [string, string] => {
      const freeNow = h.free.commissioned + h.free.transient;
      return [
        `${escapeMarkdown(h.hub)} · ${escapeMarkdown(h.district)} (${PHASE_LABELS[h.phase]})`,
        `commissioned ${occupancy(h.commissioned - h.free.commissioned, h.commissioned)} · transient ${occupancy(h.transient - h.free.transient, h.transient)} · ${freeNow === 0 ? '**full**' : `${freeNow} free`}`,
      ];
    });
    body.push(text('**Occupancy today** (places taken)', { spacing: 'medium' }), facts(rows));
  }

  body.push(text(`**Due to leave by ${formatDate(view.leavingUntil)}** (${view.leavingCount})`, { spacing: 'medium' }));
  if (view.leaving === null) body.push(subtle('Your role sees the number only.'));
  else if (view.leaving.length === 0) body.push(subtle('Nobody.'));
  else {
    body.push(facts(view.leaving.map((l): [string, string] => [`${escapeMarkdown(l.label)} · ${escapeMarkdown(l.hub)}`, `last day ${formatDate(l.lastDay)} (${l.kind})`])));
    if (view.leavingCount > view.leaving.length) body.push(subtle(`and ${view.leavingCount - view.leaving.length} more`));
  }

  body.push(text(`**Waiting for a place on or after day 6** (${view.waitingCount})`, { spacing: 'medium', color: view.waitingCount > 0 ? 'attention' : 'default' }));
  if (view.waiting === null) body.push(subtle('Your role sees the number only.'));
  else if (view.waiting.length === 0) body.push(subtle('Nobody: every permanently excluded pupil past day 6 has a place recorded.'));
  else {
    body.push(
      facts(
        view.waiting.map((w): [string, string] => [
          `${escapeMarkdown(w.label)} · ${escapeMarkdown(w.schoolName)}`,
          `day 6 ${w.schoolDaysPast === 0 ? 'is today' : `was ${formatDate(w.daySix)}, ${w.schoolDaysPast} school day${w.schoolDaysPast === 1 ? '' : 's'} ago`}`,
        ]),
      ),
    );
    if (view.waitingCount > view.waiting.length) body.push(subtle(`and ${view.waitingCount - view.waiting.length} more`));
  }
  if (view.minimised && view.leaving !== null) body.push(subtle('Initials only here: ask in your chat with the Inclusion Assistant for names.'));
  body.push(subtle('Basis: Education Act 1996 s.19(3A): full-time education from the sixth school day of a permanent exclusion.'));
  return adaptiveCard(body, { fallbackText: 'Alternative provision places. Open Teams to see them.' });
}
