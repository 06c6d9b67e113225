import type { ExclusionOutcome, GovernorsDecision, IrpOutcome, OutcomeBy } from '../store/tables/casework';

/**
 * Exclusion casework (issue 9): the values the casework columns accept, for checking input. The
 * columns themselves are described in services/store/tables/casework.ts and services/store/database.ts.
 */
export const EXCLUSION_OUTCOMES: readonly ExclusionOutcome[] = ['withdrawn', 'cancelled', 'reinstated'];
export const OUTCOME_BY: readonly OutcomeBy[] = ['head', 'governors'];
export const GOVERNORS_DECISIONS: readonly GovernorsDecision[] = ['upheld', 'reinstated'];
export const IRP_OUTCOMES: readonly IrpOutcome[] = ['upheld', 'recommended', 'quashed'];
