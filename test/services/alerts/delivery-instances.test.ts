import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import { PRIORITY } from '../../../services/alerts/delivery-priority';
import type { DeliveryWorker, Renderer } from '../../../services/alerts/delivery-worker';
import { insertNewAlerts } from '../../../services/alerts/new-alerts';
import { newOutboxRow } from '../../../services/alerts/outbox';
import type { Database } from '../../../services/store/database';
import { openStore, type Store } from '../../../services/store/open-store';
import { startFakeConnector, type FakeConnector } from '../../helpers/fake-connector';
import { forEachEngine, postgresRequired } from '../../helpers/test-stores';
import { VirtualTime } from '../../helpers/virtual-time';
import { makeWorker, seedDeliveries, textRenderer } from './delivery-fixtures';

/**
 * Proactive delivery against a fake connector that enforces Teams' limits (429 over them), on
 * virtual time: a chat with a long bulk backlog, other people's alerts, and an urgent alert queued
 * later; on PostgreSQL two instances, one of them frozen past its lease and then resumed.
 */

const T0 = '2026-11-25T10:00:00.000Z';

interface Scenario {
  /** Outbox ids of the bulk rows to chat X (user 1). */
  bulk: number[];
  others: number[];
  /** Staff and alert for the urgent row, queued later. */
  urgentUser: number;
  urgentAlert: number;
}

/** User 1's chat gets `bulkCount` bulk rows; users 2..n one normal alert each. */
async function seedScenario(db: Kysely<Database>, connector: FakeConnector, people: number, bulkCount: number): Promise<Scenario> {
  const ids = await seedDeliveries(db, connector, people, { prefix: 'p' });
  const first = await db.selectFrom('alert_outbox').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow();
  await db.updateTable('alert_outbox').set({ priority: PRIORITY.bulk }).where('id', '=', first.id).execute();
  const rows = Array.from({ length: bulkCount - 1 }, (_, i) => ({
    ...newOutboxRow({ dedupeKey: `${first.dedupe_key}#${i}`, alertId: first.alert_id, subscriberKey: first.subscriber_key, staffUserId: first.staff_user_id, conversationId: null, kind: 'alert', due: '2000-01-01T00:00:00.000Z', createdAt: T0, priority: PRIORITY.bulk }),
  }));
  const bulk = [first.id];
  for (let i = 0; i < rows.length; i += 300) {
    const inserted = await db.insertInto('alert_outbox').values(rows.slice(i, i + 300)).returning('id').execute();
    bulk.push(...inserted.map((r) => r.id));
  }
  // The urgent alert: a new permanent exclusion (urgent by its rule; the row carries no priority).
  const alertIds = await insertNewAlerts(db, [{ dedupe_key: 'permanent_exclusion:test', rule: 'permanent_exclusion', scope: 'pupil', event_date: '2026-11-25', payload: '{}', created_at: T0 }]);
  const alert = { id: alertIds.get('permanent_exclusion:test')! };
  const second = await db.selectFrom('alert_outbox').select('staff_user_id').where('id', '=', ids[1]!).executeTakeFirstOrThrow();
  return { bulk, others: ids.slice(1), urgentUser: second.staff_user_id, urgentAlert: alert.id };
}

