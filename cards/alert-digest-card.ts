import type { DigestItem, DigestView, OpenListPage, OpenSummaryView } from '../services/alerts/alert-digest';
import { adaptiveCard, container, escapeMarkdown, facts, heading, subtle, text, type AdaptiveCard, type CardElement } from './adaptive-card';
import { schoolDaysLeftText, windowClosedText } from './alert-card';
import { VERBS } from './verbs';
import { weekdayDate } from '../services/calendar/dates';

/** The weekly digest, the "what is open now" summary and `alerts list`: counts first, then the items, each opening its card. */

/** The date and school days left; a closed window (parents' review) reads "window closed <date>" alone. */
export function digestDueLine(item: DigestItem, due: string): string {
  if (item.dueKind === 'window' && item.schoolDaysLeft !== null && item.schoolDaysLeft < 0) return windowClosedText(due);
  return `${weekdayDate(due)} · ${schoolDaysLeftText(item.schoolDaysLeft)}`;
}

function itemRows(items: readonly DigestItem[]): CardElement[] {
  return items.map((i) =>
    container(
      [
        text(`**${escapeMarkdown(i.title)}**${i.who ? ` · ${escapeMarkdown(i.who)}` : ''} · ${escapeMarkdown(i.schoolName)}`, { size: 'small' }),
        ...(i.due ? [subtle(digestDueLine(i, i.due))] : []),
      ],
      { selectAction: { type: 'Action.Execute', title: 'Open', verb: VERBS.alertRefresh, data: { alertId: i.alertId } }, spacing: 'small' },
    ),
  );
}

function section(title: string, count: number, items: readonly DigestItem[]): CardElement[] {
  if (count === 0) return [text(`**${title}:** none`, { spacing: 'medium' })];
  const more = count > items.length && items.length > 0 ? [subtle(`and ${count - items.length} more: type **alerts list**`)] : [];
  return [text(`**${title}:** ${count}`, { spacing: 'medium' }), ...itemRows(items), ...more];
}

const FIGURES_ONLY_NOTE = 'Your role sees figures only, not individual pupils.';

export function alertDigestCard(view: DigestView): AdaptiveCard {
  const n = view.newExclusions;
  return adaptiveCard(
    [
      heading('Exclusions: weekly digest'),
      subtle(`${weekdayDate(view.periodStart)} to ${weekdayDate(view.periodEnd)} · ${escapeMarkdown(view.scopeLabel)}`),
      facts([
        ['New suspensions', String(n.suspensions)],
        ['New lunchtime suspensions', String(n.lunchtimes)],
        ['New permanent exclusions', String(n.permanent)],
      ]),
      ...section('Past due', view.pastDue.count, view.pastDue.items),
      ...section('Open deadlines', view.openDeadlines.count, view.openDeadlines.items),
      ...section('Not acknowledged after 2 school days', view.unacknowledged.count, view.unacknowledged.items),
      ...(view.figuresOnly ? [subtle(FIGURES_ONLY_NOTE)] : []),
      text(`**Exclusions reported late this week:** ${view.lateReports.length ? '' : 'none'}`, { spacing: 'medium' }),
      ...view.lateReports.map((l) => text(`- ${escapeMarkdown(l.schoolName)}: ${l.count}`, { size: 'small', spacing: 'none' })),
      text(`**Attendance alerts this week:** ${view.attendance.length ? '' : 'none'}`, { spacing: 'medium' }),
      ...view.attendance.map((a) => text(`- ${escapeMarkdown(a.title)}: ${a.count}`, { size: 'small', spacing: 'none' })),
      text(`**Disproportionality flags this week:** ${view.disproportionality.length ? '' : 'none'}`, { spacing: 'medium' }),
      ...view.disproportionality.map((d) => text(`- ${escapeMarkdown(d)}`, { size: 'small', spacing: 'none' })),
    ],
    { fallbackText: 'Weekly exclusions digest.' },
  );
}

/** One card for everything not sent a card at a time (history at go-live, a first contact, the day's overflow). */
export function alertSummaryCard(view: OpenSummaryView): AdaptiveCard {
  return adaptiveCard(
    [
      heading('Exclusions: what is open now'),
      subtle(escapeMarkdown(view.scopeLabel)),
      facts([
        ['Open cases', String(view.openCases)],
        ['Past due', String(view.pastDueCases)],
        ['Due within 5 school days', String(view.dueSoonCases)],
      ]),
      ...(view.items.length ? [text('**Most urgent**', { spacing: 'medium' }), ...itemRows(view.items)] : []),
      ...(view.figuresOnly ? [subtle(FIGURES_ONLY_NOTE)] : []),
      text('The most urgent cases follow as their own cards. Type **alerts list** to see every open case.', { spacing: 'medium', size: 'small' }),
    ],
    { fallbackText: 'Exclusions: what is open now.' },
  );
}

export function alertListCard(view: OpenListPage): AdaptiveCard {
  const body: CardElement[] = [heading('Open alerts'), subtle(`${view.total} open · page ${view.page} of ${view.pages}`)];
  if (view.figuresOnly) body.push(subtle(FIGURES_ONLY_NOTE));
  else if (view.items.length === 0) body.push(text('Nothing open.'));
  else body.push(...itemRows(view.items));
  if (view.page < view.pages) body.push(subtle(`Type **alerts list ${view.page + 1}** for the next page.`));
  return adaptiveCard(body, { fallbackText: 'Open alerts.' });
}
