import type { ReviewView } from '../services/cluster/pupil-review';
import { REVIEW_FIELD_LABELS, type ReviewForm } from '../services/cluster/pupil-review-form';
import {
  adaptiveCard,
  column,
  columns,
  container,
  facts,
  heading,
  subtle,
  text,
  type ActionExecute,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
} from './adaptive-card';
import { weeklyChartDataUri } from './cluster-chart';
import { agendaAction, fitRefresh, longDate, minimisedNote, ncYear, nominateAction, percent, refreshFor, ROLE_WORDS, safe, severityColour, shortDate, trendWords } from './cluster-card-parts';
import { VERBS } from './verbs';

/**
 * A pupil's review at the cluster meeting: attendance by week (a bar chart, with the weekly
 * figures in words for screen readers), the register codes, suspensions and exclusions, flags,
 * earlier reviews and actions, and the form that records barriers, an agreed action and the outcome.
 */

export interface ReviewCardOptions {
  refreshUserIds?: readonly string[];
  /** Problems with the last submission, by form field; the form keeps what was typed. */
  errors?: Record<string, string>;
  form?: Partial<ReviewForm>;
  /** Shown after a successful save. */
  savedNote?: string;
}

/** Open actions come first; more than this many would crowd the form off a phone screen. */
const MAX_ACTIONS = 6;
const MAX_REVIEWS = 2;
/** Earlier reviews are a reminder (the minutes hold them in full); short enough that the busiest card fits 28 KB. */
const EARLIER_REVIEW_TEXT_CHARS = 240;

const BAND_WORDS = { none: 'Not persistently absent', persistent: 'Persistent absence (10%+ missed)', severe: 'Severe absence (50%+ missed)' } as const;

export function pupilReviewCard(view: ReviewView, options: ReviewCardOptions = {}): AdaptiveCard {
  const s = view.sessions;
  const body: CardElement[] = [
    heading(`${safe(view.label, 60)} · ${ncYear(view.ncYear)} · ${safe(view.schoolName, 60)}`),
    subtle(`${safe(view.district)} cluster · meeting ${longDate(view.meeting.date)} · year to date ${shortDate(view.periodFrom)} – ${shortDate(view.asOf)} (last day with marks)`),
    ...minimisedNote(view.nameMode),
  ];
  if (options.savedNote) body.push(container([text(safe(options.savedNote), { size: 'small' })], { style: 'good', spacing: 'small' }));
  // Flags, notes and code meanings are our own words, not data: no escaping needed.
  if (view.flags.length) body.push(text(`**Flags:** ${view.flags.join(' · ')}`, { size: 'small', color: severityColour(view.band) }));
  if (view.nomination) {
    body.push(text(`**Nominated** for this meeting by ${safe(view.nomination.byName, 60)}${view.nomination.reason ? `: ${safe(view.nomination.reason, 300)}` : ''}`, { size: 'small' }));
  }
  body.push(
    facts([
      ['Attendance', `${percent(view.attendanceRate)} (${s.present + s.aea} of ${s.possible} sessions)`],
      ['Absence', `${s.authorised} authorised · ${s.unauthorised} unauthorised`],
      ['Band', BAND_WORDS[view.band]],
      ['Last 6 weeks', trendWords(view.band, view.trend, view.trendPoints)],
    ]),
    ...weekSection(view),
    ...codeSection(view),
    ...exclusionSection(view),
    ...reviewSection(view),
    ...actionSection(view),
    ...formSection(view, options),
  );
  const actions: CardAction[] = [
    { type: 'Action.Execute', title: 'Save review', verb: VERBS.clusterReviewSave, data: { district: view.district, pupilId: view.pupilId }, associatedInputs: 'auto' },
    agendaAction(view.district, 'Back to agenda'),
  ];
  if (!view.nomination) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Nominate',
      card: adaptiveCard(
        [
          text(`Put this pupil on the agenda of the meeting on ${longDate(view.meeting.date)}.`, { size: 'small' }),
          { type: 'Input.Text', id: 'nominationReason', label: 'Why (optional)', maxLength: 300, placeholder: 'e.g. the school asks for multi-agency help' },
        ],
        { actions: [nominateAction(view.district, view.pupilId, { card: 'review' })] },
      ),
    });
  }
  const card = adaptiveCard(body, {
    actions,
    refresh: refreshFor(VERBS.clusterReview, { district: view.district, pupilId: view.pupilId }, options.refreshUserIds),
    fallbackText: `Attendance review for a pupil in ${view.district}`,
  });
  return fitRefresh(card);
}

