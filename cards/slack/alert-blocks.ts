import type { AlertView, DutyView } from '../../services/alerts/alert-view';
import { weekdayDate } from '../../services/calendar/dates';
import { NO_DEADLINE_TEXT, schoolDaysLeftText, windowClosedText } from '../alert-card';
import { modal, textInput, type ModalView } from './modal-kit';
import { MAX_BLOCKS, actions, button, context, escapeSlack, fieldSections, header, message, section, type Block, type ButtonElement, type SlackMessage } from './block-kit';

/**
 * The exclusion alert in Block Kit, from the same view as the Teams card (cards/alert-card.ts):
 * what happened, who (initials outside a direct message), the duties with their dates, the next
 * step, and Acknowledge / Assign to me / Assign to colleague / Snooze buttons that run the same alert actions as Teams.
 */

export const SLACK_ALERT_ACTIONS = {
  acknowledge: 'alert.acknowledge',
  assignToMe: 'alert.assign.me',
  /** Opens a form for a colleague's email (bot/slack/slack-assign.ts); not `alert.`, which runs at once. */
  assignToColleague: 'alerts.assign.colleague',
  snooze: 'alert.snooze',
} as const;

/** Snooze lengths offered as buttons (the Teams card's choices, in school days). */
const SNOOZE_BUTTON_DAYS = [1, 3] as const;

function dutyLine(d: DutyView): string {
  const done = d.state === 'met' || d.state === 'acknowledged';
  const progress = done ? (d.state === 'met' ? 'done' : 'acknowledged') : (d.note ?? schoolDaysLeftText(d.schoolDaysLeft));
  // A closed window (parents' review) is not overdue: it reads as the Teams card does.
  const when = d.state === 'closed' && d.date ? windowClosedText(d.date) : d.date ? `${d.label ?? 'Due'}: ${weekdayDate(d.date)} · ${progress}` : done ? progress : NO_DEADLINE_TEXT;
  const flag = d.state === 'overdue' ? ':warning: ' : '';
  const settled = done || d.state === 'closed';
  return `${flag}*${escapeSlack(d.title)}*\n${escapeSlack(when)}${settled || !d.nextStep ? '' : `\n_${escapeSlack(d.nextStep)}_`}`;
}

function statusLine(view: AlertView): string | null {
  const parts: string[] = [];
  if (view.status === 'acknowledged') parts.push(`Acknowledged by ${escapeSlack(view.acknowledgedBy ?? 'a colleague')}${view.acknowledgedAt ? ` on ${weekdayDate(view.acknowledgedAt.slice(0, 10))}` : ''}`);
  if (view.assignedTo) parts.push(`Assigned to ${escapeSlack(view.assignedTo)}`);
  if (view.snoozedUntil) parts.push(`Snoozed until ${weekdayDate(view.snoozedUntil)}`);
  return parts.length ? parts.join(' · ') : null;
}

function alertButtons(view: AlertView): ButtonElement[] {
  const ref = { alertId: view.alertId };
  const buttons: ButtonElement[] = [];
  if (view.status !== 'acknowledged') buttons.push(button('Acknowledge', SLACK_ALERT_ACTIONS.acknowledge, ref, 'primary'));
  buttons.push(button('Assign to me', SLACK_ALERT_ACTIONS.assignToMe, { ...ref, to: 'me' }), button('Assign to colleague…', SLACK_ALERT_ACTIONS.assignToColleague, ref));
  for (const days of SNOOZE_BUTTON_DAYS) buttons.push(button(`Snooze ${days} school day${days === 1 ? '' : 's'}`, `${SLACK_ALERT_ACTIONS.snooze}.${days}`, { ...ref, days }));
  return buttons;
}

export function alertBlocks(view: AlertView, options: { banner?: string; notice?: string } = {}): SlackMessage {
  const blocks: Block[] = [];
  if (options.banner) blocks.push(context(`*${escapeSlack(options.banner)}*`));
  blocks.push(header(view.title));
  if (options.notice) blocks.push(section(escapeSlack(options.notice)));
  if (view.kind === 'district') {
    blocks.push(section(`*${escapeSlack(view.districtName)}* · ${escapeSlack(view.groupLabel)}`));
  } else {
    blocks.push(section(`*${escapeSlack(view.pupilLabel)}* · ${escapeSlack(view.yearGroup)} · ${escapeSlack(view.schoolName)}`));
    if (view.cohorts.length) blocks.push(context(escapeSlack(view.cohorts.join(' · '))));
  }
  const facts: [string, string][] = [];
  if (view.kind === 'pupil' && view.exclusion) {
    facts.push([view.exclusion.category, `${weekdayDate(view.exclusion.startDate)}, ${view.exclusion.length}`]);
    if (view.exclusion.reasons.length) facts.push(['Reasons', view.exclusion.reasons.join('; ')]);
  }
  facts.push(...view.facts);
  blocks.push(...fieldSections(facts.map(([k, v]) => `*${escapeSlack(k)}*\n${escapeSlack(v)}`)));
  const duties = view.kind === 'district' ? [] : view.duties;
  for (const duty of duties) blocks.push(section(dutyLine(duty)));
  if (view.kind === 'pupil' && duties.length === 0 && view.deadline) {
    const window = view.deadline.dueKind === 'window' ? view.deadline.date : undefined;
    blocks.push(section(`*${escapeSlack(view.deadline.label)}: ${weekdayDate(view.deadline.date)}*\n${schoolDaysLeftText(view.deadline.schoolDaysLeft, window)}`));
  }
  if (view.kind === 'pupil' && view.deadlineNote) blocks.push(section(`:warning: ${escapeSlack(view.deadlineNote)}`));
  if (duties.length <= 1) blocks.push(section(`*Next:* ${escapeSlack(view.nextStep)}`));
  const bases = duties.length > 1 ? [...new Set(duties.map((d) => d.basis).filter(Boolean))] : [view.basis];
  blocks.push(context(...bases.map(escapeSlack)));
  if (view.kind !== 'district' && view.minimised) blocks.push(context('Initials only here: open the alert in your direct message with the Inclusion Assistant for full details.'));
  const status = statusLine(view);
  if (status) blocks.push(context(status));
  // The buttons go last and must survive a cut: the message keeps room for them.
  const buttons = actions(alertButtons(view));
  const room = MAX_BLOCKS - buttons.length;
  const kept = blocks.length <= room ? blocks : [...blocks.slice(0, room - 1), context(`${blocks.length - room + 1} more parts not shown: type \`/inclusion alerts list\` to open the whole case.`)];
  const body = message(`${view.kind === 'attendance' ? 'Attendance' : 'Exclusion'} alert: ${view.title}`, kept);
  return { text: body.text, blocks: [...body.blocks, ...buttons] };
}

/** The Assign to colleague form's callback id. */
export const SLACK_ASSIGN_MODAL = 'alerts.assign';

/** Where the alert card was, so a good assignment redraws it; the alert by id only (no pupil data). */
export interface AssignModalMetadata {
  alertId: number;
  channel?: string;
  ts?: string;
}

/** The Teams card's "Assign" email field as a modal; the service checks the colleague and their scope. */
export function assignModal(metadata: AssignModalMetadata): ModalView {
  return modal({
    callbackId: SLACK_ASSIGN_MODAL,
    title: 'Assign alert',
    submit: 'Assign',
    close: 'Cancel',
    metadata,
    info: [section('Who should take this alert? They must use the Inclusion Assistant and be able to see the pupil. They will be told.')],
    inputs: [textInput('email', 'Colleague’s email', { maxLength: 200, placeholder: 'name@lincolnshire.gov.uk' })],
  });
}
