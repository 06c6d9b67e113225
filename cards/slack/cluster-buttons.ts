import { button, type ButtonElement } from './block-kit';

/**
 * The cluster messages' buttons. A "view" button redraws the message in place (Previous / Next,
 * Agenda / Minutes / Candidates), in the conversation's own view; "Show names" answers the presser
 * alone. Their value says which view and page, as the Teams verbs' data does.
 */

export const SLACK_CLUSTER_ACTIONS = { view: 'cluster.view', names: 'cluster.names' } as const;

export type ClusterWhat = 'agenda' | 'minutes' | 'candidates';

export interface ClusterViewRef {
  what: ClusterWhat;
  district: string;
  from?: number;
  school?: string;
  cohort?: string;
}

/** A button that redraws the message as `ref`; `suffix` keeps action ids unique within a message. */
export function viewButton(label: string, suffix: string, ref: ClusterViewRef): ButtonElement {
  return button(label, `${SLACK_CLUSTER_ACTIONS.view}.${suffix}`, ref);
}

/** Previous / Next for a page of `shown` rows starting at `from`, of `total`, `pageSize` to a page. */
export function pageButtons(ref: Omit<ClusterViewRef, 'from'>, page: { from: number; shown: number; total: number; pageSize: number }): ButtonElement[] {
  const out: ButtonElement[] = [];
  if (page.from > 0) out.push(viewButton('‹ Previous', 'previous', { ...ref, from: Math.max(0, page.from - page.pageSize) }));
  if (page.from + page.shown < page.total) out.push(viewButton('Next ›', 'next', { ...ref, from: page.from + page.shown }));
  return out;
}

/** Offered where pupils show as initials: the presser's own view, to them alone. */
export function namesButton(ref: ClusterViewRef): ButtonElement {
  return button('Show names', SLACK_CLUSTER_ACTIONS.names, ref);
}

/** Button prefix `cluster.nominate.<pupilId>`: puts the pupil on the next meeting's agenda. */
export const SLACK_NOMINATE = 'cluster.nominate';

/**
 * Nominate, as the Teams cards' button: from the candidates list (redrawn in place, its page and
 * filters kept) or from a review (answered to the presser). Slack sends no reason; it is optional.
 */
export function nominateButton(district: string, pupilId: number, back: { card: 'candidates'; from: number; school?: string; cohort?: string } | { card: 'review' }): ButtonElement {
  const { card, ...rest } = back;
  return button('Nominate', `${SLACK_NOMINATE}.${pupilId}`, { district, pupilId, back: card, ...rest });
}
