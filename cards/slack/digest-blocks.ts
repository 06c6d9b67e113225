import type { DigestItem, DigestView, OpenSummaryView } from '../../services/alerts/alert-digest';
import { dayMonth, weekdayDate } from '../../services/calendar/dates';
import type { OverdueNotice } from '../../services/cluster/overdue-reminders';
import { schoolDaysLeftText } from '../alert-card';
import { ncYear } from '../cluster-card-parts';
import { clip, context, escapeSlack, fieldSections, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

/**
 * The proactive messages other than alert cards, in Block Kit, from the same views as the Teams
 * cards (cards/alert-digest-card.ts, cards/my-actions-card.ts): the weekly digest, the "what is open
 * now" summary and the overdue cluster action reminder. The notification text (`text`) says what
 * kind of message it is, never who it is about, as the Teams summary line does.
 */

const FIGURES_ONLY_NOTE = 'Your role sees figures only, not individual pupils.';

function itemLine(i: DigestItem): string {
  const who = i.who ? ` · ${escapeSlack(i.who)}` : '';
  const due = i.due ? `\n${weekdayDate(i.due)} · ${schoolDaysLeftText(i.schoolDaysLeft)}` : '';
  return `*${escapeSlack(i.title)}*${who} · ${escapeSlack(i.schoolName)}${due}`;
}

function listBlocks(title: string, count: number, items: readonly DigestItem[]): Block[] {
  if (count === 0) return [section(`*${title}:* none`)];
  const more = count > items.length && items.length > 0 ? `\n_and ${count - items.length} more: the most urgent are on your App Home_` : '';
  return longSection(`*${title}:* ${count}\n${items.map(itemLine).join('\n')}${more}`);
}

function countLines(title: string, lines: readonly string[]): Block {
  return section(`*${title}:* ${lines.length ? `\n${lines.map((l) => `• ${l}`).join('\n')}` : 'none'}`);
}

export function digestBlocks(view: DigestView): SlackMessage {
  const n = view.newExclusions;
  const blocks: Block[] = [
    header('Exclusions: weekly digest'),
    context(`${weekdayDate(view.periodStart)} to ${weekdayDate(view.periodEnd)} · ${escapeSlack(view.scopeLabel)}`),
    ...fieldSections([`*New suspensions*\n${n.suspensions}`, `*New lunchtime suspensions*\n${n.lunchtimes}`, `*New permanent exclusions*\n${n.permanent}`]),
    ...listBlocks('Past due', view.pastDue.count, view.pastDue.items),
    ...listBlocks('Open deadlines', view.openDeadlines.count, view.openDeadlines.items),
    ...listBlocks('Not acknowledged after 2 school days', view.unacknowledged.count, view.unacknowledged.items),
  ];
  if (view.figuresOnly) blocks.push(context(FIGURES_ONLY_NOTE));
  blocks.push(countLines('Exclusions reported late this week', view.lateReports.map((l) => `${escapeSlack(l.schoolName)}: ${l.count}`)));
  blocks.push(countLines('Attendance alerts this week', view.attendance.map((a) => `${escapeSlack(a.title)}: ${a.count}`)));
  blocks.push(countLines('Disproportionality flags this week', view.disproportionality.map(escapeSlack)));
  return message('Weekly exclusions digest', blocks);
}

export function summaryBlocks(view: OpenSummaryView): SlackMessage {
  const blocks: Block[] = [
    header('Exclusions: what is open now'),
    context(escapeSlack(view.scopeLabel)),
    ...fieldSections([`*Open cases*\n${view.openCases}`, `*Past due*\n${view.pastDueCases}`, `*Due within 5 school days*\n${view.dueSoonCases}`]),
  ];
  if (view.items.length) blocks.push(...longSection(`*Most urgent*\n${view.items.map(itemLine).join('\n')}`));
  if (view.figuresOnly) blocks.push(context(FIGURES_ONLY_NOTE));
  blocks.push(context('The most urgent cases follow as their own messages. Your App Home lists the alerts waiting for you.'));
  return message('Exclusions: what is open now', blocks);
}

export function overdueActionBlocks(notice: OverdueNotice): SlackMessage {
  return message('A cluster action is overdue', [
    header('A cluster action is overdue'),
    section(`*${escapeSlack(clip(notice.description, 200))}* was due ${dayMonth(notice.dueDate)}.`),
    context(`${escapeSlack(clip(notice.pupilInitials, 10))} · ${ncYear(notice.ncYear)} · ${escapeSlack(clip(notice.schoolName, 60))} · ${escapeSlack(clip(notice.district, 40))} cluster`),
    context('Type `/inclusion my actions` to see all your open actions.'),
  ]);
}
