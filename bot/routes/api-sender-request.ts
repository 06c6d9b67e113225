import type restify from 'restify';
import { authenticateApiSender } from '../../services/exclusions/exclusion-intake';
import type { BotDeps } from '../bot-deps';

type ApiSender = NonNullable<Awaited<ReturnType<typeof authenticateApiSender>>>;

/**
 * The checks every intake endpoint makes before its service runs: a per-sender API key
 * (`Authorization: Bearer iak_...` or `X-Api-Key`), then one JSON object. Answers 401 or 415 itself
 * and returns undefined; otherwise returns the sender.
 */
export async function acceptApiRequest(req: restify.Request, res: restify.Response, deps: BotDeps, what: string): Promise<ApiSender | undefined> {
  const auth = req.header('authorization') ?? '';
  const key = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (req.header('x-api-key') ?? '').trim();
  const sender = await authenticateApiSender(deps.store.db, key || undefined);
  if (!sender) {
    res.status(401);
    res.json({ error: 'missing, unknown or revoked API key' });
    return undefined;
  }
  if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    res.status(415);
    res.json({ error: `send one ${what} as a JSON object with Content-Type: application/json` });
    return undefined;
  }
  return sender;
}
