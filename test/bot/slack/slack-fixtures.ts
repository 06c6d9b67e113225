import { createAlertRenderer } from '../../../bot/alert-delivery';
import { createConnectorTransport } from '../../../bot/connector-transport';
import { createSlackTransport, routeByChannel, slackPacing, slackTargetOf, slackTargets } from '../../../bot/slack/slack-alert-transport';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { personalChannels } from '../../../services/alerts/delivery-channel';
import { DeliveryWorker } from '../../../services/alerts/delivery-worker';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { loadConfig } from '../../../services/config';
import type { Store } from '../../../services/store/open-store';
import { TEST_USERS } from '../../helpers/activities';
import { insertStaff, startBot, type StaffSeed } from '../../helpers/bot-harness';
import { startFakeConnector } from '../../helpers/fake-connector';
import { FIXTURE_SCHOOLS, insertExclusion, insertFixtureCounty } from '../../helpers/fixtures';
import { VirtualTime } from '../../helpers/virtual-time';
import { settled } from '../../services/alerts/delivery-fixtures';
import { NOW as CLUSTER_NOW, seedAttendance, seedCounty } from '../../services/cluster/cluster-fixture';
import { startFakeSlack } from './fake-slack';
import { SLACK_SECRET } from './slack-harness';

/**
 * The set-up the Slack tests share: the bot started with Slack's settings against the fake Slack
 * API, a staff user linked to a Slack id, a county with a permanent exclusion, and a DeliveryWorker
 * sending to Slack run on virtual time until every outbox row is settled.
 */

type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** The email insertStaff gives a test user by default (what the fake's users.info answers with). */
export const emailOf = (user: { id: string }) => `${user.id.replace(/\W/g, '')}@school.example`;

/** The bot's Slack settings pointing at the fake, with Slack's clock (request signatures) at `now`. */
export function startSlackBot(store: Store, fake: FakeSlack, now: string, env: Record<string, string> = {}) {
  const nowMs = Date.parse(now);
  return startBot({
    store,
    clock: fixedClock(now),
    env: { SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: fake.apiUrl, ...env },
    server: { slack: { nowMs: () => nowMs } },
  });
}

/**
 * The cluster fixture county with its attendance, these staff (none by default), the fake Slack API
 * knowing each one's Slack id by their email, and the bot started on it at the fixture's NOW.
 */
export async function startClusterSlack(store: Store, people: { slackId: string; staff: StaffSeed }[], env: Record<string, string> = {}) {
  const fixture = await seedCounty(store.db, { staff: false });
  await seedAttendance(store.db, fixture);
  await insertStaff(store, people.map((p) => p.staff));
  const fake = await startFakeSlack(Object.fromEntries(people.map((p) => [p.slackId, emailOf(p.staff.user)])));
  const bot = await startSlackBot(store, fake, CLUSTER_NOW, env);
  return { fixture, fake, bot };
}

/** Links the (default) staff user with this Teams identity to a Slack id; resolves with their staff id. */
export async function linkToSlack(store: Store, slackUserId: string, aadObjectId = TEST_USERS.manager.aadObjectId): Promise<number> {
  const staff = await store.db.selectFrom('staff_user').select('id').where('aad_object_id', '=', aadObjectId).executeTakeFirstOrThrow();
  await store.db.updateTable('staff_user').set({ slack_user_id: slackUserId }).where('id', '=', staff.id).execute();
  return staff.id;
}

/**
 * The fixture county and default staff, the LA manager linked to Slack, alerts live since 16 Nov,
 * and a permanent exclusion from 23 Nov (no rules run yet: the caller decides when).
 */
export async function seedPermanentExclusion(store: Store, managerSlackId: string) {
  const county = await insertFixtureCounty(store);
  await insertStaff(store);
  const managerId = await linkToSlack(store, managerSlackId);
  await claimGoLive(store.db, fixedClock('2026-11-16T07:00:00Z'));
  await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: FIXTURE_SCHOOLS.bostonSecondary.urn, category: 'PERM', start: '2026-11-23', sessions: 0 });
  return { managerId, county };
}

export interface SlackWorkerOptions {
  /** The renderer's clock. */
  now: string;
  /** Route Teams rows to the Bot Connector as well (routeByChannel). */
  teams?: boolean;
  /** Each user's chosen channel (personalChannels) and Slack DMs by conversation id (card updates). */
  personal?: boolean;
  /** Slack's one message a second per conversation. */
  pacing?: boolean;
}

