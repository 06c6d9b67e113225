import type { ReviewView } from '../../services/cluster/pupil-review';
import { REVIEW_FIELD_LABELS, type ReviewForm } from '../../services/cluster/pupil-review-form';
import type { PupilSearchView } from '../../services/cluster/pupil-search';
import { dayMonth, weekdayDate } from '../../services/calendar/dates';
import { ncYear, percent, ROLE_WORDS, trendWords } from '../cluster-card-parts';
import { button, context, escapeSlack, fieldSections, header, longSection, message, messageWithActions, section, sectionWithButton, type Block, type SlackMessage } from './block-kit';
import { nominateButton } from './cluster-buttons';
import { dateInput, modal, selectInput, textInput, type ModalView } from './modal-kit';

/**
 * A pupil's cluster review in Block Kit, from the same view as the Teams review card
 * (cards/pupil-review-card.ts): a summary message with a "Record review" button, and the review
 * form as a modal with the Teams card's fields. Block ids are the form's field names, so the
 * service's problems (keyed by field) go straight back beside the right input.
 */

export const SLACK_REVIEW = {
  /** Button prefix: `cluster.review.<pupilId>[.<row>]` (action ids must differ within a message). */
  open: 'cluster.review',
  /** The modal's callback id: its submission records the review. */
  save: 'cluster.review.save',
} as const;

/** The Review button for one pupil; its value is the Teams verb's data ({ district, pupilId }). */
export function reviewButton(district: string, pupilId: number, label = 'Review', row?: number) {
  return button(label, `${SLACK_REVIEW.open}.${pupilId}${row === undefined ? '' : `.${row}`}`, { district, pupilId });
}

const BAND_WORDS = { none: 'Not persistently absent', persistent: 'Persistent absence (10%+ missed)', severe: 'Severe absence (50%+ missed)' } as const;
const EXCLUSION_WORDS = { SUSP: 'Suspension', PERM: 'Permanent exclusion', LUNC: 'Lunchtime suspension' } as const;

/** What the review says about the pupil, above the form or in a message. */
function reviewSummary(view: ReviewView, savedNote?: string): Block[] {
  const s = view.sessions;
  const blocks: Block[] = [
    header(`${view.label} · ${ncYear(view.ncYear)} · ${view.schoolName}`),
    context(`${escapeSlack(view.district)} cluster · meeting ${weekdayDate(view.meeting.date)} · year to date ${dayMonth(view.periodFrom)} to ${dayMonth(view.asOf)}`),
  ];
  if (view.nameMode === 'initials') blocks.push(context('Initials only here. Press Record review to see the pupil in your own view.'));
  if (savedNote) blocks.push(section(`:white_check_mark: ${escapeSlack(savedNote)}`));
  if (view.flags.length) blocks.push(section(`*Flags:* ${escapeSlack(view.flags.join(' · '))}`));
  if (view.nomination) blocks.push(section(`*Nominated* by ${escapeSlack(view.nomination.byName)}${view.nomination.reason ? `: ${escapeSlack(view.nomination.reason)}` : ''}`));
  blocks.push(
    ...fieldSections([
      `*Attendance*\n${percent(view.attendanceRate)} (${s.present + s.aea} of ${s.possible} sessions)`,
      `*Absence*\n${s.authorised} authorised · ${s.unauthorised} unauthorised`,
      `*Band*\n${BAND_WORDS[view.band]}`,
      `*Last 6 weeks*\n${escapeSlack(trendWords(view.band, view.trend, view.trendPoints))}`,
    ]),
  );
  if (view.weeks.length) {
    const weeks = view.weeks.slice(-6).map((w) => `${dayMonth(w.weekStart)} ${w.possible ? `${Math.round((100 * w.attended) / w.possible)}%` : '–'}`);
    blocks.push(context(`Attendance by week: ${weeks.join(' · ')}`));
  }
  const absences = view.codes.filter((c) => c.counts !== 'present').map((c) => `${escapeSlack(c.code)} ${escapeSlack(c.meaning)}: ${c.sessions}`);
  if (absences.length) blocks.push(...longSection(`*Absence codes* (sessions)\n${absences.join('\n')}`));
  if (view.notes.length) blocks.push(context(`Patterns: ${escapeSlack(view.notes.join(' · '))}`));
  if (view.exclusions.length) {
    const lines = view.exclusions.slice(0, 6).map((x) => `${EXCLUSION_WORDS[x.category]} from ${dayMonth(x.startDate)}${x.category === 'PERM' ? '' : `, ${x.sessions / 2} days`}`);
    blocks.push(section(`*Suspensions and exclusions this year*\n${lines.join('\n')}`));
  }
  for (const r of view.reviews.slice(0, 2)) {
    const lines = [
      `*Review ${dayMonth(r.meetingDate)}* (recorded by ${escapeSlack(r.recordedBy)})`,
      r.leadPractitioner ? `Lead practitioner: ${escapeSlack(r.leadPractitioner)}` : '',
      r.barriers ? `Barriers: ${escapeSlack(r.barriers)}` : '',
      r.outcome ? `Outcome: ${escapeSlack(r.outcome)}` : '',
    ];
    blocks.push(...longSection(lines.filter(Boolean).join('\n')));
  }
  if (view.actions.length) {
    const lines = view.actions.slice(0, 6).map((a) => {
      const status = a.status === 'open' ? (a.overdue ? `*overdue* (due ${dayMonth(a.dueDate)})` : `due ${dayMonth(a.dueDate)}`) : a.status;
      return `• ${escapeSlack(a.description)} · ${escapeSlack(a.ownerName)} · ${status}`;
    });
    blocks.push(...longSection(`*Agreed actions*\n${lines.join('\n')}`));
  }
  return blocks;
}

