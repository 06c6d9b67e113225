import type { AlertView, AttendanceAlertView, DistrictAlertView, DutyView, PupilAlertView } from '../services/alerts/alert-view';
import { weeklyChartDataUri } from './cluster-chart';
import type { TimelineView } from '../services/alerts/alert-actions';
import {
  adaptiveCard,
  container,
  escapeMarkdown,
  facts,
  heading,
  subtle,
  text,
  type AdaptiveCard,
  type ActionExecute,
  type CardAction,
  type CardElement,
} from './adaptive-card';
import { VERBS, type Verb } from './verbs';
import { weekdayDate } from '../services/calendar/dates';

/** Alerts about the governing board's duty to consider reinstatement: the card can record its decision. */
const BOARD_DUTY_RULES: readonly string[] = ['pex_governors_review', 'term_total_over_15', 'term_total_over_5', 'missed_public_exam'];

/**
 * The exclusion alert card: what happened, the pupil (minimised outside personal chats), the
 * school, flags, the deadline as a date with school days left, what to do next, and Acknowledge /
 * Assign / Snooze / Open timeline. Every button is Action.Execute, and the card carries a refresh
 * action so each viewer's copy redraws with the current state (Universal Actions).
 */

export interface AlertCardOptions {
  /** Teams user ids (29:...) to refresh automatically; omit in chats/channels of 60 or fewer. */
  refreshUserIds?: string[];
  /** A line above the title, e.g. "Reminder: you snoozed this alert". */
  banner?: string;
  /** A line under the title after an action, e.g. "Assigned to Ola". */
  notice?: string;
  /** Assign refused what was typed: shown beside the email field, which keeps the text. */
  assignError?: { message: string; email: string };
}

/**
 * School days left, or by how much overdue. `windowCloses` is set when the date is a window for
 * someone else (parents' review, see DueKind): once past, it has closed and nobody is overdue.
 */
export function schoolDaysLeftText(left: number | null, windowCloses?: string): string {
  if (windowCloses !== undefined && left !== null && left < 0) return windowClosedText(windowCloses);
  if (left === null) return 'outside the school calendar';
  if (left === 0) return 'today';
  if (left > 0) return `${left} school day${left === 1 ? '' : 's'} left`;
  return `overdue by ${-left} school day${left === -1 ? '' : 's'}`;
}

/** A duty with no date of its own (e.g. tell the social worker): said so, not left blank. */
export const NO_DEADLINE_TEXT = 'no set deadline';

export function windowClosedText(date: string): string {
  return `window closed ${weekdayDate(date)}`;
}

function execute(title: string, verb: Verb, data: Record<string, unknown>): ActionExecute {
  return { type: 'Action.Execute', title, verb, data };
}

function statusLines(view: AlertView): CardElement[] {
  const lines: string[] = [];
  if (view.status === 'acknowledged') lines.push(`Acknowledged by ${escapeMarkdown(view.acknowledgedBy ?? 'a colleague')}${view.acknowledgedAt ? ` on ${weekdayDate(view.acknowledgedAt.slice(0, 10))}` : ''}`);
  if (view.assignedTo) lines.push(`Assigned to ${escapeMarkdown(view.assignedTo)}`);
  if (view.snoozedUntil) lines.push(`Snoozed until ${weekdayDate(view.snoozedUntil)}`);
  return lines.length ? [text(lines.join(' · '), { color: view.status === 'acknowledged' ? 'good' : 'default', spacing: 'small' })] : [];
}

