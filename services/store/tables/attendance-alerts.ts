/** Tables added by migration 0011 (attendance alerts). */

/** A young person open to youth justice and the worker linked to them in the users file. */
export interface PupilYouthJusticeWorkerTable {
  pupil_id: number;
  staff_user_id: number;
}

/** A school whose marks changed since the attendance rules last ran for its pupils. */
export interface AttendanceAlertPendingSchoolTable {
  school_urn: number;
  queued_at: string;
  token: string;
}
