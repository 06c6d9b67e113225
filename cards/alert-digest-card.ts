import type { DigestItem, DigestView } from '../services/alerts/alert-digest';
import { adaptiveCard, container, escapeMarkdown, facts, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { formatDate, schoolDaysLeftText } from './alert-card';
import { VERBS } from './verbs';

/** The weekly digest: counts first, then the alerts that need someone, each opening its card. */

function itemRows(items: readonly DigestItem[]): CardElement[] {
  return items.map((i) =>
    container(
      [
        text(`**${escapeMarkdown(i.title)}**${i.who ? ` · ${escapeMarkdown(i.who)}` : ''}`, { size: 'small' }),
        ...(i.due ? [subtle(`${formatDate(i.due)} · ${schoolDaysLeftText(i.schoolDaysLeft)}`)] : []),
      ],
      { selectAction: { type: 'Action.Execute', title: 'Open', verb: VERBS.alertRefresh, data: { alertId: i.alertId } }, spacing: 'small' },
    ),
  );
}

function section(title: string, count: number, items: readonly DigestItem[]): CardElement[] {
  if (count === 0) return [text(`**${title}:** none`, { spacing: 'medium' })];
  const more = count > items.length ? [subtle(`and ${count - items.length} more`)] : [];
  return [text(`**${title}:** ${count}`, { spacing: 'medium' }), ...itemRows(items), ...more];
}

export function alertDigestCard(view: DigestView): AdaptiveCard {
  const n = view.newExclusions;
  return adaptiveCard(
    [
      heading('Exclusions: weekly digest'),
      subtle(`${formatDate(view.periodStart)} to ${formatDate(view.periodEnd)} · ${escapeMarkdown(view.scopeLabel)}`),
      facts([
        ['New suspensions', String(n.suspensions)],
        ['New lunchtime suspensions', String(n.lunchtimes)],
        ['New permanent exclusions', String(n.permanent)],
      ]),
      ...section('Open deadlines', view.openDeadlines.count, view.openDeadlines.items),
      ...section('Not acknowledged after 2 school days', view.unacknowledged.count, view.unacknowledged.items),
      text(`**Disproportionality flags this week:** ${view.disproportionality.length ? '' : 'none'}`, { spacing: 'medium' }),
      ...view.disproportionality.map((d) => text(`- ${escapeMarkdown(d)}`, { size: 'small', spacing: 'none' })),
    ],
    { fallbackText: 'Weekly exclusions digest.' },
  );
}
