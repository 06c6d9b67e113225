/**
 * DfE 2024 attendance register codes (School Attendance (Pupil Registration) (England) Regulations
 * 2024 and "Working together to improve school attendance", 2024).
 *
 * Each code is stored as one character in `attendance_week.marks`. Single-character codes store as
 * themselves; the multi-character ones get a stand-in. '.' means no mark (not a school day for this
 * pupil, or not yet on roll).
 *
 * `counts` says how a mark counts towards the statistics: possible sessions are present + aea +
 * authorised + unauthorised. Q and Y1-Y7 are "unable to attend" and, like D, X, Z and #, are not
 * possible sessions. The reference marks the Q/Y treatment as not fully confirmed; we follow the
 * MIS convention (Arbor) and keep it here so a change is one line.
 */
export type MarkCount = 'present' | 'aea' | 'authorised' | 'unauthorised' | 'not_counted';

export interface AttendanceCode {
  code: string;
  char: string;
  counts: MarkCount;
  meaning: string;
}

export const NO_MARK = '.';

export const ATTENDANCE_CODES: readonly AttendanceCode[] = [
  { code: '/', char: '/', counts: 'present', meaning: 'Present (morning)' },
  { code: '\\', char: '\\', counts: 'present', meaning: 'Present (afternoon)' },
  { code: 'L', char: 'L', counts: 'present', meaning: 'Late, before the register closed' },
  { code: 'K', char: 'K', counts: 'aea', meaning: 'Attending education arranged by the local authority' },
  { code: 'V', char: 'V', counts: 'aea', meaning: 'Educational visit or trip' },
  { code: 'P', char: 'P', counts: 'aea', meaning: 'Approved sporting activity' },
  { code: 'W', char: 'W', counts: 'aea', meaning: 'Work experience' },
  { code: 'B', char: 'B', counts: 'aea', meaning: 'Other approved educational activity' },
  { code: 'D', char: 'D', counts: 'not_counted', meaning: 'Dual registered, attending the other school' },
  { code: 'C1', char: 'c', counts: 'authorised', meaning: 'Leave for a regulated performance or employment abroad' },
  { code: 'M', char: 'M', counts: 'authorised', meaning: 'Medical or dental appointment' },
  { code: 'J1', char: 'j', counts: 'authorised', meaning: 'Interview for employment or another institution' },
  { code: 'S', char: 'S', counts: 'authorised', meaning: 'Study leave' },
  { code: 'X', char: 'X', counts: 'not_counted', meaning: 'Not of compulsory school age, not required to attend' },
  { code: 'C2', char: 'p', counts: 'authorised', meaning: 'Temporary part-time timetable' },
  { code: 'C', char: 'C', counts: 'authorised', meaning: 'Leave in exceptional circumstances' },
  { code: 'T', char: 'T', counts: 'authorised', meaning: 'Parent travelling for occupational purposes' },
  { code: 'R', char: 'R', counts: 'authorised', meaning: 'Religious observance' },
  { code: 'I', char: 'I', counts: 'authorised', meaning: 'Illness' },
  { code: 'E', char: 'E', counts: 'authorised', meaning: 'Suspended or excluded, no alternative provision' },
  { code: 'Q', char: 'Q', counts: 'not_counted', meaning: 'Unable to attend: lack of access arrangements' },
  { code: 'Y1', char: '1', counts: 'not_counted', meaning: 'Unable to attend: transport not available' },
  { code: 'Y2', char: '2', counts: 'not_counted', meaning: 'Unable to attend: widespread travel disruption' },
  { code: 'Y3', char: '3', counts: 'not_counted', meaning: 'Unable to attend: part of the school closed' },
  { code: 'Y4', char: '4', counts: 'not_counted', meaning: 'Unable to attend: whole school unexpectedly closed' },
  { code: 'Y5', char: '5', counts: 'not_counted', meaning: 'Unable to attend: in criminal justice detention' },
  { code: 'Y6', char: '6', counts: 'not_counted', meaning: 'Unable to attend: public health guidance or law' },
  { code: 'Y7', char: '7', counts: 'not_counted', meaning: 'Unable to attend: other unavoidable cause' },
  { code: 'G', char: 'G', counts: 'unauthorised', meaning: 'Holiday not granted by the school' },
  { code: 'N', char: 'N', counts: 'unauthorised', meaning: 'Reason not yet provided' },
  { code: 'O', char: 'O', counts: 'unauthorised', meaning: 'Absent in other or unknown circumstances' },
  { code: 'U', char: 'U', counts: 'unauthorised', meaning: 'Arrived after the register closed' },
  { code: 'Z', char: 'Z', counts: 'not_counted', meaning: 'Prospective pupil not yet on roll' },
  { code: '#', char: '#', counts: 'not_counted', meaning: 'Planned school closure' },
];

export const CODE_BY_NAME: ReadonlyMap<string, AttendanceCode> = new Map(ATTENDANCE_CODES.map((c) => [c.code, c]));
export const CODE_BY_CHAR: ReadonlyMap<string, AttendanceCode> = new Map(ATTENDANCE_CODES.map((c) => [c.char, c]));

/** Sessions per stored week: Monday morning to Friday afternoon. */
export const SESSIONS_PER_WEEK = 10;
export const EMPTY_WEEK = NO_MARK.repeat(SESSIONS_PER_WEEK);
