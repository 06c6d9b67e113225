// Loads restify without http-deceiver's DEP0111 warning; must stay before the restify import.
import './restify-quiet';
import restify from 'restify';
import type { AppConfig } from '../services/config';
import { isAuthEnabled, isSlackEnabled, listenHostFor, productionProblems } from '../services/config';
import { createRefusalLog, describeError, type RefusalLog } from '../services/logger';
import { checkServiceUrl, serviceUrlPolicyFor } from '../services/conversations/service-url-policy';
import { activityFromBody, createAdapter, type AdapterOptions } from './adapter';
import { createBotApp, runTurn } from './app';
import type { BotApp, BotDeps } from './bot-deps';
import { registerExclusionApi } from './routes/exclusion-api-routes';
import { registerExportDownloads } from './routes/export-routes';
import { registerExclusionReviewApi } from './routes/exclusion-review-api-routes';
import { registerPlacementApi } from './routes/placement-api-routes';
import { startSlackEdge, type SlackEdge, type SlackEdgeOptions } from './slack/slack-app';
import { ConcurrencyGate } from '../services/util/concurrency-gate';

export interface BotServer {
  server: restify.Server;
  app: BotApp;
  listen(port?: number, host?: string): Promise<{ port: number; host: string }>;
  /** Stops accepting requests, lets in-flight turns finish (up to graceMs), then resolves. */
  close(graceMs?: number): Promise<void>;
  inFlight(): number;
  /** Slack, when its settings are present (resolved before listen() serves anything). */
  slack?: Promise<SlackEdge>;
}

export interface BotServerOptions {
  /** Tests point token validation at a local key server. */
  adapter?: AdapterOptions;
  /** Where refusals are logged; by default rate-limited lines on deps.logger. */
  refusalLog?: RefusalLog;
  /** Tests inject the clock Slack signatures are judged by. */
  slack?: SlackEdgeOptions;
}

export function createBotServer(config: AppConfig, deps: BotDeps, options: BotServerOptions = {}): BotServer {
  // The same guard as bot/main.ts, so no code path can serve production without authentication.
  const problem = productionProblems(config)[0];
  if (problem) throw problem;
  const adapter = createAdapter(config, deps.logger, options.adapter);
  const refusals = options.refusalLog ?? createRefusalLog(deps.logger);
  const serviceUrls = serviceUrlPolicyFor(config);
  // Export links need the bot's own address; a local tool (auth off) can use localhost.
  deps = { ...deps, publicUrl: deps.publicUrl ?? config.PUBLIC_URL ?? (isAuthEnabled(config) ? undefined : `http://localhost:${config.PORT}`) };
  deps = { ...deps, safeguardingContact: deps.safeguardingContact ?? config.SAFEGUARDING_CONTACT };
  if (!deps.assistantModel && config.OPENAI_API_KEY) {
    deps = { ...deps, assistantModel: { apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS } };
  }
  // Heavy reads wait their turn rather than all holding their rows at once (bench/memory.ts).
  deps.heavyReads ??= new ConcurrencyGate(config.HEAVY_READS_AT_ONCE);
  const app = createBotApp(adapter, deps, config.MicrosoftAppId, {
    authenticated: isAuthEnabled(config),
    allowedTenants: config.ALLOWED_TENANTS,
    serviceUrls,
    refusals,
  });
  const server = restify.createServer({ name: 'inclusion-assistant', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));

  let inFlight = 0;
  let closing = false;
  const idleWaiters: Array<() => void> = [];

  server.post('/api/messages', async (req, res) => {
    if (closing) {
      res.status(503);
      res.json({ error: 'shutting down' });
      return;
    }
    const body = req.body as unknown;
    if (!isActivityShaped(body)) {
      res.status(400);
      res.json({ error: 'the request body must be a Bot Framework activity: a JSON object with a string "type"' });
      return;
    }
    inFlight++;
    try {
      const activity = activityFromBody(body as Record<string, unknown>);
      const auth = await adapter.authenticate(activity, req.header('authorization') ?? '');
      if (!auth.ok) {
        refusals.refuse(auth.reason, { ip: req.socket?.remoteAddress ?? null, path: req.path() });
        res.status(auth.status);
        res.json({ error: auth.status === 401 ? 'unauthorized' : 'authentication is unavailable, try again later' });
        return;
      }
      // Replies, roster look-ups and later alerts all go to this URL: vet it before the turn runs.
      const serviceUrl = checkServiceUrl(activity.serviceUrl, serviceUrls);
      if (!serviceUrl.ok) {
        refusals.refuse('service_url_not_allowed', { ip: req.socket?.remoteAddress ?? null, path: req.path(), why: serviceUrl.reason });
        res.status(400);
        res.json({ error: 'the activity\'s serviceUrl is not an allowed Bot Connector address' });
        return;
      }
      const invokeResponse = await adapter.runAuthenticated(auth.result, activity, (context) => runTurn(app, context));
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.send(invokeResponse.body);
      res.end();
    } catch (error) {
      deps.logger.error('messages.failed', describeError(error));
      if (!res.headersSent) {
        res.status(500);
        res.json({ error: 'internal error' });
      }
    } finally {
      inFlight--;
      if (inFlight === 0) idleWaiters.splice(0).forEach((wake) => wake());
    }
  });

  registerExclusionApi(server, deps);
  registerExportDownloads(server, deps);
  registerExclusionReviewApi(server, deps);
  registerPlacementApi(server, deps);
  // Slack's SDK is loaded only when Slack is configured (bot/slack/slack-app.ts imports it lazily).
  const slack = isSlackEnabled(config) ? startSlackEdge(server, config, deps, refusals, options.slack) : undefined;
  // Reported by listen(); without this a failed start would be an unhandled rejection meanwhile.
  slack?.catch(() => undefined);

  server.get('/healthz', async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: 'ok', store: { engine: deps.store.engine, status: 'ok' }, auth: isAuthEnabled(config) ? 'on' : 'off' });
    } catch {
      res.status(503);
      res.json({ status: 'unavailable', store: { engine: deps.store.engine, status: 'unreachable' } });
    }
  });

  return {
    server,
    app,
    slack,
    inFlight: () => inFlight,
    async listen(port = config.PORT, requestedHost = config.HOST) {
      if (slack) await slack;
      const { host, forcedFrom } = listenHostFor(config, requestedHost);
      if (forcedFrom !== undefined) {
        deps.logger.warn('server.loopback_only', {
          message: `MicrosoftAppId is empty, so authentication is OFF: listening on ${host} only, not on ${forcedFrom} (HOST). Set MicrosoftAppId to serve other machines.`,
        });
      }
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port, host });
        });
      });
    },
    async close(graceMs = config.SHUTDOWN_GRACE_MS) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      // Slack's Socket Mode connection, if any, closes with the server.
      await (await slack?.catch(() => undefined))?.stop();
      // Keep-alive sockets would hold server.close() open; the in-flight turns are done by now.
      (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await stopped;
    },
  };
}

function isActivityShaped(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
