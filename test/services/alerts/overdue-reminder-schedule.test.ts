import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import sinon from 'sinon';
import { startOverdueReminders } from '../../../services/alerts/overdue-reminder-schedule';
import { fixedClock } from '../../../services/clock';
import type { Logger } from '../../../services/logger';
import type { Database } from '../../../services/store/database';
import { openStore, type Store } from '../../../services/store/open-store';
import { BOSTON_SECONDARY, NOW, seedCounty } from '../cluster/cluster-fixture';

/**
 * The overdue-reminder tick, scheduled beside the alert rules: a round at start, then one per
 * interval. The interval timer is faked (nothing waits on real time); the test waits for the
 * logged event of each round.
 */
describe('overdue reminder schedule', () => {
  const INTERVAL_MS = 60_000;
  let store: Store;
  let timers: sinon.SinonFakeTimers;

  beforeEach(async () => {
    timers = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    const fixture = await seedCounty(store.db);
    const meeting = await store.db.insertInto('cluster_meeting').values({ district_id: fixture.bostonId, meeting_date: '2026-11-04', created_at: NOW, created_by: null }).returning('id').executeTakeFirstOrThrow();
    await store.db
      .insertInto('cluster_action')
      .values({
        school_urn: BOSTON_SECONDARY,
        meeting_id: meeting.id,
        status: 'open',
        created_by: fixture.staff.officer!.id,
        created_at: NOW,
        closed_at: null,
        closed_by: null,
        overdue_notified_at: null,
        pupil_id: fixture.pupils.severe!.id,
        description: 'Home visit',
        owner_id: fixture.staff.officer!.id,
        due_date: '2026-11-20',
      })
      .execute();
  });
  afterEach(async () => {
    timers.restore();
    await store.close();
  });

  /** A logger that records events and lets the test wait for the next one. */
  function recordingLogger() {
    const events: Array<[string, Record<string, unknown> | undefined]> = [];
    let wake: (() => void) | undefined;
    const record = (event: string, fields?: Record<string, unknown>) => {
      events.push([event, fields]);
      wake?.();
    };
    const logger: Logger = { debug: () => undefined, info: record, warn: record, error: record };
    const nextEvent = () => new Promise<void>((resolve) => (wake = resolve));
    return { logger, events, nextEvent };
  }

  /** The store's db whose next transaction fails, as an unreachable store would. */
  function failingOnce(db: Kysely<Database>): Kysely<Database> {
    let fail = true;
    return new Proxy(db, {
      get(target, property) {
        if (property === 'transaction' && fail) {
          fail = false;
          return () => {
            throw new Error('connection refused');
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  it('runs a round at start; a failed round is logged and tried again at the next tick, which queues and wakes the worker', async () => {
    const { logger, events, nextEvent } = recordingLogger();
    let wakes = 0;
    let event = nextEvent();
    const stop = startOverdueReminders({ store: { db: failingOnce(store.db) }, clock: fixedClock(NOW), logger }, () => wakes++, INTERVAL_MS);
    await event;
    assert.deepEqual(events, [['cluster.overdue_reminders_failed', { error: 'Error', message: 'connection refused' }]]);
    assert.equal(wakes, 0);

    event = nextEvent();
    timers.tick(INTERVAL_MS);
    await event;
    assert.deepEqual(events[1], ['cluster.overdue_reminders', { queued: 1 }]);
    assert.equal(wakes, 1);
    const queued = await store.db.selectFrom('alert_outbox').select('kind').execute();
    assert.deepEqual(queued.map((row) => row.kind), ['cluster_overdue']);

    stop();
    assert.equal(timers.countTimers(), 0, 'stop clears the interval');
  });
});
