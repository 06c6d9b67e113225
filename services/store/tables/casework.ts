/**
 * Exclusion casework (migration 0010): the value types of the casework columns on exclusion (see
 * ExclusionTable in services/store/database.ts) and exclusion_review, the steps after the head's
 * decision. Listed in the Database interface in services/store/database.ts.
 */

export type StartSession = 'AM' | 'PM';
/** withdrawn: the head withdrew it; cancelled: reg 8A cancellation; reinstated: the pupil went back (head or governors). */
export type ExclusionOutcome = 'withdrawn' | 'cancelled' | 'reinstated';
export type OutcomeBy = 'head' | 'governors';
export type GovernorsDecision = 'upheld' | 'reinstated';
export type IrpOutcome = 'upheld' | 'recommended' | 'quashed';

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
