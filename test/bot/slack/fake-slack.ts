import { createServer, type Server } from 'node:http';

/** One request the bot made to Slack: a Web API method (`chat.postMessage`) or a response_url post. */
export interface SlackCall {
  method: string;
  url: string;
  body: Record<string, any>;
}

/**
 * A stand-in Slack Web API on 127.0.0.1 that records every call: auth.test, users.info (from the
 * emails given), chat.postMessage, and response_url posts at /response/<anything>.
 */
export async function startFakeSlack(emails: Record<string, string>, options: { now?: () => number; socketUrl?: string; onCall?: (call: SlackCall) => Promise<void> } = {}) {
  const calls: (SlackCall & { at: number; status: number })[] = [];
  /** Answers to give a method before its normal one (e.g. a 429 with Retry-After). */
  const scripts = new Map<string, { status: number; retryAfter?: string }[]>();
  const now = options.now ?? Date.now;
  const waiters: { match: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const url = req.url ?? '';
      const body = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw || '{}') : decodeForm(raw);
      const method = url.startsWith('/response/') ? 'response_url' : url.replace(/^\/api\//, '').replace(/\?.*$/, '');
      const scripted = scripts.get(method)?.shift();
      const call = { method, url, body, at: now(), status: scripted?.status ?? 200 };
      // A test's look at the world at the moment the bot calls Slack (before Slack answers).
      if (options.onCall) await options.onCall(call);
      calls.push(call);
      res.setHeader('content-type', 'application/json');
      if (scripted) {
        res.statusCode = scripted.status;
        if (scripted.retryAfter) res.setHeader('retry-after', scripted.retryAfter);
        res.end(JSON.stringify({ ok: false, error: scripted.status === 429 ? 'ratelimited' : 'fatal_error' }));
      } else if (method === 'conversations.open') res.end(JSON.stringify({ ok: true, channel: { id: `D${String(body.users)}` } }));
      else if (method === 'apps.connections.open' && options.socketUrl) res.end(JSON.stringify({ ok: true, url: options.socketUrl }));
      else if (method === 'auth.test') res.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001' }));
      else if (method === 'users.info') {
        const email = emails[String(body.user)];
        res.end(JSON.stringify(email ? { ok: true, user: { id: body.user, profile: { email } } } : { ok: false, error: 'user_not_found' }));
      } else res.end(JSON.stringify({ ok: true, ts: `${calls.length}.000` }));
      for (const w of waiters.splice(0)) {
        if (w.match(call)) w.resolve(call);
        else waiters.push(w);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id: string) => `${base}/response/${id}`,
    calls,
    script(method: string, answers: { status: number; retryAfter?: string }[]) {
      scripts.set(method, [...answers]);
    },
    /** Resolves with the first call (already made or still to come) that matches. */
    next(match: (c: SlackCall) => boolean): Promise<SlackCall> {
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function decodeForm(raw: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}
