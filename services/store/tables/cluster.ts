import type { Generated, Selectable } from 'kysely';
import type { ConversationType, Flag } from '../database';

/**
 * Tables of migrations 0003 (attendance summaries, cluster meetings, reviews, actions), 0007
 * (nominations) and 0008 (export links), listed in the Database interface in services/store/database.ts.
 */

export type AbsenceBandText = 'none' | 'persistent' | 'severe';
export type TrendText = 'worsening' | 'improving' | 'steady' | 'unknown';
export type S19Text = 'reached' | 'expected';

export interface AttendanceSummaryTable {
  pupil_id: number;
  school_urn: number;
  /** e.g. '2026/27'. */
  academic_year: string;
  /** The date the measures were computed as of (marks after it are ignored). */
  as_of: string;
  possible: number;
  present: number;
  aea: number;
  authorised: number;
  unauthorised: number;
  band: AbsenceBandText;
  recent_possible: number;
  recent_attended: number;
  previous_possible: number;
  previous_attended: number;
  /** Percentage points, recent minus previous window; null when unknown. */
  trend_points: number | null;
  trend: TrendText;
  unexplained: number;
  holiday: number;
  part_time: number;
  illness: number;
  excluded: number;
  s19_illness: S19Text | null;
  longest_unauthorised_run: number;
  not_attending: Flag;
}

export interface AttendanceSummaryStaleTable {
  pupil_id: number;
  school_urn: number;
}

export interface AttendanceSummaryStateTable {
  academic_year: string;
  as_of: string;
  refreshed_at: string;
}

export interface ClusterMeetingTable {
  id: Generated<number>;
  district_id: number;
  meeting_date: string;
  created_at: string;
  created_by: number | null;
}

export interface PupilReviewTable {
  id: Generated<number>;
  meeting_id: number;
  pupil_id: number;
  school_urn: number;
  barriers: string;
  outcome: string;
  lead_practitioner: string;
  recorded_by: number;
  recorded_at: string;
}

export type ActionStatus = 'open' | 'done' | 'dropped';

export interface ClusterActionTable {
  id: Generated<number>;
  pupil_id: number;
  school_urn: number;
  meeting_id: number;
  description: string;
  owner_id: number;
  due_date: string;
  status: Generated<ActionStatus>;
  created_by: number;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
  /** Set once the owner has been told the action is overdue (sent at most once). */
  overdue_notified_at: string | null;
}

/** A pupil put on a meeting's agenda (migration 0007): one per pupil and meeting. */
export interface ClusterNominationTable {
  id: Generated<number>;
  /** The meeting the pupil is nominated for (the row is created with the first nomination). */
  meeting_id: number;
  pupil_id: number;
  /** The school the pupil was on roll at when nominated (scope is checked against it). */
  school_urn: number;
  /** Why, in the nominator's words (may be empty): shown only in named views. */
  reason: string;
  nominated_by: number;
  nominated_at: string;
}

export type ExportKind = 'agenda' | 'minutes' | 'pupils';

/** A single-use download link for the agenda or minutes (migration 0008): what to build and for whom. */
export interface ClusterExportLinkTable {
  id: Generated<number>;
  /** SHA-256 (hex) of the link's token: a copy of the table gives no usable link. */
  token_hash: string;
  /** Who asked: the file is built for them. */
  staff_user_id: number;
  district: string;
  kind: ExportKind;
  conversation_type: ConversationType;
  /** 'own' (names allowed by role) or 'shared' (initials), decided when the link was made. */
  view: 'own' | 'shared';
  created_at: string;
  expires_at: string;
  /** Set when opened: a second open finds nothing. */
  used_at: string | null;
}

export type AttendanceSummary = Selectable<AttendanceSummaryTable>;
export type ClusterMeeting = Selectable<ClusterMeetingTable>;
export type PupilReview = Selectable<PupilReviewTable>;
export type ClusterAction = Selectable<ClusterActionTable>;