function actionsFor(view: AlertView, assignError?: AlertCardOptions['assignError']): CardAction[] {
  const ref = { alertId: view.alertId };
  const actions: CardAction[] = [];
  if (view.status !== 'acknowledged') actions.push(execute('Acknowledge', VERBS.alertAcknowledge, ref));
  actions.push({
    type: 'Action.ShowCard',
    title: 'Assign',
    card: adaptiveCard(
      [
        {
          type: 'Input.Text',
          id: 'email',
          label: 'Colleague’s email',
          placeholder: 'name@lincolnshire.gov.uk',
          maxLength: 200,
          style: 'email',
          regex: '^\\S+@\\S+$',
          errorMessage: 'Type a colleague’s email address, e.g. name@lincolnshire.gov.uk',
          ...(assignError?.email ? { value: assignError.email } : {}),
        },
        ...(assignError ? [text(escapeMarkdown(assignError.message), { size: 'small', color: 'attention', spacing: 'none' })] : []),
      ],
      { actions: [{ ...execute('Assign to me', VERBS.alertAssign, { ...ref, to: 'me' }), associatedInputs: 'none' }, execute('Assign to colleague', VERBS.alertAssign, ref)] },
    ),
  });
  actions.push({
    type: 'Action.ShowCard',
    title: 'Snooze',
    card: adaptiveCard(
      [
        {
          type: 'Input.ChoiceSet',
          id: 'days',
          label: 'Remind me in',
          value: '1',
          style: 'compact',
          choices: [
            { title: '1 school day', value: '1' },
            { title: '3 school days', value: '3' },
            { title: '5 school days', value: '5' },
          ],
        },
      ],
      { actions: [execute('Snooze', VERBS.alertSnooze, ref)] },
    ),
  });
  // Casework forms (issue 9). Teams shows at most five actions: with casework offered, the
  // placement form moves into one "Casework" menu with the outcome and governors' decision forms.
  const casework: CardAction[] = [];
  const offerCasework = view.kind === 'pupil' && view.canRecordOutcome && !view.suggestLadder;
  if (!offerCasework) {
    if (view.kind === 'pupil' && view.canRecordPlacement && !view.placementFrom) {
      actions.push({
        type: 'Action.ShowCard',
        title: 'Record placement',
        card: placementForm(view, ref),
      });
    }
  } else {
    if (view.kind === 'pupil' && view.canRecordPlacement && !view.placementFrom) {
      casework.push({
        type: 'Action.ShowCard',
        title: 'Record placement',
        card: placementForm(view, ref),
      });
    }
    if (view.kind === 'pupil' && view.canRecordOutcome) {
      casework.push({
        type: 'Action.ShowCard',
        title: 'Record outcome',
        card: adaptiveCard(
          [
            {
              type: 'Input.ChoiceSet',
              id: 'outcome',
              label: 'Outcome',
              isRequired: true,
              errorMessage: 'Choose an outcome',
              choices: [
                { title: 'Withdrawn by the head', value: 'withdrawn' },
                { title: 'Cancelled by the head', value: 'cancelled' },
                { title: 'Pupil reinstated', value: 'reinstated' },
              ],
            },
            {
              type: 'Input.ChoiceSet',
              id: 'outcomeBy',
              label: 'Decided by',
              value: 'head',
              choices: [
                { title: 'Head teacher', value: 'head' },
                { title: 'Governing board', value: 'governors' },
              ],
            },
            { type: 'Input.Date', id: 'outcomeDate', label: 'Pupil back from (or cancelled on)', isRequired: true, errorMessage: 'Choose a date' },
          ],
          { actions: [execute('Record outcome', VERBS.alertOutcome, ref)] },
        ),
      });
    }
    if (view.kind === 'pupil' && BOARD_DUTY_RULES.includes(view.rule)) {
      casework.push({
        type: 'Action.ShowCard',
        title: 'Record governors’ decision',
        card: adaptiveCard(
          [
            {
              type: 'Input.ChoiceSet',
              id: 'decision',
              label: 'The board',
              isRequired: true,
              errorMessage: 'Choose the decision',
              choices: [
                { title: 'Upheld the exclusion', value: 'upheld' },
                { title: 'Reinstated the pupil', value: 'reinstated' },
              ],
            },
            { type: 'Input.Date', id: 'meetingDate', label: 'Meeting date', isRequired: true, errorMessage: 'Choose a date' },
            { type: 'Input.Date', id: 'notifiedDate', label: 'Parents given notice on' },
          ],
          { actions: [execute('Record decision', VERBS.alertGovernorsDecision, ref)] },
        ),
      });
    }
    actions.push({ type: 'Action.ShowCard', title: 'Casework', card: adaptiveCard([], { actions: casework }) });
  }
  if (view.kind === 'pupil') actions.push(execute('Open timeline', VERBS.alertTimeline, ref));
  if (view.kind === 'pupil' && view.suggestLadder) actions.push(execute('Open the ladder', VERBS.ladderOverview, {}));
  return actions;
}

