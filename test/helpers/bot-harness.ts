import { createBotServer, type BotServer, type BotServerOptions } from '../../bot/server';
import { fixedClock, type Clock } from '../../services/clock';
import { loadConfig } from '../../services/config';
import { silentLogger, type Logger } from '../../services/logger';
import type { Role } from '../../services/store/database';
import { openStore, type Store } from '../../services/store/open-store';
import type { ConcurrencyGate } from '../../services/util/concurrency-gate';
import { TEST_USERS, type TestUser } from './activities';

export interface StaffSeed {
  user: TestUser;
  role: Role;
  scope: string;
  email?: string;
}

export const DEFAULT_STAFF: StaffSeed[] = [
  { user: TEST_USERS.manager, role: 'la_manager', scope: 'county' },
  { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' },
  { user: TEST_USERS.schoolLeader, role: 'school_leader', scope: 'school:100001' },
  { user: TEST_USERS.clusterMember, role: 'cluster_member', scope: 'district:Lincoln' },
  { user: TEST_USERS.admin, role: 'admin', scope: 'county' },
];

export async function insertStaff(store: Store, staff: StaffSeed[] = DEFAULT_STAFF): Promise<void> {
  for (const s of staff) {
    await store.db
      .insertInto('staff_user')
      .values({
        aad_object_id: s.user.aadObjectId,
        email: s.email ?? `${s.user.id.replace(/\W/g, '')}@school.example`,
        name: s.user.name,
        role: s.role,
        scope: s.scope,
        created_at: '2026-09-01T00:00:00.000Z',
      })
      .execute();
  }
}

export interface RunningBot {
  url: string;
  store: Store;
  bot: BotServer;
  /** POSTs an activity; returns the HTTP status and parsed body (if any). */
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** POSTs with expectReplies and returns the message activities the bot answered with. */
  say(activity: unknown): Promise<any[]>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  store?: Store;
  staff?: StaffSeed[];
  clock?: Clock;
  logger?: Logger;
  /** e.g. a local key server for token validation, or a captured refusal log. */
  server?: BotServerOptions;
  /**
   * How long an unknown user's email look-up waits for Teams' roster. Default 0: the activities'
   * serviceUrl (127.0.0.1:1) has no roster and the connector client keeps retrying it, so the
   * look-up is given up at once (it finds nothing either way). Tests with a fake roster pass more.
   */
  rosterTimeoutMs?: number;
  /** The gate heavy reads pass through (a test's own, to watch it). */
  heavyReads?: ConcurrencyGate;
}

/** Starts the real server on a free loopback port over an in-memory store (unless one is given). */
export async function startBot(options: StartOptions = {}): Promise<RunningBot> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...options.env });
  const store = options.store ?? (await openStore({ engine: 'sqlite', target: ':memory:' }));
  if (!options.store) await insertStaff(store, options.staff);
  const bot = createBotServer(config, {
    store,
    clock: options.clock ?? fixedClock('2026-11-25T10:00:00Z'),
    logger: options.logger ?? silentLogger,
    rosterTimeoutMs: options.rosterTimeoutMs ?? 0,
    heavyReads: options.heavyReads,
  }, options.server);
  const { port } = await bot.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const post = async (activity: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof activity === 'string' ? activity : JSON.stringify(activity),
    });
    const raw = await response.text();
    let body: any = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    return { status: response.status, body };
  };
  return {
    url,
    store,
    bot,
    post,
    async say(activity) {
      const { status, body } = await post(activity);
      if (status !== 200) throw new Error(`bot answered HTTP ${status}: ${JSON.stringify(body)}`);
      return (body?.activities ?? []).filter((a: { type: string }) => a.type === 'message');
    },
    async close() {
      await bot.close(1000);
      if (!options.store) await store.close();
    },
  };
}

/** The first Adaptive Card in a list of reply activities. */
export function firstCard(replies: any[]): any {
  for (const reply of replies) {
    for (const attachment of reply.attachments ?? []) {
      if (attachment.contentType === 'application/vnd.microsoft.card.adaptive') return attachment.content;
    }
  }
  throw new Error(`no Adaptive Card in replies: ${JSON.stringify(replies.map((r) => r.text ?? r.type))}`);
}
