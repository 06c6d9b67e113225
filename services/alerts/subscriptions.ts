import { configValue } from '../config';
import type { Kysely } from 'kysely';
import { ALERT_RULES } from './alert-rules';
import type { AlertRuleId } from '../exclusions/alert-types';
import type { Actor } from '../identity/actor';
import { mayReadPupils } from '../identity/role-policy';
import { parseScope, type Scope } from '../identity/scope';
import type { Database, Role } from '../store/database';
import { placeholders } from '../util/teams-text';
import { resolveAttendanceSettings, ATTENDANCE_RULE_IDS } from '../attendance/attendance-rules';
import { DEFAULT_RULES_BY_ROLE, type Area, type EffectiveSubscription, type Geography } from './alert-routing';
import { splitChannel } from './delivery-channel';
import type { DeliveryChannel } from '../store/tables/alerts';

/** The outbox and subscription key of a person's own chat (Teams or Slack), as opposed to a shared conversation. */
export function personalSubscriberKey(staffUserId: number): string {
  return `user:${staffUserId}`;
}

/**
 * `alerts subscribe [county | district <name> | school <urn>] [types] [in teams | slack | both]`, `alerts unsubscribe ...`,
 * `alerts list`. In a personal chat the user subscribes themself; in a channel or group chat the
 * conversation is subscribed (for a district or school inside the user's scope), and the user who
 * subscribed it bounds what it receives. Without any stored row, LA managers and school leaders get
 * their role's default: everything in their own scope.
 */

const ALL_RULES = Object.keys(ALERT_RULES) as AlertRuleId[];
const PUPIL_RULES = ALL_RULES.filter((r) => r !== 'disproportionality');
const ATTENDANCE_RULES: AlertRuleId[] = [...ATTENDANCE_RULE_IDS];

/** Words a person can type for groups of rules, besides the rule ids themselves. */
export const RULE_WORDS: Readonly<Record<string, readonly AlertRuleId[]>> = {
  all: ALL_RULES,
  permanent: ['permanent_exclusion', 'pex_la_day6', 'pex_governors_review', 'pex_no_placement', 'pex_no_free_place'],
  cohorts: ['ehc_plan_excluded', 'looked_after_excluded', 'social_worker_excluded'],
  send: ['ehc_plan_excluded'],
  'looked-after': ['looked_after_excluded'],
  'social-worker': ['social_worker_excluded'],
  totals: ['term_total_over_5', 'term_total_over_15', 'year_total_warning', 'year_total_over_cap', 'missed_public_exam'],
  deadlines: ['suspension_day6', 'pru_suspension_day6', 'pex_la_day6', 'pex_governors_review', 'pex_no_placement', 'pex_no_free_place', 'term_total_over_15', 'term_total_over_5', 'missed_public_exam'],
  late: ['reported_late'],
  repeated: ['repeated_suspensions'],
  disproportionality: ['disproportionality'],
  attendance: ATTENDANCE_RULES,
  'youth-justice': ['youth_justice_not_attending'],
  'missing-education': ['unauthorised_10_days'],
  illness: ['illness_15_days'],
  penalty: ['penalty_notice_threshold'],
};

export class SubscriptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubscriptionError';
  }
}

export interface SubscribeRequest {
  area: Area | null;
  rules: AlertRuleId[] | null;
  /** `in teams | slack | both` at the end (delivery-channel.ts); null: not said. */
  channel?: DeliveryChannel | null;
}

/** Parses the words after `alerts subscribe` / `alerts unsubscribe`. */
export function parseSubscriptionArgs(text: string): SubscribeRequest {
  const { words, channel } = splitChannel(text.trim().split(/\s+/).filter(Boolean));
  let area: Area | null = null;
  let rest = words;
  const first = words[0]?.toLowerCase();
  if (first === 'county') {
    area = { kind: 'county', value: '' };
    rest = words.slice(1);
  } else if (first === 'school') {
    const urn = words[1];
    if (!urn || !/^\d{6}$/.test(urn)) throw new SubscriptionError('school needs a six-digit URN, e.g. `alerts subscribe school 100001`');
    area = { kind: 'school', value: urn };
    rest = words.slice(2);
  } else if (first === 'district') {
    // District names can have spaces ("South Holland"): take words up to the first rule word.
    const nameWords: string[] = [];
    let i = 1;
    for (; i < words.length; i++) {
      if (isRuleWord(words[i]!)) break;
      nameWords.push(words[i]!);
    }
    if (nameWords.length === 0) throw new SubscriptionError('district needs a name, e.g. `alerts subscribe district Boston`');
    area = { kind: 'district', value: nameWords.join(' ') };
    rest = words.slice(i);
  }
  if (rest.length === 0) return { area, rules: null, channel };
  const rules = new Set<AlertRuleId>();
  for (const word of rest.flatMap((w) => w.split(',')).filter(Boolean)) {
    const key = word.toLowerCase();
    const group = RULE_WORDS[key] ?? (key in ALERT_RULES ? [key as AlertRuleId] : undefined);
    if (!group) throw new SubscriptionError(`"${word.slice(0, 30)}" is not an alert type. Try: ${Object.keys(RULE_WORDS).join(', ')}`);
    for (const r of group) rules.add(r);
  }
  return { area, rules: rules.size === ALL_RULES.length ? null : [...rules], channel };
}