/**
 * Record placement: the start date (the sixth school day offered), and when alternative provision
 * places are listed, which hub and which kind of place; "Elsewhere" records a place that is not at
 * a hub (a new school, a tuition package).
 */
function placementForm(view: PupilAlertView, ref: { alertId: number }): AdaptiveCard {
  const inputs: CardElement[] = [];
  const hubs = view.apPlaces?.hubs ?? [];
  if (hubs.length > 0) {
    inputs.push({
      type: 'Input.ChoiceSet',
      id: 'hubId',
      label: 'Where',
      value: String(hubs[0]!.hubId),
      style: 'compact',
      choices: [
        ...hubs.map((h) => ({ title: `${h.hub} (${h.district})`, value: String(h.hubId) })),
        { title: 'Elsewhere (not an AP hub)', value: 'elsewhere' },
      ],
    });
    inputs.push({
      type: 'Input.ChoiceSet',
      id: 'placeKind',
      label: 'Place',
      value: 'transient',
      style: 'expanded',
      choices: [
        { title: 'Transient place', value: 'transient' },
        { title: 'Commissioned place', value: 'commissioned' },
      ],
    });
  }
  inputs.push({
    type: 'Input.Date',
    id: 'placedOn',
    label: 'Full-time place starts on',
    isRequired: true,
    errorMessage: 'Choose a date',
    ...(view.apPlaces?.daySix ? { value: view.apPlaces.daySix } : {}),
  });
  return adaptiveCard(inputs, { actions: [execute('Record placement', VERBS.alertPlacement, ref)] });
}

function freeText(free: { commissioned: number; transient: number }): string {
  if (free.commissioned + free.transient === 0) return 'full';
  return `${free.commissioned} commissioned, ${free.transient} transient`;
}

/** Free alternative provision places by hub, today and on day 6: the pupil's district first, then the nearest. */
function placesBlock(places: NonNullable<PupilAlertView['apPlaces']>): CardElement[] {
  const title = `**Free AP places (${places.phase})**, ${escapeMarkdown(places.district)} first, then the nearest districts`;
  if (places.hubs.length === 0) return [text(title, { spacing: 'medium' }), subtle(`No ${places.phase} hubs are recorded (the authority imports them with ap-places).`)];
  const when = places.daySix ? `today · on day 6 (${weekdayDate(places.daySix)})` : 'today (day 6 is outside the school calendar)';
  return [
    text(title, { spacing: 'medium' }),
    subtle(when),
    facts(
      places.hubs.map((h) => [
        `${escapeMarkdown(h.hub)} · ${escapeMarkdown(h.district)}`,
        `${freeText(h.today)}${h.daySix ? ` · ${freeText(h.daySix)}` : ''}`,
      ]),
    ),
  ];
}

