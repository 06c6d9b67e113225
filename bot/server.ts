import restify from 'restify';
import type { AppConfig } from '../services/config';
import { isAuthEnabled } from '../services/config';
import { describeError } from '../services/logger';
import { createAdapter } from './adapter';
import { createBotApp, runTurn } from './app';
import type { BotApp, BotDeps } from './bot-deps';
import { registerExclusionApi } from './routes/exclusion-api-routes';
import { registerExclusionReviewApi } from './routes/exclusion-review-api-routes';

export interface BotServer {
  server: restify.Server;
  app: BotApp;
  listen(port?: number, host?: string): Promise<{ port: number }>;
  /** Stops accepting requests, lets in-flight turns finish (up to graceMs), then resolves. */
  close(graceMs?: number): Promise<void>;
  inFlight(): number;
}

export function createBotServer(config: AppConfig, deps: BotDeps): BotServer {
  const adapter = createAdapter(config, deps.logger);
  const app = createBotApp(adapter, deps, config.MicrosoftAppId);
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
      await adapter.process(req, res as any, (context) => runTurn(app, context));
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
  registerExclusionReviewApi(server, deps);

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
    inFlight: () => inFlight,
    listen(port = config.PORT, host = config.HOST) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port });
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
      // Keep-alive sockets would hold server.close() open; the in-flight turns are done by now.
      (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await stopped;
    },
  };
}

function isActivityShaped(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
