import type { DigestItem, DigestView, OpenListPage } from '../../services/alerts/alert-digest';
import { weekdayDate } from '../../services/calendar/dates';
import { digestDueLine } from '../alert-digest-card';
import { button, context, escapeSlack, fieldSections, header, longSection, message, section, sectionWithButton, type Block, type SlackMessage } from './block-kit';

/**
 * The weekly digest and `alerts list` in Block Kit, from the same views as the Teams cards
 * (cards/alert-digest-card.ts): counts first, then the items, each with an Open button that shows
 * its alert card to the presser.
 */

/**
 * Button prefix `alerts.open.<part>.<alertId>`: one alert may be listed in two parts of the digest,
 * and action ids must differ within a message (`alert.` is the alert card's own buttons).
 */
export const SLACK_ALERT_OPEN = 'alerts.open';

const FIGURES_ONLY_NOTE = 'Your role sees figures only, not individual pupils.';

function itemBlock(i: DigestItem, part: string): Block {
  const due = i.due ? `\n${digestDueLine(i, i.due)}` : '';
  return sectionWithButton(`*${escapeSlack(i.title)}*${i.who ? ` · ${escapeSlack(i.who)}` : ''} · ${escapeSlack(i.schoolName)}${due}`, button('Open', `${SLACK_ALERT_OPEN}.${part}.${i.alertId}`, { alertId: i.alertId }));
}

function part(key: string, title: string, count: number, items: readonly DigestItem[]): Block[] {
  if (count === 0) return [section(`*${title}:* none`)];
  const more = count > items.length && items.length > 0 ? [context(`and ${count - items.length} more: type \`/inclusion alerts list\``)] : [];
  return [section(`*${title}:* ${count}`), ...items.map((i) => itemBlock(i, key)), ...more];
}

export function alertDigestBlocks(view: DigestView): SlackMessage {
  const n = view.newExclusions;
  const counts = (title: string, lines: readonly string[]) => (lines.length ? longSection(`*${title}*\n${lines.join('\n')}`) : [section(`*${title}:* none`)]);
  return message(
    'Weekly exclusions digest',
    [
      header('Exclusions: weekly digest'),
      context(`${weekdayDate(view.periodStart)} to ${weekdayDate(view.periodEnd)} · ${escapeSlack(view.scopeLabel)}`),
      ...fieldSections([`*New suspensions*\n${n.suspensions}`, `*New lunchtime suspensions*\n${n.lunchtimes}`, `*New permanent exclusions*\n${n.permanent}`]),
      ...part('due', 'Past due', view.pastDue.count, view.pastDue.items),
      ...part('open', 'Open deadlines', view.openDeadlines.count, view.openDeadlines.items),
      ...part('unack', 'Not acknowledged after 2 school days', view.unacknowledged.count, view.unacknowledged.items),
      ...(view.figuresOnly ? [context(FIGURES_ONLY_NOTE)] : []),
      ...counts('Exclusions reported late this week', view.lateReports.map((l) => `• ${escapeSlack(l.schoolName)}: ${l.count}`)),
      ...counts('Attendance alerts this week', view.attendance.map((a) => `• ${escapeSlack(a.title)}: ${a.count}`)),
      ...counts('Disproportionality flags this week', view.disproportionality.map((d) => `• ${escapeSlack(d)}`)),
    ],
    'Type `/inclusion alerts list` for every open case.',
  );
}

/** `alerts list`: what this conversation receives (the service's words), then a page of open cases. */
export function alertListBlocks(intro: SlackMessage, view: OpenListPage): SlackMessage {
  const blocks: Block[] = [header('Open alerts'), ...intro.blocks, context(`${view.total} open · page ${view.page} of ${view.pages}`)];
  if (view.figuresOnly) blocks.push(context(FIGURES_ONLY_NOTE));
  else if (view.items.length === 0) blocks.push(section('Nothing open.'));
  else blocks.push(...view.items.map((i) => itemBlock(i, 'list')));
  if (view.page < view.pages) blocks.push(context(`Type \`/inclusion alerts list ${view.page + 1}\` for the next page.`));
  return message(`Open alerts: ${view.total}`, blocks, `Type \`/inclusion alerts list ${view.page + 1}\` for the next page.`);
}
