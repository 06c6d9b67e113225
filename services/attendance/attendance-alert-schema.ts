/** Tables added by migration 0011 (attendance alerts), merged into the shared Database interface. */
declare module '../store/database' {
  interface Database {
    pupil_youth_justice_worker: PupilYouthJusticeWorkerTable;
    attendance_alert_pending_school: AttendanceAlertPendingSchoolTable;
  }
}

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
