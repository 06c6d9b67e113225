import type { Kysely } from 'kysely';
import type { DeliveryTarget, Transport, TransportResult } from '../../services/alerts/delivery-worker';
import type { Window } from '../../services/alerts/send-pacer';
import type { Database } from '../../services/store/database';

/**
 * Proactive alerts to Slack, through the same outbox and delivery worker as Teams.
 *
 * Who gets them where: a staff user with a live Teams personal chat is reached in Teams; one with
 * none (never installed, or removed) but with a recorded slack_user_id is reached by Slack DM.
 *
 * A Slack target is a DeliveryTarget with serviceUrl `slack:`, so pacing keys on the user's DM
 * (about one message a second per channel, Slack's limit) and on the workspace. The calls are plain
 * HTTP to the Web API rather than Slack's SDK client, which retries 429s by itself inside the call
 * and would hide throttling from the worker; here a 429 comes back at once with its Retry-After.
 */

const SLACK_SERVICE_URL = 'slack:';

export function isSlackTarget(target: Pick<DeliveryTarget, 'serviceUrl'>): boolean {
  return target.serviceUrl === SLACK_SERVICE_URL;
}

/** The Slack user a Slack target is for (from its reference). */
function slackUserOf(target: DeliveryTarget): string {
  return (JSON.parse(target.referenceJson) as { user: { id: string } }).user.id;
}

/**
 * Slack's limit for posting: about one message a second per channel, short bursts allowed but not
 * counted on. Kept a little under, as the Teams windows are.
 */
const SLACK_DM_WINDOWS: readonly Window[] = [
  { limit: 1, ms: 1050 },
  { limit: 50, ms: 61_000 },
];

/** The pacing windows for a Slack DM target's conversation id; undefined for any other channel. */
export function slackPacing(conversationId: string): readonly Window[] | undefined {
  return conversationId.startsWith('slack:') ? SLACK_DM_WINDOWS : undefined;
}

/** The DM target for one Slack user. */
function slackTarget(slackUserId: string): DeliveryTarget {
  return {
    conversationId: `slack:${slackUserId}`,
    conversationType: 'personal',
    tenantId: 'slack',
    serviceUrl: SLACK_SERVICE_URL,
    referenceJson: JSON.stringify({ channelId: 'slack', user: { id: slackUserId } }),
  };
}

/**
 * The target for a conversation id a Slack message was sent to (`slack:<user>`), so a row bound
 * to that conversation (a case card's update) goes back to the same DM; undefined for any other id.
 */
export function slackTargetOf(conversationId: string): DeliveryTarget | undefined {
  const user = conversationId.startsWith('slack:') ? conversationId.slice('slack:'.length) : '';
  return /^[A-Z0-9]+$/.test(user) ? slackTarget(user) : undefined;
}

/** Slack DM targets for the given staff users who have a Slack id recorded. */
export function slackTargets(db: Kysely<Database>): (staffUserIds: readonly number[]) => Promise<Map<number, DeliveryTarget>> {
  return async (staffUserIds) => {
    const found = new Map<number, DeliveryTarget>();
    if (!staffUserIds.length) return found;
    const rows = await db.selectFrom('staff_user').select(['id', 'slack_user_id']).where('id', 'in', [...staffUserIds]).where('slack_user_id', 'is not', null).execute();
    for (const row of rows) found.set(row.id, slackTarget(row.slack_user_id!));
    return found;
  };
}

/** Slack errors meaning the DM cannot be reached (user gone, app removed, bot not allowed). */
const GONE_ERRORS = new Set(['user_not_found', 'account_inactive', 'channel_not_found', 'cannot_dm_bot', 'user_disabled', 'is_archived', 'not_in_channel']);
/** Slack's transient failures, retried with backoff. */
const RETRY_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export interface SlackTransportOptions {
  /** The Web API base, ending in a slash (SLACK_API_URL, default Slack's). */
  apiUrl?: string;
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createSlackTransport(options: SlackTransportOptions): Required<Transport> {
  const doFetch = options.fetch ?? fetch;
  const base = (options.apiUrl ?? 'https://slack.com/api/').replace(/\/?$/, '/');
  const timeoutMs = options.timeoutMs ?? 15_000;

  type Answer = { ok: true; body: Record<string, any>; status: number } | { ok: false; result: TransportResult & { ok: false } };

  async function call(method: string, body: Record<string, unknown>): Promise<Answer> {
    let response: Response;
    try {
      response = await doFetch(`${base}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { ok: false, result: { ok: false, status: null, message: `Slack unreachable: ${(error as Error).name}` } };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 429) return { ok: false, result: { ok: false, status: 429, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), message: `${method}: rate limited` } };
    if (!response.ok) return { ok: false, result: { ok: false, status: response.status, message: `${method}: HTTP ${response.status}` } };
    let parsed: Record<string, any>;
    try {
      parsed = JSON.parse(text) as Record<string, any>;
    } catch {
      return { ok: false, result: { ok: false, status: 502, message: `${method}: not JSON` } };
    }
    if (parsed.ok === true) return { ok: true, body: parsed, status: response.status };
    // Only Slack's error code: never anything the answer may echo of what we sent.
    const code = String(parsed.error ?? 'unknown_error').slice(0, 60);
    const status = code === 'ratelimited' ? 429 : GONE_ERRORS.has(code) ? 404 : RETRY_ERRORS.has(code) ? 503 : 400;
    return { ok: false, result: { ok: false, status, retryAfterMs: status === 429 ? retryAfterMs(response.headers.get('retry-after')) : undefined, message: `${method}: ${code}` } };
  }

  /** The DM channel with the target's user (conversations.open is idempotent). */
  async function openDm(target: DeliveryTarget): Promise<{ ok: true; channel: string } | { ok: false; result: TransportResult }> {
    const opened = await call('conversations.open', { users: slackUserOf(target) });
    if (!opened.ok) return opened;
    const channel = opened.body.channel?.id;
    return typeof channel === 'string' ? { ok: true, channel } : { ok: false, result: { ok: false, status: 502, message: 'conversations.open: no channel id' } };
  }

  function content(activity: Record<string, unknown>): { text: unknown; blocks: unknown } {
    return { text: activity.text, blocks: activity.blocks };
  }

  return {
    async send(target, activity) {
      const dm = await openDm(target);
      if (!dm.ok) return dm.result;
      const posted = await call('chat.postMessage', { channel: dm.channel, ...content(activity) });
      if (!posted.ok) return posted.result;
      // The message id is the channel and timestamp, which chat.update needs to replace it.
      return { ok: true, status: posted.status, activityId: `${dm.channel}/${String(posted.body.ts)}` };
    },
    async update(_target, activityId, activity) {
      const [channel, ts] = activityId.split('/');
      if (!channel || !ts) return { ok: false, status: 400, message: 'chat.update: not a Slack message id' };
      const updated = await call('chat.update', { channel, ts, ...content(activity) });
      if (!updated.ok) return updated.result;
      return { ok: true, status: updated.status, activityId };
    },
  };
}

/** Sends each target through its own channel's transport. */
export function routeByChannel(teams: Transport, slack: Required<Transport>): Transport {
  return {
    send: (target, activity) => (isSlackTarget(target) ? slack.send(target, activity) : teams.send(target, activity)),
    update: (target, activityId, activity) =>
      isSlackTarget(target) ? slack.update(target, activityId, activity) : teams.update ? teams.update(target, activityId, activity) : Promise.resolve({ ok: false, status: null, message: 'this transport cannot update a message' }),
  };
}

/** Retry-After in seconds (Slack sends seconds). */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * 1000)) : undefined;
}