/** A DeliveryWorker on virtual time whose Slack sends go to the fake. */
export function slackWorker(store: Store, vt: VirtualTime, fake: FakeSlack, options: SlackWorkerOptions): DeliveryWorker {
  const slack = createSlackTransport({ apiUrl: fake.apiUrl, token: 'xoxb-test-token' });
  return new DeliveryWorker({
    db: store.db,
    engine: store.engine,
    clock: vt,
    timing: vt,
    transport: options.teams ? routeByChannel(createConnectorTransport(loadConfig({ LOG_LEVEL: 'silent' })), slack) : slack,
    renderer: createAlertRenderer({ db: store.db, clock: fixedClock(options.now), calendar: loadCalendar() }),
    otherTargets: slackTargets(store.db),
    ...(options.personal ? { channelsFor: personalChannels(store.db), conversationTarget: slackTargetOf } : {}),
    ...(options.pacing ? { conversationWindowsFor: slackPacing } : {}),
    pollMs: 50,
  });
}

/** The worker's own loop on virtual time until every outbox row is settled, then stopped. */
export function deliverUntilSettled(store: Store, vt: VirtualTime, worker: DeliveryWorker): Promise<void> {
  return vt.run(async () => {
    worker.start();
    await settled(store.db, vt);
    await worker.stop();
  });
}

/** Runs a test on virtual time at `now` with the fake Slack API on that time, closed afterwards. */
export async function withFakeSlack(now: string, test: (vt: VirtualTime, fake: FakeSlack) => Promise<void>): Promise<void> {
  const vt = new VirtualTime(now);
  const fake = await startFakeSlack({}, { now: () => vt.ms() });
  try {
    await test(vt, fake);
  } finally {
    await fake.close();
  }
}

/** As withFakeSlack, with the fake Bot Connector too and the LA manager's live Teams chat on it. */
export function withTeamsAndSlack(store: Store, now: string, test: (vt: VirtualTime, fake: FakeSlack, connector: Awaited<ReturnType<typeof startFakeConnector>>) => Promise<void>): Promise<void> {
  return withFakeSlack(now, async (vt, fake) => {
    const connector = await startFakeConnector({ now: () => vt.ms() });
    try {
      await insertTeamsChat(store, connector.serviceUrl, now);
      await test(vt, fake, connector);
    } finally {
      await connector.close();
    }
  });
}

/** A live Teams personal chat for the LA manager ('conv-manager') on the fake connector. */
async function insertTeamsChat(store: Store, serviceUrl: string, now: string): Promise<void> {
  await store.db
    .insertInto('conversation_ref')
    .values({
      conversation_id: 'conv-manager',
      conversation_type: 'personal',
      tenant_id: 'tenant-1',
      aad_object_id: TEST_USERS.manager.aadObjectId,
      team_id: null,
      channel_id: null,
      service_url: serviceUrl,
      reference_json: JSON.stringify({ channelId: 'msteams', serviceUrl, bot: { id: '28:bot' }, user: { id: TEST_USERS.manager.id }, conversation: { id: 'conv-manager', conversationType: 'personal' } }),
      updated_at: now,
      gone_at: null,
    })
    .execute();
}

/** An open cluster action on the looked-after pupil, owned by this user, due 20 Nov (overdue by 25 Nov). */
export async function insertOverdueAction(store: Store, county: { districtIds: Record<string, number>; pupils: Record<string, number> }, ownerId: number, now: string): Promise<void> {
  const meeting = await store.db.insertInto('cluster_meeting').values({ district_id: county.districtIds.Boston, meeting_date: '2026-11-04', created_at: now, created_by: null }).returning('id').executeTakeFirstOrThrow();
  await store.db
    .insertInto('cluster_action')
    .values({ school_urn: FIXTURE_SCHOOLS.bostonSecondary.urn, meeting_id: meeting.id, status: 'open', created_by: ownerId, created_at: now, closed_at: null, closed_by: null, overdue_notified_at: null, pupil_id: county.pupils.lookedAfter, description: 'Home visit', owner_id: ownerId, due_date: '2026-11-20' })
    .execute();
}
