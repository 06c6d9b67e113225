import type { Generated, Insertable, Selectable } from 'kysely';
import type * as Alerts from './tables/alerts';
import type * as AttendanceAlerts from './tables/attendance-alerts';
import type * as Casework from './tables/casework';
import type * as Cluster from './tables/cluster';
import type * as Ladder from './tables/ladder';
import type * as Places from './tables/places';

/**
 * The case-data schema, described once. Both engines store:
 * - dates as ISO text (`YYYY-MM-DD`) and instants as ISO text (`...Z`), so sorting and comparison
 *   behave the same on SQLite and PostgreSQL;
 * - flags as integers 0/1, because SQLite has no boolean type and one set of queries must serve both.
 * Each table's row type is declared once, here or in ./tables/<area>.ts, and matches its migrations:
 * `Generated<T>` marks an id or a column with a default (inserts may omit it), `| null` a nullable
 * column. Code elsewhere derives its rows with Selectable/Insertable (or a Pick of them).
 * A new table: its interface in a table file and one line below.
 */
export interface Database {
  local_authority: LocalAuthorityTable;
  district: DistrictTable;
  school: SchoolTable;
  pupil: PupilTable;
  enrolment: EnrolmentTable;
  exclusion: ExclusionTable;
  attendance_week: AttendanceWeekTable;
  staff_user: StaffUserTable;
  conversation_ref: ConversationRefTable;
  audit_log: AuditLogTable;
  // 0002 ladder usage (services/store/tables/ladder.ts)
  ladder_query: Ladder.LadderQueryTable;
  ladder_feedback: Ladder.LadderFeedbackTable;
  // 0009 ladder checklist ticks (services/store/tables/ladder.ts)
  ladder_checklist_tick: Ladder.LadderChecklistTickTable;
  // 0003 attendance cluster meetings (services/store/tables/cluster.ts)
  attendance_summary: Cluster.AttendanceSummaryTable;
  attendance_summary_stale: Cluster.AttendanceSummaryStaleTable;
  attendance_summary_state: Cluster.AttendanceSummaryStateTable;
  cluster_meeting: Cluster.ClusterMeetingTable;
  pupil_review: Cluster.PupilReviewTable;
  cluster_action: Cluster.ClusterActionTable;
  // 0004-0006 alerts, outbox, intake, delivery pacing (services/store/tables/alerts.ts)
  exclusion_alert: Alerts.ExclusionAlertTable;
  alert_action: Alerts.AlertActionTable;
  alert_subscription: Alerts.AlertSubscriptionTable;
  alert_outbox: Alerts.AlertOutboxTable;
  exclusion_placement: Alerts.ExclusionPlacementTable;
  api_sender: Alerts.ApiSenderTable;
  exclusion_intake: Alerts.ExclusionIntakeTable;
  job_run: Alerts.JobRunTable;
  alert_pending_pupil: Alerts.AlertPendingPupilTable;
  alert_subscriber: Alerts.AlertSubscriberTable;
  alert_setting: Alerts.AlertSettingTable;
  send_bucket: Alerts.SendBucketTable;
  send_slot: Alerts.SendSlotTable;
  delivery_hold: Alerts.DeliveryHoldTable;
  // 0007 cluster nominations, 0008 export links (services/store/tables/cluster.ts)
  cluster_nomination: Cluster.ClusterNominationTable;
  cluster_export_link: Cluster.ClusterExportLinkTable;
  // 0010 exclusion casework (services/store/tables/casework.ts)
  exclusion_review: Casework.ExclusionReviewTable;
  // 0011 attendance alerts (services/store/tables/attendance-alerts.ts)
  pupil_youth_justice_worker: AttendanceAlerts.PupilYouthJusticeWorkerTable;
  attendance_alert_pending_school: AttendanceAlerts.AttendanceAlertPendingSchoolTable;
  // 0012 alternative provision places (services/store/tables/places.ts)
  ap_hub: Places.ApHubTable;
  ap_placement: Places.ApPlacementTable;
}

export type Flag = 0 | 1;

export interface LocalAuthorityTable {
  /** DfE three-digit LA number, e.g. "925". */
  code: string;
  name: string;
}

export interface DistrictTable {
  id: Generated<number>;
  name: string;
  la_code: string;
}

export type SchoolPhase = 'nursery' | 'primary' | 'middle' | 'secondary' | 'all_through' | 'sixteen_plus';
export type SchoolType =
  | 'community'
  | 'voluntary_aided'
  | 'voluntary_controlled'
  | 'foundation'
  | 'academy'
  | 'free_school'
  | 'special'
  | 'alternative_provision';

export interface SchoolTable {
  /** DfE unique reference number: six digits. */
  urn: number;
  name: string;
  phase: SchoolPhase;
  type: SchoolType;
  district_id: number;
}

export type SenProvision = 'E' | 'K' | 'N';
/** N: none; CIN: child in need plan; CP: child protection plan. */
export type SocialWorkerStatus = 'N' | 'CIN' | 'CP';
export type Sex = 'F' | 'M';

