import type { Generated, Selectable } from 'kysely';
import type { Flag } from '../store/database';

/**
 * Tables of migration 0003 (attendance summaries, cluster meetings, reviews, actions), listed in
 * the Database interface in services/store/database.ts.
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
  status: ActionStatus;
  created_by: number;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
  /** Set once the owner has been told the action is overdue (sent at most once). */
  overdue_notified_at: string | null;
}

export type AttendanceSummary = Selectable<AttendanceSummaryTable>;
export type ClusterMeeting = Selectable<ClusterMeetingTable>;
export type PupilReview = Selectable<PupilReviewTable>;
export type ClusterAction = Selectable<ClusterActionTable>;
