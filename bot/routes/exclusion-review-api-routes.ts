import type restify from 'restify';
import { receiveReview } from '../../services/exclusions/exclusion-review';
import { describeError } from '../../services/logger';
import type { BotDeps } from '../bot-deps';
import { acceptApiRequest } from './api-sender-request';

/**
 * `POST /api/exclusions/review`: the governors' decision and the independent review steps of one
 * exclusion (issue 9), with the same per-sender API keys as `POST /api/exclusions`. The service
 * does the work; this only maps HTTP to it.
 */
export function registerExclusionReviewApi(server: restify.Server, deps: BotDeps): void {
  server.post('/api/exclusions/review', async (req, res) => {
    try {
      const sender = await acceptApiRequest(req, res, deps, 'review');
      if (!sender) return;
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