export interface PupilTable {
  id: Generated<number>;
  upn: string;
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  date_of_birth: string;
  /** National curriculum year: 0 is reception, -1 and -2 nursery, 1..14. */
  nc_year: number;
  sex: Sex;
  /** DfE main ethnicity code, e.g. WBRI. */
  ethnicity: string;
  sen_provision: SenProvision;
  looked_after: Generated<Flag>;
  social_worker: Generated<SocialWorkerStatus>;
  fsm: Generated<Flag>;
  /** Known to the youth justice service (Future4Me in Lincolnshire). */
  youth_justice: Generated<Flag>;
  /** DfE three-digit code of the authority the pupil lives in, when it is not this one (null: this one or unknown; 0010). */
  home_la: string | null;
}

/** C: single registration; M: main dual registration; S: subsidiary dual registration. */
export type Registration = 'C' | 'M' | 'S';

export interface EnrolmentTable {
  id: Generated<number>;
  pupil_id: number;
  school_urn: number;
  start_date: string;
  end_date: string | null;
  registration: Generated<Registration>;
}

/** SUSP: suspension; PERM: permanent exclusion; LUNC: lunchtime suspension (half a day). */
export type ExclusionCategory = 'SUSP' | 'PERM' | 'LUNC';

export interface ExclusionTable {
  id: Generated<number>;
  pupil_id: number;
  school_urn: number;
  category: ExclusionCategory;
  /** Up to three DfE reason codes separated by ';', in the order given. */
  reasons: string;
  start_date: string;
  /** Length in sessions (one school day is two sessions); a lunchtime is recorded as 1. */
  sessions: number;
  /** The day the school told the local authority; null when not yet notified. */
  notified_date: string | null;
  missed_public_exam: Generated<Flag>;
  source: string;
  created_at: string;
  // Casework (migration 0010), all nullable: older rows and files without these columns keep working.
  /** The day the head notified parents and the board (the board's 15 school days run from it); null: the start date. */
  decision_date: string | null;
  /** A public examination or national curriculum test the pupil misses because of the exclusion. */
  exam_date: string | null;
  /** 'AM' or 'PM': the session the exclusion starts in (null: the morning). */
  start_session: Casework.StartSession | null;
  outcome: Casework.ExclusionOutcome | null;
  /** The first school day the pupil is back (withdrawn/cancelled/reinstated from). */
  outcome_date: string | null;
  outcome_by: Casework.OutcomeBy | null;
}

/**
 * One row per pupil, school and school week: `marks` holds ten session marks, Monday morning to
 * Friday afternoon, one character each (see services/attendance/attendance-codes.ts).
 */
export interface AttendanceWeekTable {
  pupil_id: number;
  school_urn: number;
  /** The Monday of the week, ISO date. */
  week_start: string;
  marks: string;
}

export type Role = 'la_manager' | 'attendance_officer' | 'school_leader' | 'cluster_member' | 'admin' | 'youth_justice_worker';

export interface StaffUserTable {
  id: Generated<number>;
  /** Teams (Entra) object id. Not validated as a strict GUID: test tools use longer ids. */
  aad_object_id: string | null;
  /** Slack member id (0013), recorded when a Slack user is first matched by email. */
  slack_user_id: Generated<string | null>;
  /** Stored lower-case. */
  email: string;
  name: string;
  role: Role;
  /** `county`, or `district:<name>` / `school:<urn>` items separated by ';'. */
  scope: string;
  created_at: string;
}

export type ConversationType = 'personal' | 'groupChat' | 'channel';

export interface ConversationRefTable {
  conversation_id: string;
  conversation_type: ConversationType;
  tenant_id: string | null;
  /** The user's object id for personal chats; null otherwise. */
  aad_object_id: string | null;
  team_id: string | null;
  channel_id: string | null;
  service_url: string;
  /** The Bot Framework conversation reference as JSON, without activityId (a proactive post starts a new message). */
  reference_json: string;
  updated_at: string;
  /** Set when Teams answers 403/404: the bot was removed or blocked there. */
  gone_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  staff_user_id: number | null;
  aad_object_id: string | null;
  /** What was done, e.g. `pupil.read`, `pupil.list`, `exclusion.acknowledge`. */
  action: string;
  /** Through which command or card verb, e.g. `cluster agenda`. */
  command: string;
  /** What kind of record, e.g. `pupil`. */
  subject_type: string;
  /** Internal pupil ids (never UPNs or names), comma-separated. */
  subject_ids: string;
  subject_count: number;
  conversation_type: string | null;
  /** `slack` for Slack (0013); null: Teams. */
  channel: Generated<string | null>;
}

export type District = Selectable<DistrictTable>;
export type School = Selectable<SchoolTable>;
export type Pupil = Selectable<PupilTable>;
export type NewPupil = Insertable<PupilTable>;
export type Enrolment = Selectable<EnrolmentTable>;
export type Exclusion = Selectable<ExclusionTable>;
export type StaffUser = Selectable<StaffUserTable>;
export type ConversationRef = Selectable<ConversationRefTable>;