function isRuleWord(word: string): boolean {
  const key = word.toLowerCase().replace(/,$/, '');
  return key in RULE_WORDS || key in ALERT_RULES;
}

export async function loadGeography(db: Kysely<Database>): Promise<Geography> {
  const rows = await db.selectFrom('school').innerJoin('district', 'district.id', 'school.district_id').select(['school.urn', 'district.id', 'district.name']).execute();
  const districts = await db.selectFrom('district').select(['id', 'name']).execute();
  return {
    schools: new Map(rows.map((r) => [r.urn, { districtId: r.id, districtName: r.name }])),
    districtNames: new Map(districts.map((d) => [d.id, d.name])),
  };
}

function scopeCoversArea(scope: Scope, area: Area, geo: Geography): boolean {
  if (scope.county) return true;
  if (area.kind === 'county') return false;
  if (area.kind === 'district') return scope.districts.some((d) => d.toLowerCase() === area.value.toLowerCase());
  const urn = Number(area.value);
  if (scope.schoolUrns.includes(urn)) return true;
  const district = geo.schools.get(urn)?.districtName.toLowerCase();
  return district !== undefined && scope.districts.some((d) => d.toLowerCase() === district);
}

/** The area a role default covers: the user's whole scope, as areas. */
function scopeAreas(scope: Scope): Area[] {
  if (scope.county) return [{ kind: 'county', value: '' }];
  return [...scope.districts.map((d) => ({ kind: 'district' as const, value: d })), ...scope.schoolUrns.map((u) => ({ kind: 'school' as const, value: String(u) }))];
}

function rulesOf(text: string): ReadonlySet<AlertRuleId> | null {
  return text === '*' ? null : new Set(text.split(',').filter(Boolean) as AlertRuleId[]);
}

export interface Subscriber {
  key: string;
  conversationId: string | null;
}

/** Personal chat subscribes the user; anywhere else subscribes the conversation. */
function subscriberFor(actor: Actor, conversationId: string): Subscriber {
  return actor.conversationType === 'personal' ? { key: personalSubscriberKey(actor.user.id), conversationId: null } : { key: `conversation:${conversationId}`, conversationId };
}

/** Every subscription in force, stored or role default, with each user's current scope. */
export async function effectiveSubscriptions(db: Kysely<Database>): Promise<EffectiveSubscription[]> {
  const users = await db.selectFrom('staff_user').select(['id', 'role', 'scope']).execute();
  const rows = await db.selectFrom('alert_subscription').selectAll().orderBy('id').execute();
  const scopes = new Map<number, Scope>();
  for (const u of users) {
    try {
      scopes.set(u.id, parseScope(u.scope));
    } catch {
      // A scope that no longer parses receives nothing (same rule as the identity step).
    }
  }
  const result: EffectiveSubscription[] = [];
  const roles = new Map(users.map((u) => [u.id, u.role]));
  const attendanceRoles = attendanceRecipientRoles();
  const personalRows = new Set<number>();
  for (const row of rows) {
    if (row.conversation_id === null) personalRows.add(row.staff_user_id);
    const scope = scopes.get(row.staff_user_id);
    if (!scope || row.area_kind === 'none') continue;
    result.push({
      subscriberKey: row.subscriber_key,
      staffUserId: row.staff_user_id,
      conversationId: row.conversation_id,
      area: { kind: row.area_kind, value: row.area_value },
      rules: rulesOf(row.rules),
      userScope: scope,
      implicit: false,
      role: roles.get(row.staff_user_id),
    });
  }
  for (const u of users) {
    const scope = scopes.get(u.id);
    const defaults = DEFAULT_RULES_BY_ROLE[u.role];
    if (!scope || personalRows.has(u.id)) continue;
    // Roles without an exclusion default get one for attendance alerts when a rule names them (each alert carries its roles).
    if (defaults === 'none' && !attendanceRoles.has(u.role)) continue;
    for (const area of scopeAreas(scope)) {
      result.push({
        subscriberKey: personalSubscriberKey(u.id),
        staffUserId: u.id,
        conversationId: null,
        area,
        rules: defaults === 'all' ? null : new Set(defaults === 'pupil' ? PUPIL_RULES : ATTENDANCE_RULES),
        userScope: scope,
        implicit: true,
        role: u.role,
      });
    }
  }
  return result;
}

