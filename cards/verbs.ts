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
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

export const ALL_VERBS: readonly string[] = Object.values(VERBS);
