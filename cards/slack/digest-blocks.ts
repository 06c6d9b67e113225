import type { DigestItem, OpenSummaryView } from '../../services/alerts/alert-digest';
import { dayMonth } from '../../services/calendar/dates';
import type { OverdueNotice } from '../../services/cluster/overdue-reminders';
import { digestDueLine } from '../alert-digest-card';
import { ncYear } from '../cluster-card-parts';
import { clip, context, escapeSlack, fieldSections, header, longSection, message, section, type Block, type SlackMessage } from './block-kit';

/**
 * The proactive messages other than alert cards, in Block Kit, from the same views as the Teams
 * cards (cards/alert-digest-card.ts, cards/my-actions-card.ts): the "what is open
 * now" summary and the overdue cluster action reminder (the weekly digest is alert-digest-blocks.ts,
 * as `alerts digest` answers it). The notification text (`text`) says what
 * kind of message it is, never who it is about, as the Teams summary line does.
 */

const FIGURES_ONLY_NOTE = 'Your role sees figures only, not individual pupils.';

function itemLine(i: DigestItem): string {
  const who = i.who ? ` · ${escapeSlack(i.who)}` : '';
  const due = i.due ? `\n${digestDueLine(i, i.due)}` : '';
  return `*${escapeSlack(i.title)}*${who} · ${escapeSlack(i.schoolName)}${due}`;
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
