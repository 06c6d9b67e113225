import { createServer, type IncomingMessage, type Server } from 'node:http';
import { TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS, type Window } from '../../services/alerts/send-pacer';

/**
 * A fake Bot Connector on loopback: records every post and answers from a per-conversation script
 * (e.g. 429 with Retry-After, 500, 403), then 201 with a message id. `delivered` lists the messages
 * it accepted, which is what a Teams user would see. With `teamsLimits` it refuses (429) any post
 * over Teams' rate limits, so a pacing mistake shows up as a refused post.
 */

export interface FakeResponse {
  status: number;
  retryAfter?: string;
  body?: unknown;
  /** Wait before answering (a slow connector). */
  delayMs?: number;
}

export interface ReceivedPost {
  method: string;
  conversationId: string;
  activityId?: string;
  activity: any;
  status: number;
  at: number;
  authorization?: string;
}

export interface FakeConnector {
  serviceUrl: string;
  posts: ReceivedPost[];
  /** Accepted (2xx) posts only. */
  delivered(): ReceivedPost[];
  script(conversationId: string, responses: FakeResponse[]): void;
  /** Answer used when a conversation has no script left. */
  setDefault(response: FakeResponse): void;
  close(): Promise<void>;
}

export interface FakeConnectorOptions {
  /** Decides an answer before the script (e.g. a 429 when a rate limit is exceeded). */
  gate?: (conversationId: string, activity: any) => FakeResponse | undefined;
  /** Enforce Teams' documented limits (teamsLimitGate): anything over them gets 429, Retry-After 1. */
  teamsLimits?: boolean;
  /** The connector's clock (ms), e.g. a test's virtual time; arrival times are recorded with it. */
  now?: () => number;
}

/**
 * Teams' send limits as the service applies them (platform-facts.md section 2): per bot per
 * conversation 7/1 s, 8/2 s, 60/30 s, 1800/1 h; per app per tenant 50/s. Sliding windows over the
 * arrival times of accepted posts; a post over any of them is refused with 429 (Retry-After: 1).
 */
function teamsLimitGate(now: () => number = Date.now) {
  const seen = new Map<string, number[]>();
  const over = (key: string, windows: readonly Window[], t: number) => {
    const times = seen.get(key) ?? [];
    return windows.some((w) => times.filter((x) => x > t - w.ms).length >= w.limit);
  };
  const record = (key: string, t: number) => {
    const times = seen.get(key) ?? [];
    times.push(t);
    while (times.length && times[0]! <= t - 3_600_000) times.shift();
    seen.set(key, times);
  };
  return (conversationId: string, activity: any): FakeResponse | undefined => {
    const t = now();
    const tenant = `tenant:${activity?.conversation?.tenantId ?? '-'}`;
    const conversation = `conversation:${conversationId}`;
    if (over(tenant, TEAMS_TENANT_WINDOWS, t) || over(conversation, TEAMS_CONVERSATION_WINDOWS, t)) return { status: 429, retryAfter: '1' };
    record(tenant, t);
    record(conversation, t);
    return undefined;
  };
}

export async function startFakeConnector(options: FakeConnectorOptions = {}): Promise<FakeConnector> {
  const scripts = new Map<string, FakeResponse[]>();
  let fallback: FakeResponse = { status: 201 };
  const posts: ReceivedPost[] = [];
  let nextId = 1;
  const now = options.now ?? Date.now;
  const limits = options.teamsLimits ? teamsLimitGate(now) : undefined;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });

  const server: Server = createServer(async (req, res) => {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
    const text = await readBody(req);
    if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const conversationId = decodeURIComponent(match[1]!);
    let parsed: any = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    const queue = scripts.get(conversationId);
    const arrived = now();
    const response = (req.method === 'POST' ? limits?.(conversationId, parsed) : undefined) ?? options.gate?.(conversationId, parsed) ?? (queue && queue.length ? queue.shift()! : fallback);
    if (response.delayMs) await new Promise((r) => setTimeout(r, response.delayMs));
    const activity = parsed;
    const id = match[2] ? decodeURIComponent(match[2]) : `activity-${nextId++}`;
    posts.push({ method: req.method, conversationId, activityId: id, activity, status: response.status, at: arrived, authorization: req.headers.authorization });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (response.retryAfter !== undefined) headers['retry-after'] = response.retryAfter;
    const body = response.status < 300 ? { id } : (response.body ?? { error: { code: response.status === 429 ? 'Throttled' : 'Failed', message: 'fake' } });
    // Separate calls: restify, when loaded in the same process, patches writeHead to return nothing.
    res.writeHead(response.status, headers);
    res.end(JSON.stringify(body));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    posts,
    delivered: () => posts.filter((p) => p.status >= 200 && p.status < 300 && p.method === 'POST'),
    script: (conversationId, responses) => scripts.set(conversationId, [...responses]),
    setDefault: (response) => {
      fallback = response;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
