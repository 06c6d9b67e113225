/**
 * Exclusion casework (issue 9, migration 0010): the head's decision date, a public exam the
 * exclusion clashes with, the session it starts in, and its outcome (withdrawn, cancelled or the
 * pupil reinstated). All nullable: older rows and files without these columns keep working.
 */
declare module '../store/database' {
  interface ExclusionTable {
    /** The day the head notified parents and the board (the board's 15 school days run from it); null: the start date. */
    decision_date: string | null;
    /** A public examination or national curriculum test the pupil misses because of the exclusion. */
    exam_date: string | null;
    /** 'AM' or 'PM': the session the exclusion starts in (null: the morning). */
    start_session: StartSession | null;
    outcome: ExclusionOutcome | null;
    /** The first school day the pupil is back (withdrawn/cancelled/reinstated from). */
    outcome_date: string | null;
    outcome_by: OutcomeBy | null;
  }
}

export type StartSession = 'AM' | 'PM';
/** withdrawn: the head withdrew it; cancelled: reg 8A cancellation; reinstated: the pupil went back (head or governors). */
export type ExclusionOutcome = 'withdrawn' | 'cancelled' | 'reinstated';
export type OutcomeBy = 'head' | 'governors';

export const EXCLUSION_OUTCOMES: readonly ExclusionOutcome[] = ['withdrawn', 'cancelled', 'reinstated'];
export const OUTCOME_BY: readonly OutcomeBy[] = ['head', 'governors'];