function weekSection(view: ReviewView): CardElement[] {
  if (view.weeks.length === 0) return [text('No attendance marks this year yet.', { isSubtle: true, spacing: 'medium' })];
  const words = view.weeks.map((w) => `${shortDate(w.weekStart)} ${w.possible ? `${Math.round((100 * w.attended) / w.possible)}%` : '–'}`);
  const first = view.weeks[0]!.weekStart;
  const last = view.weeks[view.weeks.length - 1]!.weekStart;
  return [
    text('**Attendance by week**', { spacing: 'medium' }),
    {
      type: 'Image',
      url: weeklyChartDataUri(view.weeks),
      altText: `Attendance by week: ${words.join(', ')}`,
      // Native width on desktop (crisp), scaled down to fit a phone's narrower card.
      size: 'auto',
      spacing: 'small',
    },
    // The same axis in words, under the image: Teams may scale the picture, never this text.
    columns(
      [
        column([text(`w/c ${shortDate(first)}`, { size: 'small', isSubtle: true })], 'auto'),
        column([text('dashed line: 90% attendance', { size: 'small', isSubtle: true, horizontalAlignment: 'center' })], 'stretch'),
        column([text(`w/c ${shortDate(last)}`, { size: 'small', isSubtle: true, horizontalAlignment: 'right' })], 'auto'),
      ],
      { spacing: 'none' },
    ),
    subtle(
      `Bars: share of sessions attended each week, labelled by the week's Monday (day/month); green 95%+, amber 90%+, orange under 90%, red 50% or less. Below the 90% line is persistent absence. Last weeks: ${words.slice(-6).join(' · ')}`,
    ),
  ];
}

function codeSection(view: ReviewView): CardElement[] {
  const absences = view.codes.filter((c) => c.counts !== 'present');
  const present = view.codes.filter((c) => c.counts === 'present').reduce((n, c) => n + c.sessions, 0);
  const lines = [`Present: ${present}`, ...absences.map((c) => `${c.code === '\\' ? '\\\\' : c.code} ${c.meaning}: ${c.sessions}`)];
  return [text('**Register codes** (sessions)', { spacing: 'medium' }), text(lines.join('\n\n'), { size: 'small', spacing: 'none' }), ...notes(view)];
}

function notes(view: ReviewView): CardElement[] {
  if (view.notes.length === 0) return [];
  return [text(`**Patterns:** ${view.notes.join(' · ')}`, { size: 'small', color: severityColour(view.band) })];
}

/** The pupil's exclusion alerts as read-only lines, linked to the alert timeline (acting on an alert is the alert card's job). */
function alertLines(view: ReviewView): CardElement[] {
  if (view.alerts.length === 0) return [];
  const lines = view.alerts.map((a) => `Alert ${shortDate(a.createdOn)}: ${a.title}${a.status === 'acknowledged' ? ' (acknowledged)' : ''}${a.dueDate && a.status !== 'acknowledged' ? `, due ${shortDate(a.dueDate)}` : ''}`);
  const timeline: ActionExecute = { type: 'Action.Execute', title: 'Exclusions and alerts timeline', verb: VERBS.alertTimeline, data: { alertId: view.alerts[0]!.id }, associatedInputs: 'none' };
  return [text(lines.join('\n\n'), { size: 'small', spacing: 'small' }), { type: 'ActionSet', actions: [timeline], spacing: 'small' }];
}

function exclusionSection(view: ReviewView): CardElement[] {
  const head = text('**Suspensions, exclusions and alerts this year**', { spacing: 'medium' });
  if (view.exclusions.length === 0) return [head, subtle('No suspension or exclusion recorded.'), ...alertLines(view)];
  const words = { SUSP: 'Suspension', PERM: 'Permanent exclusion', LUNC: 'Lunchtime suspension' } as const;
  return [
    head,
    text(
      view.exclusions.slice(0, 6).map((x) => `${words[x.category]} from ${shortDate(x.startDate)}${x.category === 'PERM' ? '' : `, ${x.sessions / 2} day${x.sessions === 2 ? '' : 's'}`} (${safe(x.reasons, 20)})`).join('\n\n'),
      { size: 'small', spacing: 'none' },
    ),
    ...alertLines(view),
  ];
}