function pupilBody(view: PupilAlertView): CardElement[] {
  const who = `**${escapeMarkdown(view.pupilLabel)}** · ${view.yearGroup} · ${escapeMarkdown(view.schoolName)}`;
  const body: CardElement[] = [text(who, { spacing: 'small' })];
  if (view.currentSchoolNames.length) body.push(subtle(`Now on roll at ${view.currentSchoolNames.map(escapeMarkdown).join(', ')}`));
  if (view.cohorts.length) body.push(text(view.cohorts.join(' · '), { color: 'attention', weight: 'bolder', size: 'small', spacing: 'small' }));
  const rows: [string, string][] = [];
  if (view.exclusion) {
    rows.push([view.exclusion.category, `${weekdayDate(view.exclusion.startDate)}, ${view.exclusion.length}`]);
    if (view.exclusion.reasons.length) rows.push(['Reasons', view.exclusion.reasons.join('; ')]);
  }
  rows.push(...view.facts);
  if (rows.length) body.push(facts(rows));
  if (view.duties.length > 0) body.push(...dutyList(view.duties));
  else if (view.deadline) {
    const window = view.deadline.dueKind === 'window';
    const overdue = !window && view.deadline.schoolDaysLeft !== null && view.deadline.schoolDaysLeft < 0;
    body.push(
      container(
        [
          text(`**${view.deadline.label}: ${weekdayDate(view.deadline.date)}**`),
          text(schoolDaysLeftText(view.deadline.schoolDaysLeft, window ? view.deadline.date : undefined), { spacing: 'none', color: overdue ? 'attention' : 'default', weight: overdue ? 'bolder' : 'default' }),
        ],
        { style: overdue ? 'attention' : 'emphasis', spacing: 'medium' },
      ),
    );
  }
  if (view.deadlineNote) body.push(text(escapeMarkdown(view.deadlineNote), { color: 'warning', spacing: 'medium' }));
  if (view.apPlaces) body.push(...placesBlock(view.apPlaces));
  if (view.placementFrom) body.push(text(`Full-time place recorded from ${weekdayDate(view.placementFrom)}`, { color: 'good', spacing: 'small' }));
  return body;
}

const DUTY_STATE_TEXT = { met: 'done', acknowledged: 'acknowledged' } as const;

