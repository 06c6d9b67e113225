import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { SchoolCalendar } from '../calendar/school-calendar';
import { todayInLondon } from '../calendar/dates';
import type { Clock } from '../clock';
import type { ExclusionAlert, RuleProblem } from '../exclusions/alert-types';
import { evaluateDisproportionality } from '../exclusions/disproportionality';
import { evaluateExclusionRules } from '../exclusions/exclusion-rules';
import { clearPendingPupils, loadDistrictRows, loadRuleRows, pendingPupils } from '../exclusions/exclusion-repository';
import { resolveRuleSettings, type RuleSettings } from '../exclusions/rule-settings';
import type { Logger } from '../logger';
import type { Database } from '../store/database';
import { SubscriptionIndex, type Geography } from './alert-routing';
import './alert-schema';
import { DUE_NOW, newOutboxRow } from './outbox';
import { effectiveSubscriptions, loadGeography } from './subscriptions';

/**
 * Runs the exclusion rules over stored data and turns new alerts into outbox rows, one per
 * subscriber, in one transaction: an alert is either stored with all its deliveries queued or not
 * at all. Alerts are keyed by their dedupe key, so running again (after every import, on the
 * schedule, on several instances at once) never queues the same alert twice.
 */

export interface AlertRunnerDeps {
  db: Kysely<Database>;
  /** SQLite only: the raw handle, for prepared-statement inserts inside the same transaction (a first run on a whole county queues tens of thousands of rows). */
  sqlite?: BetterSqlite3.Database;
  calendar: SchoolCalendar;
  clock: Clock;
  settings?: RuleSettings;
  logger?: Logger;
}

export interface RunSummary {
  evaluatedPupils: number;
  alerts: number;
  newAlerts: number;
  queuedDeliveries: number;
  problems: RuleProblem[];
}

const EMPTY: RunSummary = { evaluatedPupils: 0, alerts: 0, newAlerts: 0, queuedDeliveries: 0, problems: [] };

/** Pupil rules for some pupils, or every pupil with an exclusion this academic year. */
export async function runPupilRules(deps: AlertRunnerDeps, pupilIds?: readonly number[], afterStore?: (trx: Kysely<Database>) => Promise<void>): Promise<RunSummary> {
  const settings = deps.settings ?? resolveRuleSettings();
  const today = todayInLondon(deps.clock);
  let since: string;
  try {
    since = deps.calendar.academicYearStart(today);
  } catch (error) {
    return { ...EMPTY, problems: [{ message: (error as Error).message }] };
  }
  if (settings.eventsSince && settings.eventsSince < since) since = settings.eventsSince;
  const rows = await loadRuleRows(deps.db, since, pupilIds);
  const { alerts, problems } = evaluateExclusionRules({ today, calendar: deps.calendar, settings, ...rows });
  const stored = await storeAlerts(deps, alerts, afterStore);
  // One line per run, not per row: a calendar that ends too soon affects every late-summer deadline.
  if (problems.length > 0) deps.logger?.warn('alerts.rule_problems', { count: problems.length, first: problems.slice(0, 5) });
  return { evaluatedPupils: rows.pupils.length, alerts: alerts.length, ...stored, problems };
}

/** The weekly district check. */
export async function runDisproportionality(deps: AlertRunnerDeps): Promise<RunSummary> {
  const settings = deps.settings ?? resolveRuleSettings();
  const today = todayInLondon(deps.clock);
  const since = deps.calendar.academicYearStart(today);
  const rows = await loadDistrictRows(deps.db, since, today);
  const alerts = evaluateDisproportionality({ today, calendar: deps.calendar, settings, ...rows });
  const stored = await storeAlerts(deps, alerts);
  return { evaluatedPupils: rows.pupils.length, alerts: alerts.length, ...stored, problems: [] };
}

/** Evaluates pupils queued by imports and intake, then clears exactly the entries it read. */
export async function drainPendingPupils(deps: AlertRunnerDeps, batch = 5000): Promise<RunSummary> {
  const pending = await pendingPupils(deps.db, batch);
  if (pending.length === 0) return EMPTY;
  return runPupilRules(
    deps,
    pending.map((p) => p.pupil_id),
    (trx) => clearPendingPupils(trx, pending),
  );
}

