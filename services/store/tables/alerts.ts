import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Tables of migrations 0004 (alerts, outbox, subscriptions, acknowledgements, exclusion intake),
 * 0005 (delivery fencing and pacing), 0006 (alert cases) and 0014 (delivery channel), listed in the Database interface in
 * services/store/database.ts. Generated: the column has a default (or is an id), so inserts may omit it.
 */

export type AlertStatus = 'open' | 'acknowledged';

/** One row per alert event (the rule's dedupe key), whoever receives it. */
export interface ExclusionAlertTable {
  id: Generated<number>;
  dedupe_key: string;
  rule: string;
  /** 'pupil' or 'district'. */
  scope: string;
  pupil_id: number | null;
  exclusion_id: number | null;
  school_urn: number | null;
  district_id: number | null;
  event_date: string | null;
  due_date: string | null;
  /** The alert as the rules produced it (ids, dates, counts; never names). */
  payload: string;
  created_at: string;
  status: Generated<AlertStatus>;
  acknowledged_by: number | null;
  acknowledged_at: string | null;
  assigned_to: number | null;
  assigned_at: string | null;
  snoozed_until: string | null;
  /** Bumped on every change, so a refreshed card knows it is current. */
  version: Generated<number>;
  /**
   * The case this duty belongs to (migration 0006): `exclusion:<id>` for a pupil's exclusion, so a
   * recipient gets one card per case listing every duty; `alert:<dedupe key>` otherwise.
   */
  case_key: Generated<string>;
}

export type AlertActionKind = 'acknowledge' | 'assign' | 'snooze' | 'placement';

/** Every acknowledgement, assignment and snooze, in order (the history behind the card). */
export interface AlertActionTable {
  id: Generated<number>;
  alert_id: number;
  staff_user_id: number;
  action: AlertActionKind;
  /** Assignee's staff id for assign; the date for snooze and placement. */
  detail: string | null;
  at: string;
}

export type AreaKind = 'county' | 'district' | 'school' | 'none';

/**
 * A user's (or a channel's) subscription to alerts for an area. `subscriber_key` is `user:<id>` or
 * `conversation:<id>`; a row with area_kind 'none' records "no alerts at all" (it turns off the
 * role default). `rules` is '*' or a comma-separated list of rule ids.
 */
export interface AlertSubscriptionTable {
  id: Generated<number>;
  subscriber_key: string;
  /** The user, or for a channel the user who subscribed it (their scope bounds what it receives). */
  staff_user_id: number;
  /** Set for a channel or group chat subscription; null means the user's personal chat. */
  conversation_id: string | null;
  area_kind: AreaKind;
  /** '' for county and none; the district name; the school URN as text. */
  area_value: string;
  rules: string;
  created_at: string;
  /** Where a personal subscription sends (0014): 'teams', 'slack' or 'both'; null: Teams if reachable, else Slack. */
  channel: DeliveryChannel | null;
}

export type DeliveryChannel = 'teams' | 'slack' | 'both';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'gone' | 'failed';

/** One row per proactive message per recipient (alerts, digests, reminders): the unit of delivery. */
export interface AlertOutboxTable {
  id: Generated<number>;
  /** `<alert dedupe key>><subscriber key>[>reminder date]`: unique, so each is sent once. */
  dedupe_key: string;
  /** The alert; null for messages that are not about one alert (an overdue cluster action). */
  alert_id: number | null;
  subscriber_key: string;
  staff_user_id: number;
  /** Target conversation for channel subscriptions; null: the user's personal chat (resolved at send). */
  conversation_id: string | null;
  /** 'alert', 'reminder' (a snooze ending), 'assigned', 'digest' or 'cluster_overdue'. */
  kind: Generated<string>;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claim_expires_at: string | null;
  sent_at: string | null;
  /** The conversation actually used and the message id Teams returned (to update the card later). */
  sent_conversation_id: string | null;
  activity_id: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  /** Bumped by every claim: only the holder of the current token may send or settle the row (0005). */
  claim_token: Generated<number>;
  /** 0 urgent, 1 normal, 2 bulk; null: derived from kind and rule when claimed (delivery-priority.ts). */
  priority: number | null;
  /** What a non-alert row is about (the cluster_action id for 'cluster_overdue'). */
  subject_id: number | null;
  /**
   * Set only when the worker split a message for someone on both channels (0014): 'teams' on the
   * original, 'slack' on its copy. Null: where the person's subscriptions say, decided at send.
   */
  channel: Generated<'teams' | 'slack' | null>;
}

/** A pacing bucket (`conversation:<id>` or `tenant:<id>`): the row lock serialises its bookings. */
export interface SendBucketTable {
  bucket: string;
  /** ms since epoch: no sends before this (a 429's Retry-After). */
  paused_until: Generated<number>;
}

/** A booked send time (ms since epoch) in a bucket, kept as long as its longest window. */
export interface SendSlotTable {
  bucket: string;
  at: number;
}

/** Claims skip this subscriber's rows until `until` (its conversation has no free slot sooner). */
export interface DeliveryHoldTable {
  subscriber_key: string;
  until: string;
}

export interface ExclusionPlacementTable {
  exclusion_id: number;
  placed_on: string;
  recorded_by: number | null;
  recorded_at: string;
}

/** A system allowed to post exclusions (the authority's form, a school MIS): the key is stored hashed. */
export interface ApiSenderTable {
  id: Generated<number>;
  name: string;
  /** sha256 of the key, hex. */
  key_hash: string;
  /** `county`, or `school:<urn>;...`: the schools it may report for. */
  scope: string;
  created_at: string;
  revoked_at: string | null;
}

/** Idempotency record: the same sender and key always get the first answer back. */
export interface ExclusionIntakeTable {
  sender_id: number;
  idempotency_key: string;
  request_hash: string;
  exclusion_id: number;
  created_at: string;
}

/** A pupil whose exclusions changed since the rules last ran for them. */
export interface AlertPendingPupilTable {
  pupil_id: number;
  queued_at: string;
  /** New on every queueing: the runner removes only the entry it read, never a newer one. */
  token: string;
}

/**
 * When a subscriber joined (migration 0006): a personal chat's first contact with the bot, or a
 * channel's subscription. Nothing is pushed to a subscriber before it joins; what waits is summarised
 * at first contact.
 */
export interface AlertSubscriberTable {
  subscriber_key: string;
  staff_user_id: number;
  joined_at: string;
}

/** Authority-wide alert settings, e.g. `go_live_at` (the first rules run). */
export interface AlertSettingTable {
  key: string;
  value: string;
  updated_at: string;
}

/** One row per scheduled job run: the unique key makes one instance win each run. */
export interface JobRunTable {
  job: string;
  run_key: string;
  holder: string;
  started_at: string;
  finished_at: string | null;
}

export type ExclusionAlertRow = Selectable<ExclusionAlertTable>;
export type NewExclusionAlert = Insertable<ExclusionAlertTable>;
export type AlertSubscriptionRow = Selectable<AlertSubscriptionTable>;
export type AlertOutboxRow = Selectable<AlertOutboxTable>;
export type ApiSenderRow = Selectable<ApiSenderTable>;
