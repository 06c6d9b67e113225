import type { AlertRuleId } from '../exclusions/alert-types';

/**
 * Which proactive messages go first when many are queued. A row may carry its own priority; when
 * it does not (the usual case), the claim derives it from the kind and the alert's rule.
 */

export const PRIORITY = { leading: -1, urgent: 0, normal: 1, bulk: 2 } as const;

/**
 * Urgent: a new permanent exclusion and the day-6 provision deadlines (SI 2012/1033 reg 5 "without
 * delay"; EIA 2006 ss.100-101 full-time education from the sixth school day).
 */
export const URGENT_RULES: readonly AlertRuleId[] = ['permanent_exclusion', 'suspension_day6', 'pex_la_day6', 'pex_no_placement', 'pex_no_free_place'];

/**
 * First of all: the "what is open now" summary that opens a person's first contact (and folds the
 * day's overflow). It gives the cards that follow their context, so it never trails them.
 */
export const LEADING_KINDS: readonly string[] = ['summary'];

/** Bulk: the weekly digest and follow-up reminders can wait behind anything else. */
export const BULK_KINDS: readonly string[] = ['digest', 'cluster_overdue'];

/** The same rule as the claim's SQL, for code that has the row and the rule in hand. */
export function deliveryPriority(kind: string, rule: string | null): number {
  if (LEADING_KINDS.includes(kind)) return PRIORITY.leading;
  if (BULK_KINDS.includes(kind)) return PRIORITY.bulk;
  if (kind === 'alert' && rule !== null && (URGENT_RULES as readonly string[]).includes(rule)) return PRIORITY.urgent;
  return PRIORITY.normal;
}