async function queueUrgent(db: Kysely<Database>, s: Scenario, at: string): Promise<number> {
  const row = await db
    .insertInto('alert_outbox')
    .values(newOutboxRow({ dedupeKey: `urgent>user:${s.urgentUser}`, alertId: s.urgentAlert, subscriberKey: `user:${s.urgentUser}`, staffUserId: s.urgentUser, conversationId: null, kind: 'alert', due: '2000-01-01T00:00:00.000Z', createdAt: at }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function postedIds(connector: FakeConnector): number[] {
  return connector.delivered().map((p) => Number(String(p.activity.text).replace('outbox ', '')));
}

function duplicates(ids: readonly number[]): number[] {
  const seen = new Set<number>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

/** Runs the drive loop on virtual time until every row is settled (or `limitMs` of virtual time). */
async function untilSettled(vt: VirtualTime, db: Kysely<Database>, limitMs: number): Promise<void> {
  const end = vt.ms() + limitMs;
  while (vt.ms() < end) {
    const open = await db.selectFrom('alert_outbox').select('id').where('status', 'in', ['pending', 'sending']).limit(1).execute();
    if (open.length === 0) return;
    await vt.sleep(5000);
  }
}

describe('proactive delivery under Teams limits', function () {
  this.timeout(300_000);
  let connector: FakeConnector;
  let vt: VirtualTime;
  beforeEach(async () => {
    vt = new VirtualTime(T0);
    connector = await startFakeConnector({ teamsLimits: true, now: () => vt.ms() });
  });
  afterEach(async () => {
    await connector.close();
  });

  forEachEngine((getStore) => {
    it('sends an urgent alert to someone else within seconds, ahead of one chat’s bulk backlog, with no 429', async () => {
      const store = getStore();
      const s = await seedScenario(store.db, connector, 21, 300);
      const worker = makeWorker(store.db, store.engine, { clock: vt, timing: vt });
      let urgent = 0;
      await vt.run(async () => {
        worker.start();
        await vt.sleep(20_000);
        urgent = await queueUrgent(store.db, s, vt.now().toISOString());
        worker.kick();
        await untilSettled(vt, store.db, 600_000);
        await worker.stop();
      });
      const posts = connector.delivered();
      const urgentPost = posts.find((p) => p.activity.text === `outbox ${urgent}`);
      assert.ok(urgentPost, 'the urgent alert was delivered');
      assert.ok(urgentPost.at - Date.parse(T0) - 20_000 <= 3000, `delivered ${urgentPost.at - Date.parse(T0) - 20_000} ms after it was queued`);
      const bulkBefore = posts.filter((p) => p.at <= urgentPost.at && s.bulk.includes(Number(String(p.activity.text).replace('outbox ', '')))).length;
      assert.ok(bulkBefore < 100, `the bulk backlog was still draining (${bulkBefore} of 300 sent)`);
      // Everyone else's normal alerts went in the first seconds, not after the backlog.
      const others = posts.filter((p) => s.others.includes(Number(String(p.activity.text).replace('outbox ', ''))));
      assert.equal(others.length, 20);
      assert.ok(Math.max(...others.map((p) => p.at)) - Date.parse(T0) < 5000, 'other people were not queued behind the backlog');
      assert.equal(connector.posts.filter((p) => p.status === 429).length, 0, 'nothing over Teams limits');
      assert.deepEqual(duplicates(postedIds(connector)), []);
      assert.equal(posts.length, 300 + 20 + 1, 'nothing lost');
    });
  });

  describe('two instances on PostgreSQL, one frozen past its lease', () => {
    const base = process.env.TEST_DATABASE_URL?.trim();
    if (!base) {
      if (postgresRequired()) it('has a PostgreSQL database to test against', () => assert.fail('REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set'));
      else it.skip('set TEST_DATABASE_URL to run the two-instance test');
      return;
    }
    const schema = `delivery2_${Date.now().toString(36)}`;
    let a: Store;
    let b: Store;
    before(async () => {
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`create schema "${schema}"`);
      await admin.end();
      const url = new URL(base);
      url.searchParams.set('options', `-c search_path=${schema}`);
      a = await openStore({ engine: 'postgres', target: url.toString() });
      b = await openStore({ engine: 'postgres', target: url.toString() });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    });

    it('with 1,800 bulk cards queued for one chat: each card once, none over the limits, the urgent alert within seconds', async () => {
      const s = await seedScenario(a.db, connector, 41, 1800);
      const leaseMs = 20_000;
      // Instance B stalls (a long GC pause, a suspended VM) in the middle of its sends: every send
      // it prepares between 5 s and the end of its lease resumes only well after the lease ran out,
      // by when instance A has claimed those rows again.
      const freezeFrom = Date.parse(T0) + 5000;
      const freezeTo = freezeFrom + leaseMs + 30_000;
      const stalling: Renderer = {
        async render(row, target) {
          if (vt.ms() >= freezeFrom && vt.ms() < freezeTo) await vt.sleep(freezeTo - vt.ms());
          return textRenderer.render(row, target);
        },
      };
      const one: DeliveryWorker = makeWorker(a.db, 'postgres', { clock: vt, timing: vt, leaseMs, workerId: 'instance-a' });
      const two: DeliveryWorker = makeWorker(b.db, 'postgres', { clock: vt, timing: vt, renderer: stalling, leaseMs, workerId: 'instance-b' });
      let urgent = 0;
      const urgentAt = Date.parse(T0) + 60_000;
      // Two minutes of virtual time: the urgent alert, the frozen instance's return, and a long
      // stretch of the backlog (draining all 1,800 takes Teams' limits about 15 minutes).
      const stopAt = Date.parse(T0) + 120_000;
      await vt.run(async () => {
        one.start();
        two.start();
        await vt.sleep(urgentAt - vt.ms());
        urgent = await queueUrgent(a.db, s, vt.now().toISOString());
        one.kick();
        await vt.sleep(stopAt - vt.ms());
        await Promise.all([one.stop(), two.stop()]);
      });

      const ids = postedIds(connector);
      assert.deepEqual(duplicates(ids), [], 'no card sent twice');
      assert.equal(connector.posts.filter((p) => p.status === 429).length, 0, 'no post over Teams limits (the connector refuses those with 429)');
      assert.ok(two.stats.fenced > 0, `the frozen instance found its claims taken and skipped them (${two.stats.fenced})`);
      assert.ok(one.stats.sent > 0 && two.stats.sent > 0, `both instances sent (${one.stats.sent} + ${two.stats.sent})`);
      // Nothing lost: every row is sent exactly as often as it was posted, or still waiting.
      const rows = await a.db.selectFrom('alert_outbox').select(['id', 'status']).execute();
      const posted = new Set(ids);
      assert.deepEqual(rows.filter((r) => (r.status === 'sent') !== posted.has(r.id)), [], 'sent in the outbox exactly when posted');
      assert.deepEqual([...new Set(rows.filter((r) => !posted.has(r.id)).map((r) => r.status))], ['pending'], 'the rest waits, none failed or stuck');
      const others = connector.delivered().filter((p) => s.others.includes(Number(String(p.activity.text).replace('outbox ', ''))));
      assert.equal(others.length, 40, 'everyone else’s alerts went');

      const urgentPost = connector.delivered().find((p) => p.activity.text === `outbox ${urgent}`);
      assert.ok(urgentPost, 'the urgent alert went');
      assert.ok(urgentPost.at - urgentAt <= 5000, `urgent alert delivered ${urgentPost.at - urgentAt} ms after it was queued`);
      const bulkSent = rows.filter((r) => s.bulk.includes(r.id) && r.status === 'sent').length;
      assert.ok(bulkSent > 100 && bulkSent < 1800, `the bulk backlog kept going but had not drained (${bulkSent} of 1,800)`);
    });
  });
});
