/**
 * Every Action.Execute verb, in one registry imported by cards/ (to put on buttons) and bot/ (to
 * route). A test fails if a card uses a verb that is not here or has no handler.
 */
export const VERBS = {
  help: 'help.show',
  /** data: { id, q? } opens a rung or scenario card in place. */
  ladderRung: 'ladder.rung',
  /** data: {} shows the whole ladder in place. */
  ladderOverview: 'ladder.overview',
  /** data: { verdict: 'yes' | 'no', id?, q? } records whether a ladder answer helped. */
  ladderFeedback: 'ladder.feedback',
  /** data: { id, q? } + inputs tick-<item key>: saves the user's checklist ticks on a rung for this situation. */
  ladderChecklist: 'ladder.checklist',
  /** data: { alertId } marks an exclusion alert acknowledged (first press wins). */
  alertAcknowledge: 'alert.acknowledge',
  /** data: { alertId, to: 'me' | email } assigns the alert. */
  alertAssign: 'alert.assign',
  /** data: { alertId, days: 1 | 3 | 5 } hides the alert and reminds after that many school days. */
  alertSnooze: 'alert.snooze',
  /** data: { alertId } shows the pupil's exclusions and alerts this year in place. */
  alertTimeline: 'alert.timeline',
  /** data: { alertId } redraws the alert card (Universal Actions refresh, and "back" from the timeline). */
  alertRefresh: 'alert.refresh',
  /** data: { alertId } + input placedOn: records the permanently excluded pupil's new full-time place. */
  alertPlacement: 'alert.placement',
  /** data: { alertId } + inputs outcome, outcomeBy, outcomeDate: the exclusion was withdrawn, cancelled or the pupil reinstated (LA roles). */
  alertOutcome: 'alert.outcome',
  /** data: { alertId } + inputs decision, meetingDate, notifiedDate: the governing board's decision on a board-duty alert (LA roles). */
  alertGovernorsDecision: 'alert.governors-decision',
  /** data: { district, from? } shows a cluster's meeting agenda from that pupil on (also its Universal Actions refresh). */
  clusterAgenda: 'cluster.agenda',
  /** data: { district, pupilId } opens a pupil's review card (also its refresh). */
  clusterReview: 'cluster.review',
  /** data: { district, pupilId } + the form's inputs: records barriers, an agreed action and the outcome. */
  clusterReviewSave: 'cluster.review.save',
  /** data: { district, actionId, status: 'done' | 'dropped' } closes an agreed action. */
  clusterActionStatus: 'cluster.action.status',
  /** data: { district, from?, school?, cohort? } lists the meeting's candidate pool, ranked, from that position. */
  clusterCandidates: 'cluster.candidates',
  /** data: { district, pupilId, back: 'candidates' | 'review', from?, school?, cohort? } + input nominationReason: nominates the pupil for the next meeting. */
  clusterNominate: 'cluster.nominate',
  /** data: { district, from? } shows the minutes of the district's latest meeting. */
  clusterMinutes: 'cluster.minutes',
  /** data: {} lists the user's own open actions. */
  myActions: 'cluster.my-actions',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

export const ALL_VERBS: readonly string[] = Object.values(VERBS);