export interface SubscriptionLine {
  area: Area;
  rules: AlertRuleId[] | 'all';
  implicit: boolean;
  /** Where it sends, when the person chose (personal subscriptions only). */
  channel?: DeliveryChannel | null;
}

/** What `alerts list` shows for this chat: stored rows, or the role default. */
export async function listSubscriptions(db: Kysely<Database>, actor: Actor, conversationId: string): Promise<SubscriptionLine[]> {
  const subscriber = subscriberFor(actor, conversationId);
  const rows = await db.selectFrom('alert_subscription').selectAll().where('subscriber_key', '=', subscriber.key).orderBy('id').execute();
  if (rows.length > 0) {
    return rows
      .filter((r) => r.area_kind !== 'none')
      .map((r) => ({ area: { kind: r.area_kind as Area['kind'], value: r.area_value }, rules: r.rules === '*' ? 'all' : (r.rules.split(',') as AlertRuleId[]), implicit: false, channel: r.channel }));
  }
  if (subscriber.conversationId !== null) return [];
  const rules = roleDefaultRules(actor.role);
  if (rules !== 'all' && rules.length === 0) return [];
  return scopeAreas(actor.scope).map((area) => ({ area, rules, implicit: true }));
}

/**
 * What a role's default subscription delivers, as routing decides it (effectiveSubscriptions and
 * alert-routing's attendanceAllows): the role's exclusion alerts, and the attendance rules that are
 * switched on and name the role among their recipients (ATTENDANCE_ALERTS).
 */
function roleDefaultRules(role: Role): AlertRuleId[] | 'all' {
  const defaults = DEFAULT_RULES_BY_ROLE[role];
  const exclusion = (defaults === 'all' ? ALL_RULES : defaults === 'pupil' ? PUPIL_RULES : []).filter((r) => !ATTENDANCE_RULES.includes(r));
  const settings = resolveAttendanceSettings(configValue('ATTENDANCE_ALERTS') ?? '');
  const attendance = mayReadPupils(role, 'alert_card') ? ATTENDANCE_RULE_IDS.filter((r) => settings[r].enabled && settings[r].recipients.includes(role)) : [];
  const rules = [...exclusion, ...attendance];
  return rules.length === ALL_RULES.length ? 'all' : rules;
}

const EXCLUSION_RULES = ALL_RULES.filter((r) => !ATTENDANCE_RULES.includes(r));
const PUPIL_EXCLUSION_RULES = PUPIL_RULES.filter((r) => !ATTENDANCE_RULES.includes(r));

/** A set of rules in words: whole groups by name, the rest by title. */
export function describeRules(rules: readonly AlertRuleId[] | 'all'): string {
  if (rules === 'all') return 'all alerts';
  const chosen = new Set(rules);
  const has = (group: readonly AlertRuleId[]) => group.every((r) => chosen.has(r));
  const parts: string[] = [];
  const exclusion = EXCLUSION_RULES.filter((r) => chosen.has(r));
  if (has(EXCLUSION_RULES)) parts.push('all exclusion alerts');
  else if (has(PUPIL_EXCLUSION_RULES) && exclusion.length === PUPIL_EXCLUSION_RULES.length) parts.push('all exclusion alerts about pupils');
  else if (exclusion.length > 0) parts.push(exclusion.map((r) => ALERT_RULES[r].title).join('; '));
  const attendance = ATTENDANCE_RULES.filter((r) => chosen.has(r));
  if (has(ATTENDANCE_RULES)) parts.push('all attendance alerts');
  else if (attendance.length > 0) parts.push(`attendance: ${attendance.map((r) => ALERT_RULES[r].title).join('; ')}`);
  return parts.join('; ');
}

