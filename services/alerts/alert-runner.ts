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
import {
  caseDeliveryKey,
  caseKeyOf,
  cardsQueuedToday,
  casesWithCards,
  claimGoLive,
  DEFAULT_CARDS_PER_DAY,
  joinedSubscribers,
  mergeCases,
  planCards,
  queuePlan,
  type CaseCandidate,
  type SubscriberTarget,
} from './alert-cases';
import { queueCaseUpdates } from './case-updates';
import { PLACEMENT_DUTIES, placementsOf, rankingDueDate } from './due-state';
import { insertNewAlerts, type NewAlertFields } from './new-alerts';
import { effectiveSubscriptions, loadGeography } from './subscriptions';
import { chunk, IDS_PER_QUERY } from '../store/batches';

/**
 * Runs the exclusion rules over stored data and turns new alerts into outbox rows (one card per case
 * per subscriber, within a daily budget), in one transaction: an alert is either stored with all its
 * deliveries queued or not at all. Alerts are keyed by their dedupe key, so running again (after every import, on the
 * schedule, on several instances at once) never queues the same alert twice.
 */

export interface AlertRunnerDeps {
  db: Kysely<Database>;
  calendar: SchoolCalendar;
  clock: Clock;
  settings?: RuleSettings;
  logger?: Logger;
  /** Case cards a subscriber may receive a day (ALERT_CARDS_PER_DAY); the rest fold into a summary. */
  cardsPerDay?: number;
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
  // The first run is go-live: what it finds is the history loaded beforehand, summarised not pushed.
  const history = await claimGoLive(deps.db, deps.clock);
  const rows = await loadRuleRows(deps.db, since, pupilIds);
  const { alerts, problems } = evaluateExclusionRules({ today, calendar: deps.calendar, settings, ...rows });
  const stored = await storeAlerts(deps, alerts, afterStore, { history });
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

/**
 * Stores the alerts not seen before, then queues cards for their cases: one card per case per
 * subscriber that has joined, within each subscriber's daily budget, the rest folded into one
 * summary card (see alert-cases.ts). A duty added to a case that already has a card queues no new
 * card: a sent card gets one in-place update (case-updates.ts); a pending one is drawn fresh when sent.
 */
export async function storeAlerts(
  deps: AlertRunnerDeps,
  alerts: readonly ExclusionAlert[],
  afterStore?: (trx: Kysely<Database>) => Promise<void>,
  options: { history?: boolean } = {},
): Promise<{ newAlerts: number; queuedDeliveries: number }> {
  if (alerts.length === 0 && !afterStore) return { newAlerts: 0, queuedDeliveries: 0 };
  const now = deps.clock.now().toISOString();
  // Skip known keys up front: most runs re-derive alerts that already exist.
  const known = new Set<string>();
  for (const part of chunk(
    alerts.map((a) => a.dedupeKey),
    IDS_PER_QUERY,
  )) {
    for (const row of await deps.db.selectFrom('exclusion_alert').select('dedupe_key').where('dedupe_key', 'in', part).execute()) known.add(row.dedupe_key);
  }
  const fresh = dedupe(alerts.filter((a) => !known.has(a.dedupeKey)));
  if (fresh.length === 0 && !afterStore) return { newAlerts: 0, queuedDeliveries: 0 };
  const [geo, subscriptions, joined] = fresh.length
    ? await Promise.all([loadGeography(deps.db), effectiveSubscriptions(deps.db), joinedSubscribers(deps.db)])
    : [undefined, [], new Map<string, string>()];
  const router = geo ? new SubscriptionIndex(subscriptions, geo) : undefined;

  return deps.db.transaction().execute(async (trx) => {
    const inserted = await insertFresh(trx, fresh, geo!, now);
    let queued = inserted.length ? await queueCases(deps, trx, inserted, router!, joined, options.history ?? false) : 0;
    // A new duty on a case whose card was already sent: that card is updated in place.
    if (inserted.length) queued += await queueCaseUpdates(trx, inserted.map((s) => caseKeyOf(s.alert)), now);
    if (afterStore) await afterStore(trx);
    return { newAlerts: inserted.length, queuedDeliveries: queued };
  });
}

interface StoredAlert {
  alert: ExclusionAlert;
  id: number;
}

/** Stores the new alerts; another instance may have stored some a moment ago: only ours fan out. */
async function insertFresh(trx: Kysely<Database>, fresh: readonly ExclusionAlert[], geo: Geography, now: string): Promise<StoredAlert[]> {
  const ids = await insertNewAlerts(
    trx,
    fresh.map((a) => alertFields(a, geo, now)),
  );
  const out: StoredAlert[] = [];
  for (const alert of fresh) {
    const id = ids.get(alert.dedupeKey);
    if (id !== undefined) out.push({ alert, id });
  }
  return out;
}

/** Routes new duties to subscribers, as cases, and queues each joined subscriber's plan. */
async function queueCases(
  deps: AlertRunnerDeps,
  trx: Kysely<Database>,
  stored: readonly StoredAlert[],
  router: SubscriptionIndex,
  joined: ReadonlyMap<string, string>,
  history: boolean,
): Promise<number> {
  const bySubscriber = new Map<string, { target: SubscriberTarget; duties: CaseCandidate[] }>();
  // A duty already met by a recorded place, or a window already closed (history loaded late),
  // ranks with the undated: it is not urgent.
  const londonToday = todayInLondon(deps.clock);
  const placed = await placementsOf(
    trx,
    stored.flatMap(({ alert }) => (alert.scope === 'pupil' && PLACEMENT_DUTIES.includes(alert.rule) ? [alert.exclusionId] : [])),
  );
  for (const { alert, id } of stored) {
    for (const sub of router.recipientsOf(alert)) {
      // Not joined yet (no chat with the bot): nothing is pushed; first contact catches up.
      if (!joined.has(sub.subscriberKey)) continue;
      let entry = bySubscriber.get(sub.subscriberKey);
      if (!entry) bySubscriber.set(sub.subscriberKey, (entry = { target: { subscriberKey: sub.subscriberKey, staffUserId: sub.staffUserId, conversationId: sub.conversationId }, duties: [] }));
      entry.duties.push({
        caseKey: caseKeyOf(alert),
        alertId: id,
        dueDate: alert.scope !== 'district' ? rankingDueDate(alert.rule, alert.dueDate ?? null, londonToday, alert.scope === 'pupil' ? (placed.get(alert.exclusionId) ?? null) : null) : null,
        eventDate: alert.scope !== 'district' ? alert.eventDate : alert.weekStart,
      });
    }
  }
  if (bySubscriber.size === 0) return 0;
  const cardsPerDay = deps.cardsPerDay ?? DEFAULT_CARDS_PER_DAY;
  const today = await cardsQueuedToday(trx, deps.clock, [...bySubscriber.keys()]);
  const candidates = [...bySubscriber].flatMap(([key, e]) => mergeCases(e.duties).map((c) => ({ key, c })));
  const carded = await casesWithCards(
    trx,
    candidates.map(({ key, c }) => caseDeliveryKey(c.caseKey, key)),
  );
  let queued = 0;
  for (const [key, entry] of bySubscriber) {
    const cases = mergeCases(entry.duties).filter((c) => !carded.has(caseDeliveryKey(c.caseKey, key)));
    queued += await queuePlan(trx, deps.clock, entry.target, planCards(cases, today.get(key) ?? 0, cardsPerDay, history));
  }
  return queued;
}

function alertFields(alert: ExclusionAlert, geo: Geography, now: string): NewAlertFields {
  const pupil = alert.scope !== 'district';
  return {
    dedupe_key: alert.dedupeKey,
    rule: alert.rule,
    scope: alert.scope,
    pupil_id: pupil ? alert.pupilId : null,
    exclusion_id: alert.scope === 'pupil' ? alert.exclusionId : null,
    school_urn: pupil ? alert.schoolUrn : null,
    district_id: pupil ? (geo.schools.get(alert.schoolUrn)?.districtId ?? null) : alert.districtId,
    event_date: pupil ? alert.eventDate : alert.weekStart,
    due_date: pupil ? (alert.dueDate ?? null) : null,
    payload: JSON.stringify(alert),
    case_key: caseKeyOf(alert),
    created_at: now,
  };
}

function dedupe(alerts: ExclusionAlert[]): ExclusionAlert[] {
  const seen = new Set<string>();
  return alerts.filter((a) => (seen.has(a.dedupeKey) ? false : (seen.add(a.dedupeKey), true)));
}

