import type restify from 'restify';
import { authenticateApiSender } from '../../services/exclusions/exclusion-intake';
import { receiveReview } from '../../services/exclusions/exclusion-review';
import { describeError } from '../../services/logger';
import type { BotDeps } from '../bot-deps';

/**
 * `POST /api/exclusions/review`: the governors' decision and the independent review steps of one
 * exclusion (issue 9), with the same per-sender API keys as `POST /api/exclusions`. The service
 * does the work; this only maps HTTP to it.
 */
export function registerExclusionReviewApi(server: restify.Server, deps: BotDeps): void {
  server.post('/api/exclusions/review', async (req, res) => {
    try {
      const auth = req.header('authorization') ?? '';
      const key = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (req.header('x-api-key') ?? '').trim();
      const sender = await authenticateApiSender(deps.store.db, key || undefined);
      if (!sender) {
        res.status(401);
        res.json({ error: 'missing, unknown or revoked API key' });
        return;
      }
      if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
        res.status(415);
        res.json({ error: 'send one review as a JSON object with Content-Type: application/json' });
        return;
      }
      const { result } = await receiveReview(deps.store.db, deps.clock, sender, req.body);
      deps.logger.info('intake.review', { sender: sender.id, status: result.status });
      res.status(result.status);
      res.json(result.body);
    } catch (error) {
      deps.logger.error('intake.review_failed', describeError(error));
      res.status(500);
      res.json({ error: 'internal error; nothing was recorded' });
    }
  });
}
