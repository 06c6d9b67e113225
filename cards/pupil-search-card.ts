import type { PupilSearchView } from '../services/cluster/pupil-search';
import { adaptiveCard, container, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { minimisedNote, ncYear, reviewAction, safe } from './cluster-card-parts';

/**
 * The pupils a `pupil <name or UPN>` search found (when more than one), each opening their review
 * card. The card never repeats what was typed: the search words are children's data.
 */
export function pupilSearchCard(view: PupilSearchView): AdaptiveCard {
  const body: CardElement[] = [heading(`Pupils found (${view.matches.length}${view.more ? '+' : ''})`), ...minimisedNote(view.nameMode)];
  for (const m of view.matches) {
    body.push(
      container([text(`**${safe(m.label, 60)}** · ${ncYear(m.ncYear)} · ${safe(m.schoolName, 48)} · ${safe(m.district, 40)}`, { size: 'small' })], {
        separator: true,
        spacing: 'small',
        selectAction: reviewAction(m.district, m.pupilId, 'Open review'),
      }),
    );
  }
  body.push(subtle(view.more ? 'More pupils match: add a surname or a forename, or give the UPN.' : 'Tap a pupil to open their review card.'));
  return adaptiveCard(body, { fallbackText: 'Pupils found' });
}