/** Stores the alerts not seen before and queues one delivery per subscriber for each. */
export async function storeAlerts(
  deps: AlertRunnerDeps,
  alerts: readonly ExclusionAlert[],
  afterStore?: (trx: Kysely<Database>) => Promise<void>,
): Promise<{ newAlerts: number; queuedDeliveries: number }> {
  if (alerts.length === 0 && !afterStore) return { newAlerts: 0, queuedDeliveries: 0 };
  const now = deps.clock.now().toISOString();
  // Skip known keys up front: most runs re-derive alerts that already exist.
  const known = new Set<string>();
  for (const part of chunk(
    alerts.map((a) => a.dedupeKey),
    500,
  )) {
    for (const row of await deps.db.selectFrom('exclusion_alert').select('dedupe_key').where('dedupe_key', 'in', part).execute()) known.add(row.dedupe_key);
  }
  const fresh = dedupe(alerts.filter((a) => !known.has(a.dedupeKey)));
  if (fresh.length === 0 && !afterStore) return { newAlerts: 0, queuedDeliveries: 0 };
  const [geo, subscriptions] = fresh.length ? await Promise.all([loadGeography(deps.db), effectiveSubscriptions(deps.db)]) : [undefined, []];
  const router = geo ? new SubscriptionIndex(subscriptions, geo) : undefined;

  return deps.db.transaction().execute(async (trx) => {
    let newAlerts = 0;
    let queued = 0;
    if (deps.sqlite) {
      const result = storeWithPreparedStatements(deps.sqlite, fresh, geo!, router!, now);
      if (afterStore) await afterStore(trx);
      return result;
    }
    for (const part of chunk(fresh, 300)) {
      const inserted = await trx
        .insertInto('exclusion_alert')
        .values(part.map((a) => alertRow(a, geo!, now)))
        // Another instance may have stored the same alert a moment ago: only our inserts fan out.
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning(['id', 'dedupe_key'])
        .execute();
      newAlerts += inserted.length;
      const ids = new Map(inserted.map((r) => [r.dedupe_key, r.id]));
      const outbox = [];
      for (const alert of part) {
        const alertId = ids.get(alert.dedupeKey);
        if (alertId === undefined) continue;
        for (const sub of router!.recipientsOf(alert)) {
          outbox.push(
            newOutboxRow({
              dedupeKey: `${alert.dedupeKey}>${sub.subscriberKey}`,
              alertId,
              subscriberKey: sub.subscriberKey,
              staffUserId: sub.staffUserId,
              conversationId: sub.conversationId,
              kind: 'alert',
              due: DUE_NOW,
              createdAt: now,
            }),
          );
        }
      }
      for (const rows of chunk(outbox, 400)) {
        const done = await trx.insertInto('alert_outbox').values(rows).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
        queued += done.reduce((n, r) => n + Number(r.numInsertedOrUpdatedRows ?? 0), 0);
      }
    }
    if (afterStore) await afterStore(trx);
    return { newAlerts, queuedDeliveries: queued };
  });
}

/** The same writes as the Kysely path, one prepared statement per table, run inside the open transaction. */
function storeWithPreparedStatements(handle: BetterSqlite3.Database, fresh: readonly ExclusionAlert[], geo: Geography, router: SubscriptionIndex, now: string) {
  const insertAlert = handle.prepare(
    `insert into exclusion_alert (dedupe_key, rule, scope, pupil_id, exclusion_id, school_urn, district_id, event_date, due_date, payload, created_at, status, acknowledged_by, acknowledged_at, assigned_to, assigned_at, snoozed_until, version)
     values (@dedupe_key, @rule, @scope, @pupil_id, @exclusion_id, @school_urn, @district_id, @event_date, @due_date, @payload, @created_at, @status, null, null, null, null, null, 1)
     on conflict (dedupe_key) do nothing returning id`,
  );
  const insertOutbox = handle.prepare(
    `insert into alert_outbox (dedupe_key, alert_id, subscriber_key, staff_user_id, conversation_id, kind, status, attempts, next_attempt_at, created_at)
     values (?, ?, ?, ?, ?, 'alert', 'pending', 0, ?, ?) on conflict (dedupe_key) do nothing`,
  );
  let newAlerts = 0;
  let queued = 0;
  for (const alert of fresh) {
    const { acknowledged_by: _a, acknowledged_at: _b, assigned_to: _c, assigned_at: _d, snoozed_until: _e, version: _f, ...row } = alertRow(alert, geo, now);
    const inserted = insertAlert.get(row) as { id: number } | undefined;
    if (!inserted) continue;
    newAlerts++;
    for (const sub of router.recipientsOf(alert)) {
      queued += insertOutbox.run(`${alert.dedupeKey}>${sub.subscriberKey}`, inserted.id, sub.subscriberKey, sub.staffUserId, sub.conversationId, DUE_NOW, now).changes;
    }
  }
  return { newAlerts, queuedDeliveries: queued };
}

function alertRow(alert: ExclusionAlert, geo: Geography, now: string) {
  const pupil = alert.scope === 'pupil';
  return {
    dedupe_key: alert.dedupeKey,
    rule: alert.rule,
    scope: alert.scope,
    pupil_id: pupil ? alert.pupilId : null,
    exclusion_id: pupil ? alert.exclusionId : null,
    school_urn: pupil ? alert.schoolUrn : null,
    district_id: pupil ? (geo.schools.get(alert.schoolUrn)?.districtId ?? null) : alert.districtId,
    event_date: pupil ? alert.eventDate : alert.weekStart,
    due_date: pupil ? (alert.dueDate ?? null) : null,
    payload: JSON.stringify(alert),
    created_at: now,
    status: 'open' as const,
    acknowledged_by: null,
    acknowledged_at: null,
    assigned_to: null,
    assigned_at: null,
    snoozed_until: null,
    version: 1,
  };
}

function dedupe(alerts: ExclusionAlert[]): ExclusionAlert[] {
  const seen = new Set<string>();
  return alerts.filter((a) => (seen.has(a.dedupeKey) ? false : (seen.add(a.dedupeKey), true)));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
