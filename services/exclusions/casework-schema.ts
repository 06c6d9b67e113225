/**
 * Exclusion casework (issue 9, migration 0010): the head's decision date, a public exam the
 * exclusion clashes with, the session it starts in, and its outcome (withdrawn, cancelled or the
 * pupil reinstated). All nullable: older rows and files without these columns keep working.
 */
declare module '../store/database' {
  interface Database {
    exclusion_review: ExclusionReviewTable;
  }
  interface PupilTable {
    /** DfE three-digit code of the authority the pupil lives in, when it is not this one (null: this one or unknown). */
    home_la: string | null;
  }
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

export type GovernorsDecision = 'upheld' | 'reinstated';
export type IrpOutcome = 'upheld' | 'recommended' | 'quashed';
export const GOVERNORS_DECISIONS: readonly GovernorsDecision[] = ['upheld', 'reinstated'];
export const IRP_OUTCOMES: readonly IrpOutcome[] = ['upheld', 'recommended', 'quashed'];

/**
 * The review of one exclusion after the head's decision, step by step (each null until recorded):
 * the governing board's decision, the parents' independent review panel (IRP) application, the
 * panel's decision and the board's reconsideration.
 */
export interface ExclusionReviewTable {
  exclusion_id: number;
  governors_decision: GovernorsDecision | null;
  governors_meeting_date: string | null;
  /** The day parents were given notice of the board's decision (the IRP window runs from it). */
  governors_notified_date: string | null;
  irp_applied_date: string | null;
  /** 1 when the parents asked for an SEN expert with the application. */
  irp_sen_expert: number | null;
  irp_outcome: IrpOutcome | null;
  /** The day the board was notified of the panel's decision (reconsideration runs from it). */
  irp_decision_notified_date: string | null;
  reconsidered_date: string | null;
  updated_at: string;
  /** `api:<sender>` or `card:<staff id>`. */
  updated_by: string;
}