/** The review as a message (typed `pupil ...`), with the button that opens the form. */
export function reviewBlocks(view: ReviewView, options: { savedNote?: string } = {}): SlackMessage {
  const buttons = [reviewButton(view.district, view.pupilId, 'Record review'), ...(view.nomination ? [] : [nominateButton(view.district, view.pupilId, { card: 'review' })])];
  return messageWithActions(`Attendance review for a pupil in ${view.district}`, reviewSummary(view, options.savedNote), buttons);
}

/** Several pupils matched `pupil ...`: each with its Review button. */
export function pupilSearchBlocks(view: PupilSearchView): SlackMessage {
  const blocks: Block[] = [header('Which pupil?')];
  if (view.nameMode === 'initials') blocks.push(context('Initials only here. Ask in a direct message to see names.'));
  for (const m of view.matches) {
    blocks.push(sectionWithButton(`*${escapeSlack(m.label)}* · ${ncYear(m.ncYear)} · ${escapeSlack(m.schoolName)} · ${escapeSlack(m.district)}`, reviewButton(m.district, m.pupilId)));
  }
  if (view.more) blocks.push(context('More pupils match: add more of the name, or give the UPN.'));
  return message(`${view.matches.length} pupils match`, blocks);
}

/** What the modal carries back on submission: the review's own keys and where the form was opened. */
export interface ReviewModalMetadata {
  district: string;
  pupilId: number;
  /** The Slack conversation the Review button was in, for the confirmation (absent from App Home). */
  channel?: string;
}

/**
 * The review form as a modal, with the Teams card's fields. After a refused submission Slack
 * keeps what was typed itself; `form` refills the fields when the modal is drawn again.
 */
export function reviewModal(view: ReviewView, metadata: ReviewModalMetadata, form: Partial<ReviewForm> = {}): ModalView {
  const owners = view.owners.map((o) => ({ text: `${o.name} (${ROLE_WORDS[o.role] ?? o.role})`, value: String(o.id) }));
  return modal({
    callbackId: SLACK_REVIEW.save,
    title: 'Cluster review',
    submit: 'Save review',
    close: 'Cancel',
    metadata,
    info: [...reviewSummary(view), section('*Record this review*')],
    inputs: [
      textInput('barriers', 'Barriers to attendance', { multiline: true, maxLength: 2000, initial: form.barriers, placeholder: 'What is keeping the pupil from school?' }),
      textInput('leadPractitioner', REVIEW_FIELD_LABELS.leadPractitioner!, { maxLength: 200, initial: form.leadPractitioner, placeholder: 'Usually the school, e.g. the SENCo' }),
      textInput('actionWhat', REVIEW_FIELD_LABELS.actionWhat!, { maxLength: 500, initial: form.actionWhat, placeholder: 'e.g. Early help assessment' }),
      selectInput('actionOwner', REVIEW_FIELD_LABELS.actionOwner!, owners, { initial: form.actionOwner, placeholder: 'Who will do it?' }),
      dateInput('actionDue', REVIEW_FIELD_LABELS.actionDue!, { initial: form.actionDue, hint: `From today (${dayMonth(view.today)}) to a year ahead.` }),
      textInput('outcome', REVIEW_FIELD_LABELS.outcome!, { multiline: true, maxLength: 2000, initial: form.outcome, placeholder: 'What was decided?' }),
    ],
  });
}

/** The form's fields (the modal's block ids). */
const REVIEW_INPUTS = ['barriers', 'leadPractitioner', 'actionWhat', 'actionOwner', 'actionDue', 'outcome'] as const;

/** The service's problems by field, as Slack's `response_action: "errors"` wants them: by block id, naming the field. */
export function reviewErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, problem] of Object.entries(errors)) {
    // A problem with no input of its own (none today) is shown on the first field rather than lost.
    const blockId = (REVIEW_INPUTS as readonly string[]).includes(field) ? field : 'barriers';
    const line = `${REVIEW_FIELD_LABELS[field] ?? field}: ${problem}`;
    out[blockId] = out[blockId] ? `${out[blockId]}; ${line}` : line;
  }
  return out;
}