export async function subscribe(db: Kysely<Database>, actor: Actor, conversationId: string, request: SubscribeRequest, now: string): Promise<SubscriptionLine> {
  // Figures-only roles (docs/role-policy.md) may follow district flags, never pupil alerts.
  if (!mayReadPupils(actor.role, 'alert_card') && (!request.rules || request.rules.some((r) => r !== 'disproportionality'))) {
    throw new SubscriptionError('your role sees exclusion figures only: type `alerts subscribe disproportionality` for district flags, or `alerts digest` for the figures');
  }
  const geo = await loadGeography(db);
  const subscriber = subscriberFor(actor, conversationId);
  let area = request.area;
  if (!area) {
    // No area given: a personal chat takes the user's scope; a channel must name one.
    const areas = scopeAreas(actor.scope);
    if (subscriber.conversationId !== null || areas.length !== 1) {
      throw new SubscriptionError(placeholders('say which area: `alerts subscribe district <name>` or `alerts subscribe school <urn>`'));
    }
    area = areas[0]!;
  }
  if (area.kind === 'district') {
    const match = [...geo.districtNames.values()].find((n) => n.toLowerCase() === area!.value.toLowerCase());
    if (!match) throw new SubscriptionError(`there is no district called "${area.value.slice(0, 40)}"`);
    area = { kind: 'district', value: match };
  }
  if (area.kind === 'school' && !geo.schools.has(Number(area.value))) throw new SubscriptionError(`there is no school with URN ${area.value}`);
  if (subscriber.conversationId !== null && area.kind === 'county') {
    throw new SubscriptionError('a channel or group chat subscribes for a district or a school, not the whole county (pupil details are shared with everyone in it)');
  }
  if (!scopeCoversArea(actor.scope, area, geo)) throw new SubscriptionError('that area is outside your scope, so you cannot subscribe to it');
  const channel = request.channel ?? null;
  if (channel && subscriber.conversationId !== null) throw new SubscriptionError('a channel or group chat subscription posts in that chat: choose Teams or Slack on your own subscriptions, in your personal chat');

  const rules = request.rules ? [...request.rules].sort().join(',') : '*';
  await db.deleteFrom('alert_subscription').where('subscriber_key', '=', subscriber.key).where('area_kind', '=', 'none').execute();
  await db
    .insertInto('alert_subscription')
    .values({ subscriber_key: subscriber.key, staff_user_id: actor.user.id, conversation_id: subscriber.conversationId, area_kind: area.kind, area_value: area.value, rules, created_at: now, channel })
    // Subscribing again without `in ...` keeps the channel chosen before.
    .onConflict((oc) => oc.columns(['subscriber_key', 'area_kind', 'area_value']).doUpdateSet({ rules, staff_user_id: actor.user.id, created_at: now, ...(channel ? { channel } : {}) }))
    .execute();
  return { area, rules: request.rules ?? 'all', implicit: false, channel };
}

/**
 * Removes subscriptions for an area (or, with no area, all of them). In a personal chat removing
 * the last one records "none", so the role default does not come back.
 */
export async function unsubscribe(db: Kysely<Database>, actor: Actor, conversationId: string, request: SubscribeRequest, now: string): Promise<number> {
  const subscriber = subscriberFor(actor, conversationId);
  const current = await listSubscriptions(db, actor, conversationId);
  const stored = await db.selectFrom('alert_subscription').select('id').where('subscriber_key', '=', subscriber.key).where('area_kind', '!=', 'none').execute();
  if (stored.length === 0 && current.length > 0) {
    // Only the role default exists: materialise it so one area can be removed from it.
    for (const line of current) {
      await db
        .insertInto('alert_subscription')
        .values({
          subscriber_key: subscriber.key,
          staff_user_id: actor.user.id,
          conversation_id: null,
          area_kind: line.area.kind,
          area_value: line.area.value,
          rules: line.rules === 'all' ? '*' : [...line.rules].sort().join(','),
          created_at: now,
        })
        .execute();
    }
  }
  let query = db.deleteFrom('alert_subscription').where('subscriber_key', '=', subscriber.key).where('area_kind', '!=', 'none');
  if (request.area) {
    query = query.where('area_kind', '=', request.area.kind);
    if (request.area.kind !== 'county') query = query.where((eb) => eb(eb.fn('lower', ['area_value']), '=', request.area!.value.toLowerCase()));
  }
  const removed = Number((await query.executeTakeFirst()).numDeletedRows);
  const left = await db.selectFrom('alert_subscription').select('id').where('subscriber_key', '=', subscriber.key).where('area_kind', '!=', 'none').execute();
  if (left.length === 0 && subscriber.conversationId === null) {
    await db
      .insertInto('alert_subscription')
      .values({ subscriber_key: subscriber.key, staff_user_id: actor.user.id, conversation_id: null, area_kind: 'none', area_value: '', rules: '', created_at: now })
      .onConflict((oc) => oc.columns(['subscriber_key', 'area_kind', 'area_value']).doNothing())
      .execute();
  }
  return removed;
}

/** Roles some enabled attendance rule sends to by default (ATTENDANCE_ALERTS); never a figures-only role. */
function attendanceRecipientRoles(): Set<Role> {
  const settings = resolveAttendanceSettings(configValue('ATTENDANCE_ALERTS') ?? '');
  const roles = new Set<Role>();
  for (const rule of ATTENDANCE_RULE_IDS) if (settings[rule].enabled) for (const role of settings[rule].recipients) if (mayReadPupils(role, 'alert_card')) roles.add(role);
  return roles;
}