function capitalised(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every duty of the case, one block each: what, by when, how long left (or by how much overdue). */
function dutyList(duties: readonly DutyView[]): CardElement[] {
  return [
    text(duties.length === 1 ? '**Duty**' : `**Duties (${duties.length})**`, { spacing: 'medium' }),
    ...duties.map((d) => {
      const overdue = d.state === 'overdue';
      const done = d.state === 'met' || d.state === 'acknowledged';
      const progress = done ? DUTY_STATE_TEXT[d.state as 'met' | 'acknowledged'] : (d.note ?? schoolDaysLeftText(d.schoolDaysLeft));
      const when =
        d.state === 'closed' && d.date
          ? capitalised(windowClosedText(d.date))
          : d.date
            ? `${d.label ?? 'Due'}: ${weekdayDate(d.date)} · ${progress}`
            : done
              ? DUTY_STATE_TEXT[d.state as 'met' | 'acknowledged']
              : NO_DEADLINE_TEXT;
      return container(
        [
          text(`**${escapeMarkdown(d.title)}**`, { size: 'small' }),
          text(escapeMarkdown(when), { spacing: 'none', size: 'small', color: overdue ? 'attention' : done ? 'good' : 'default', weight: overdue ? 'bolder' : 'default' }),
          // Nothing left to do on a met duty or a closed window.
          ...(done || d.state === 'closed' || !d.nextStep ? [] : [subtle(escapeMarkdown(d.nextStep))]),
        ],
        { style: overdue ? 'attention' : 'emphasis', spacing: 'small' },
      );
    }),
  ];
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];

/** The attendance card: who, the weekly pattern (the review card's chart), the figures, the last weeks' marks, the duty. */
function attendanceBody(view: AttendanceAlertView): CardElement[] {
  const body: CardElement[] = [text(`**${escapeMarkdown(view.pupilLabel)}** · ${view.yearGroup} · ${escapeMarkdown(view.schoolName)}`, { spacing: 'small' })];
  if (view.cohorts.length) body.push(text(view.cohorts.join(' · '), { color: 'attention', weight: 'bolder', size: 'small', spacing: 'small' }));
  if (view.weeks.length) {
    body.push({ type: 'Image', url: weeklyChartDataUri(view.weeks), altText: `Attendance by school week this year, ${view.weeks.length} weeks`, size: 'stretch', spacing: 'medium' } as CardElement);
  }
  if (view.facts.length) body.push(facts(view.facts));
  if (view.recentMarks.length) {
    body.push(text('**Marks, latest weeks** (am pm, Monday to Friday)', { spacing: 'medium', size: 'small' }));
    body.push(
      facts(
        view.recentMarks.map((w) => [
          `w/c ${weekdayDate(w.weekStart)}`,
          escapeMarkdown(DAY_NAMES.map((day, i) => `${day} ${w.codes[i * 2]} ${w.codes[i * 2 + 1]}`).join(' · ')),
        ]),
      ),
    );
  }
  if (view.duties.length) body.push(...dutyList(view.duties));
  return body;
}

function districtBody(view: DistrictAlertView): CardElement[] {
  return [text(`**${escapeMarkdown(view.districtName)}** · ${escapeMarkdown(view.groupLabel)}`, { spacing: 'small' }), facts(view.facts)];
}

export function alertCard(view: AlertView, options: AlertCardOptions = {}): AdaptiveCard {
  const body: CardElement[] = [];
  if (options.banner) body.push(text(escapeMarkdown(options.banner), { color: 'accent', weight: 'bolder', size: 'small' }));
  body.push(heading(escapeMarkdown(view.title)));
  if (options.notice) body.push(text(escapeMarkdown(options.notice), { color: options.assignError ? 'attention' : 'good', spacing: 'small' }));
  body.push(...(view.kind === 'pupil' ? pupilBody(view) : view.kind === 'attendance' ? attendanceBody(view) : districtBody(view)));
  const duties = view.kind === 'pupil' || view.kind === 'attendance' ? view.duties : [];
  // With several duties each carries its own next step; the small print names every legal basis once.
  if (duties.length <= 1) body.push(text(`**Next:** ${escapeMarkdown(view.nextStep)}`, { spacing: 'medium' }));
  const bases = duties.length > 1 ? [...new Set(duties.map((d) => d.basis).filter(Boolean))] : [view.basis];
  for (const basis of bases) body.push(subtle(escapeMarkdown(basis)));
  if (view.kind !== 'district' && view.minimised) body.push(subtle('Initials only here: open the alert in your chat with the Inclusion Assistant for full details.'));
  body.push(...statusLines(view));
  const refresh: AdaptiveCard['refresh'] = { action: execute('Refresh', VERBS.alertRefresh, { alertId: view.alertId }) };
  if (options.refreshUserIds) refresh.userIds = options.refreshUserIds.slice(0, 60);
  return adaptiveCard(body, {
    actions: actionsFor(view, options.assignError),
    refresh,
    fallbackText: `${view.kind === 'attendance' ? 'Attendance' : 'Exclusion'} alert: ${view.title}. Open Teams to see and act on it.`,
  });
}

export function alertTimelineCard(view: TimelineView, alertId: number): AdaptiveCard {
  const entries = view.entries.length
    ? facts(view.entries.map((e) => [weekdayDate(e.date), escapeMarkdown(e.text)] as [string, string]))
    : text('Nothing recorded this academic year.');
  return adaptiveCard([heading(`Timeline: ${escapeMarkdown(view.pupilLabel)}`), subtle(`${view.yearGroup} · this academic year`), entries], {
    actions: [execute('Back to the alert', VERBS.alertRefresh, { alertId })],
    fallbackText: 'Exclusion timeline.',
  });
}

/** A one-line card so a button press can answer in place (not allowed, out of date). */
export function alertNoticeCard(message: string): AdaptiveCard {
  return adaptiveCard([text(escapeMarkdown(message))], { fallbackText: message });
}