function reviewSection(view: ReviewView): CardElement[] {
  if (view.reviews.length === 0) return [];
  return [
    text('**Earlier reviews**', { spacing: 'medium' }),
    ...view.reviews.slice(0, MAX_REVIEWS).map((r) =>
      text(
        [
          `**${shortDate(r.meetingDate)}** (recorded by ${safe(r.recordedBy, 60)})`,
          r.leadPractitioner ? `Lead practitioner: ${safe(r.leadPractitioner)}` : '',
          r.barriers ? `Barriers: ${safe(r.barriers, EARLIER_REVIEW_TEXT_CHARS)}` : '',
          r.outcome ? `Outcome: ${safe(r.outcome, EARLIER_REVIEW_TEXT_CHARS)}` : '',
        ]
          .filter(Boolean)
          .join('\n\n'),
        { size: 'small', spacing: 'small' },
      ),
    ),
  ];
}

function actionSection(view: ReviewView): CardElement[] {
  if (view.actions.length === 0) return [text('**Agreed actions**', { spacing: 'medium' }), subtle('None yet.')];
  const hidden = view.actions.length - MAX_ACTIONS;
  return [
    text('**Agreed actions**', { spacing: 'medium' }),
    ...view.actions.slice(0, MAX_ACTIONS).map((a) => {
      const status = a.status === 'open' ? (a.overdue ? `**overdue** (due ${shortDate(a.dueDate)})` : `due ${shortDate(a.dueDate)}`) : a.status;
      const line = text(`${safe(a.description, 200)} · ${safe(a.ownerName, 60)} · ${status}`, { size: 'small', color: a.overdue ? 'attention' : 'default' });
      if (a.status !== 'open') return line;
      const done: ActionExecute = {
        type: 'Action.Execute',
        title: 'Done',
        verb: VERBS.clusterActionStatus,
        data: { district: view.district, actionId: a.id, status: 'done' },
        associatedInputs: 'none',
      };
      return columns([column([line], 'stretch'), column([{ type: 'ActionSet', actions: [done] }], 'auto')], { spacing: 'small' });
    }),
    ...(hidden > 0 ? [subtle(`${hidden} more (the minutes list every action).`)] : []),
  ];
}

function fieldError(field: string, errors: Record<string, string> | undefined): CardElement[] {
  const problem = errors?.[field];
  if (!problem) return [];
  return [text(`${REVIEW_FIELD_LABELS[field] ?? field}: ${safe(problem)}`, { size: 'small', color: 'attention', spacing: 'none' })];
}

function formSection(view: ReviewView, options: ReviewCardOptions): CardElement[] {
  const form = options.form ?? {};
  const errors = options.errors;
  const out: CardElement[] = [text('**Record this review**', { spacing: 'large', separator: true })];
  if (errors && Object.keys(errors).length) {
    const list = Object.entries(errors).map(([f, m]) => `${REVIEW_FIELD_LABELS[f] ?? f}: ${safe(m)}`);
    out.push(container([text(`**Not saved.** ${list.join('; ')}`, { size: 'small', color: 'attention' })], { style: 'attention', spacing: 'small' }));
  }
  const value = (v: string | undefined) => (v ? { value: v } : {});
  out.push(
    { type: 'Input.Text', id: 'barriers', label: 'Barriers to attendance', isMultiline: true, maxLength: 2000, placeholder: 'What is keeping the pupil from school?', ...value(form.barriers) },
    ...fieldError('barriers', errors),
    { type: 'Input.Text', id: 'leadPractitioner', label: 'Lead practitioner', maxLength: 200, placeholder: 'Usually the school, e.g. the SENCo', ...value(form.leadPractitioner) },
    ...fieldError('leadPractitioner', errors),
    { type: 'Input.Text', id: 'actionWhat', label: 'Agreed action', maxLength: 500, placeholder: 'e.g. Early help assessment', ...value(form.actionWhat) },
    ...fieldError('actionWhat', errors),
    {
      type: 'Input.ChoiceSet',
      id: 'actionOwner',
      label: 'Action owner',
      style: 'compact',
      placeholder: 'Who will do it?',
      choices: view.owners.map((o) => ({ title: `${o.name} (${ROLE_WORDS[o.role] ?? o.role})`, value: String(o.id) })),
      ...value(form.actionOwner),
    },
    ...fieldError('actionOwner', errors),
    {
      type: 'Input.Date',
      id: 'actionDue',
      label: 'Due date',
      min: view.today,
      ...(view.latestDue ? { max: view.latestDue } : {}),
      // Teams refuses a date outside min..max before sending anything: without this message the
      // button would seem to do nothing.
      errorMessage: `Due date: choose a date from today (${shortDate(view.today)}) to a year ahead`,
      ...value(form.actionDue),
    },
    ...fieldError('actionDue', errors),
    { type: 'Input.Text', id: 'outcome', label: 'Outcome', isMultiline: true, maxLength: 2000, placeholder: 'What was decided?', ...value(form.outcome) },
    ...fieldError('outcome', errors),
  );
  return out;
}
