import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type restify from 'restify';
import type { Logger, RefusalLog } from '../../services/logger';
import { describeError } from '../../services/logger';

/** The Events API, interactivity and slash commands all arrive here (Bolt's default path). */
const SLACK_EVENTS_PATH = '/slack/events';

export interface RestifyReceiverOptions {
  signingSecret: string;
  /** Bolt's own signature check (verify-request), passed in so this module never loads Bolt itself. */
  isValidSlackRequest: (options: { signingSecret: string; body: string; headers: { 'x-slack-signature': string; 'x-slack-request-timestamp': number }; nowMilliseconds?: number }) => boolean;
  logger: Logger;
  refusals: RefusalLog;
  /** The clock the 5-minute freshness rule is judged by; tests inject theirs. */
  nowMs?: () => number;
  /** If a handler never acknowledges, Slack has given up by 3 s: answer before that. */
  ackTimeoutMs?: number;
}

/**
 * A Bolt Receiver served from our restify server, so Slack shares the bot's port, shutdown and
 * body limit. Every request's signature is checked with Bolt's helper before anything is parsed
 * or run; a missing, wrong or older-than-5-minutes one gets 401 and no processing.
 */
export class RestifyReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly server: restify.Server,
    private readonly options: RestifyReceiverOptions,
  ) {}

  init(app: App): void {
    this.app = app;
    this.server.post(SLACK_EVENTS_PATH, async (req: restify.Request, res: restify.Response) => this.handle(req, res));
  }

  // The restify server's own listen/close start and stop it; Bolt's start/stop have nothing to do.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private async handle(req: restify.Request, res: restify.Response): Promise<void> {
    const raw = rawBodyOf(req);
    const signature = req.header('x-slack-signature') ?? '';
    const timestamp = Number(req.header('x-slack-request-timestamp') ?? '');
    const valid =
      raw !== undefined &&
      signature !== '' &&
      Number.isFinite(timestamp) &&
      this.options.isValidSlackRequest({
        signingSecret: this.options.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: this.options.nowMs?.(),
      });
    if (!valid) {
      this.options.refusals.refuse('slack_signature_invalid', { ip: req.socket?.remoteAddress ?? null, path: SLACK_EVENTS_PATH });
      res.status(401);
      res.json({ error: 'unauthorized' });
      return;
    }
    const body = parseSlackBody(raw, req.header('content-type') ?? '');
    if (!body) {
      res.status(400);
      res.json({ error: 'the request body must be JSON or a form with a payload' });
      return;
    }
    // Slack checks a new Events URL with a challenge to echo back.
    if (body.type === 'url_verification' && typeof body.challenge === 'string') {
      res.json({ challenge: body.challenge });
      return;
    }
    if (body.ssl_check) {
      res.end();
      return;
    }
    let acked = false;
    const answer = (response?: unknown) => {
      if (acked || res.headersSent) return;
      acked = true;
      res.status(200);
      if (response === undefined || response === '') res.end();
      else if (typeof response === 'string') res.send(response);
      else res.json(response as object);
    };
    const timer = setTimeout(() => {
      this.options.logger.warn('slack.ack_timeout', { type: String(body.type ?? body.command ?? 'unknown') });
      answer();
    }, this.options.ackTimeoutMs ?? 2500);
    timer.unref();
    const retryNum = req.header('x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        clearTimeout(timer);
        answer(response);
      },
      ...(retryNum ? { retryNum: Number(retryNum), retryReason: req.header('x-slack-retry-reason') ?? undefined } : {}),
    };
    try {
      await this.app!.processEvent(event);
    } catch (error) {
      this.options.logger.error('slack.process_failed', describeError(error));
      clearTimeout(timer);
      if (!acked) {
        acked = true;
        res.status(500);
        res.json({ error: 'internal error' });
      }
    }
  }
}

function rawBodyOf(req: restify.Request): string | undefined {
  const raw = (req as unknown as { rawBody?: unknown }).rawBody ?? req.body;
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  // An empty POST has no body at all: the signature is then over the empty string.
  return raw === undefined ? '' : undefined;
}

/** Slash commands are forms; buttons are a form with a JSON `payload`; events are JSON. */
function parseSlackBody(raw: string, contentType: string): Record<string, any> | undefined {
  try {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      if (typeof form.payload === 'string') {
        const payload = JSON.parse(form.payload) as unknown;
        return isObject(payload) ? payload : undefined;
      }
      return form;
    }
    const json = JSON.parse(raw) as unknown;
    return isObject(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
