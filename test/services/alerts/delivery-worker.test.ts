import assert from 'node:assert/strict';
import { Client } from 'pg';
import { claimDue } from '../../../services/alerts/outbox';
import type { DeliveryWorker } from '../../../services/alerts/delivery-worker';
import { openStore, type Store } from '../../../services/store/open-store';
import { startFakeConnector, type FakeConnector } from '../../helpers/fake-connector';
import { forEachEngine } from '../../helpers/test-stores';
import { VirtualTime } from '../../helpers/virtual-time';
import { deliveredOutboxIds, makeWorker, seedDeliveries, settled } from './delivery-fixtures';

describe('alert delivery', () => {
  let connector: FakeConnector;
  // Every worker here runs on virtual time: backoff, Retry-After, pacing and leases without waiting.
  let vt: VirtualTime;
  const worker = (db: Store['db'], engine: Store['engine'], options: Parameters<typeof makeWorker>[2] = {}) => makeWorker(db, engine, { clock: vt, timing: vt, ...options });
  const untilIdle = (w: DeliveryWorker) => vt.run(() => w.runUntilIdle());
  /** Runs the worker's own loop until every row is settled, then stops it. */
  const runToSettled = (db: Store['db'], ...workers: DeliveryWorker[]) =>
    vt.run(async () => {
      for (const w of workers) w.start();
      await settled(db, vt);
      await Promise.all(workers.map((w) => w.stop()));
    });
  beforeEach(async () => {
    vt = new VirtualTime('2026-11-25T10:00:00Z');
    connector = await startFakeConnector({ now: () => vt.ms() });
  });
  afterEach(async () => {
    await connector.close();
  });

  forEachEngine((getStore) => {
    it('delivers every queued alert once and records the message id', async () => {
      const store = getStore();
      const ids = await seedDeliveries(store.db, connector, 12);
      const w = worker(store.db, store.engine);
      const stats = await untilIdle(w);
      assert.equal(stats.sent, 12);
      assert.deepEqual(deliveredOutboxIds(connector), ids);
      const rows = await store.db.selectFrom('alert_outbox').selectAll().orderBy('id').execute();
      assert.ok(rows.every((r) => r.status === 'sent' && r.activity_id?.startsWith('activity-') && r.sent_conversation_id?.startsWith('conv-')));
      assert.equal((await untilIdle(w)).sent, 12, 'nothing more to send');
      assert.equal(connector.delivered().length, 12);
    });

    it('keeps a chat\'s cards in their booked order when the first takes longer to build than its slot', async () => {
      const store = getStore();
      const [first] = await seedDeliveries(store.db, connector, 1);
      const row = await store.db.selectFrom('alert_outbox').selectAll().where('id', '=', first!).executeTakeFirstOrThrow();
      const { id: _id, ...copy } = row;
      const later: number[] = [];
      for (const n of [2, 3]) {
        const inserted = await store.db.insertInto('alert_outbox').values({ ...copy, dedupe_key: `${row.dedupe_key}#${n}` }).returning('id').executeTakeFirstOrThrow();
        later.push(inserted.id);
      }
      // The first card's build outlasts the next two slots (a slow summary, a stalled read).
      const slowFirst = {
        async render(r: { id: number }) {
          if (r.id === first) await vt.sleep(3000);
          return { activity: { type: 'message', text: `outbox ${r.id}` } };
        },
      };
      const w = worker(store.db, store.engine, { renderer: slowFirst });
      await runToSettled(store.db, w);
      // deliveredOutboxIds sorts; the order of arrival is what this test is about.
      const arrived = connector.posts.filter((p) => p.status === 201).map((p) => Number(/outbox (\d+)/.exec(String(p.activity.text))![1]));
      assert.deepEqual(arrived, [first!, ...later], 'sent in the order booked, each once');
    });

    it('honours 429 Retry-After and retries 5xx with backoff, delivering once', async () => {
      const store = getStore();
      const ids = await seedDeliveries(store.db, connector, 3);
      connector.script('conv-u1', [{ status: 429, retryAfter: '1' }]);
      connector.script('conv-u2', [{ status: 500 }, { status: 503 }, { status: 502 }]);
      const w = worker(store.db, store.engine);
      await runToSettled(store.db, w);
      assert.deepEqual(deliveredOutboxIds(connector), ids);
      const u1 = connector.posts.filter((p) => p.conversationId === 'conv-u1');
      assert.deepEqual(u1.map((p) => p.status), [429, 201]);
      assert.ok(u1[1]!.at - u1[0]!.at >= 1000, 'waited for Retry-After before trying again');
      assert.deepEqual(connector.posts.filter((p) => p.conversationId === 'conv-u2').map((p) => p.status), [500, 503, 502, 201]);
      assert.equal(w.stats.throttled, 1);
      const row = await store.db.selectFrom('alert_outbox').selectAll().where('id', '=', ids[1]!).executeTakeFirstOrThrow();
      assert.equal(row.attempts, 4);
    });

    it('marks the conversation gone on 403 or 404 and stops sending there', async () => {
      const store = getStore();
      await seedDeliveries(store.db, connector, 2);
      connector.script('conv-u1', [{ status: 403, body: { error: { code: 'MessageWritesBlocked' } } }]);
      connector.script('conv-u2', [{ status: 404 }]);
      const w = worker(store.db, store.engine);
      await untilIdle(w);
      const rows = await store.db.selectFrom('alert_outbox').select(['status', 'last_status', 'last_error']).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => [r.status, r.last_status]), [
        ['gone', 403],
        ['gone', 404],
      ]);
      assert.equal(rows[0]!.last_error, 'HTTP 403 MessageWritesBlocked');
      const refs = await store.db.selectFrom('conversation_ref').select(['conversation_id', 'gone_at']).orderBy('conversation_id').execute();
      assert.ok(refs.every((r) => r.gone_at !== null));
      // A later alert for the same user is not even attempted.
      await seedDeliveries(store.db, connector, 0);
      const user = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', 'aad-u1').executeTakeFirstOrThrow();
      const alert = await store.db.selectFrom('exclusion_alert').select('id').executeTakeFirstOrThrow();
      await store.db
        .insertInto('alert_outbox')
        .values({ dedupe_key: 'later', alert_id: alert.id, subscriber_key: `user:${user.id}`, staff_user_id: user.id, conversation_id: null, kind: 'alert', status: 'pending', attempts: 0, next_attempt_at: '2000-01-01T00:00:00.000Z', claimed_by: null, claim_expires_at: null, sent_at: null, sent_conversation_id: null, activity_id: null, last_status: null, last_error: null, created_at: '2026-11-25T10:00:00.000Z' })
        .execute();
      const posts = connector.posts.length;
      await untilIdle(w);
      assert.equal(connector.posts.length, posts);
      assert.equal((await store.db.selectFrom('alert_outbox').select('status').where('dedupe_key', '=', 'later').executeTakeFirstOrThrow()).status, 'gone');
    });

    it('gives up on a 400 at once and after too many 5xx', async () => {
      const store = getStore();
      await seedDeliveries(store.db, connector, 2);
      connector.script('conv-u1', [{ status: 400 }]);
      connector.script('conv-u2', [{ status: 500 }, { status: 500 }, { status: 500 }]);
      const w = worker(store.db, store.engine, { maxAttempts: 2 });
      await runToSettled(store.db, w);
      const rows = await store.db.selectFrom('alert_outbox').select(['status', 'last_error', 'attempts']).orderBy('id').execute();
      assert.equal(rows[0]!.status, 'failed');
      assert.equal(rows[0]!.attempts, 1);
      assert.equal(rows[1]!.status, 'failed');
      assert.match(rows[1]!.last_error!, /gave up after 2 attempts/);
      assert.equal(connector.delivered().length, 0);
    });

    it('keeps a row for a user who has not installed the app yet, to try later', async () => {
      const store = getStore();
      const [id] = await seedDeliveries(store.db, connector, 1);
      await store.db.deleteFrom('conversation_ref').execute();
      await untilIdle(worker(store.db, store.engine));
      const row = await store.db.selectFrom('alert_outbox').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.ok(Date.parse(row.next_attempt_at) > vt.ms() + 30 * 60_000);
    });

    it('loses nothing and sends nothing twice when a worker dies holding claims', async () => {
      const store = getStore();
      const ids = await seedDeliveries(store.db, connector, 6);
      // Worker A claims half and dies before sending: its lease must run out first.
      const claimed = await claimDue(store.db, store.engine, { workerId: 'dead-worker', now: vt.now(), leaseMs: 300, limit: 3 });
      assert.equal(claimed.length, 3);
      const w = worker(store.db, store.engine);
      await vt.run(async () => {
        await w.runUntilIdle();
        assert.equal(connector.delivered().length, 3, 'claimed rows wait for their lease');
        await vt.sleep(350);
        await w.runUntilIdle();
      });
      assert.deepEqual(deliveredOutboxIds(connector), ids);
    });

    it('stops cleanly in the middle of a batch and a new worker finishes it, each alert once', async () => {
      const store = getStore();
      const ids = await seedDeliveries(store.db, connector, 1, { prefix: 'solo' });
      // Ten alerts for one conversation: paced at 7 per second, so a stop lands mid-batch.
      const user = await store.db.selectFrom('staff_user').select('id').executeTakeFirstOrThrow();
      const alert = await store.db.selectFrom('exclusion_alert').select('id').executeTakeFirstOrThrow();
      for (let i = 0; i < 9; i++) {
        const row = await store.db
          .insertInto('alert_outbox')
          .values({ dedupe_key: `more-${i}`, alert_id: alert.id, subscriber_key: `user:${user.id}`, staff_user_id: user.id, conversation_id: null, kind: 'alert', status: 'pending', attempts: 0, next_attempt_at: '2000-01-01T00:00:00.000Z', claimed_by: null, claim_expires_at: null, sent_at: null, sent_conversation_id: null, activity_id: null, last_status: null, last_error: null, created_at: '2026-11-25T10:00:00.000Z' })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      const first = worker(store.db, store.engine);
      await vt.run(async () => {
        first.start();
        while (connector.delivered().length < 3) await vt.sleep(10);
        await first.stop();
      });
      const afterStop = connector.delivered().length;
      assert.ok(afterStop < 10, 'stopped before the end');
      await untilIdle(worker(store.db, store.engine));
      assert.deepEqual(deliveredOutboxIds(connector), ids.sort((a, b) => a - b));
    });

    it('starts a new post in a channel rather than replying in the thread it was installed from', async () => {
      const store = getStore();
      await seedDeliveries(store.db, connector, 1, { prefix: 'ch', conversationType: 'channel' });
      await untilIdle(worker(store.db, store.engine));
      assert.deepEqual(connector.delivered().map((p) => p.conversationId), ['19:ch1@thread.tacv2']);
      assert.equal(connector.delivered()[0]!.activity.conversation.id, '19:ch1@thread.tacv2');
    });
  });

  describe('two instances on PostgreSQL', function () {
    const base = process.env.TEST_DATABASE_URL?.trim();
    if (!base) {
      it.skip('set TEST_DATABASE_URL to run the two-instance test');
      return;
    }
    const schema = `delivery_${Date.now().toString(36)}`;
    let a: Store;
    let b: Store;
    before(async () => {
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`create schema "${schema}"`);
      await admin.end();
      const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      a = await openStore({ engine: 'postgres', target: url });
      b = await openStore({ engine: 'postgres', target: url });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    });

    it('shares the outbox with SKIP LOCKED: every alert goes out exactly once', async () => {
      const ids = await seedDeliveries(a.db, connector, 120, { prefix: 'pg' });
      connector.setDefault({ status: 201, delayMs: 5 });
      const one = worker(a.db, 'postgres', { batchSize: 10, workerId: 'instance-a' });
      const two = worker(b.db, 'postgres', { batchSize: 10, workerId: 'instance-b' });
      await runToSettled(a.db, one, two);
      assert.deepEqual(deliveredOutboxIds(connector), ids);
      assert.ok(one.stats.sent > 0 && two.stats.sent > 0, `both instances worked (${one.stats.sent} + ${two.stats.sent})`);
      assert.equal(one.stats.sent + two.stats.sent, 120);
    });
  });
});
