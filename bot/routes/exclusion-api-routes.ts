import type restify from 'restify';
import { receiveExclusion } from '../../services/exclusions/exclusion-intake';
import { describeError } from '../../services/logger';
import type { BotDeps } from '../bot-deps';
import { acceptApiRequest } from './api-sender-request';

/**
 * `POST /api/exclusions` for the authority's notification form and school MIS systems. Auth is a
 * per-sender API key (`Authorization: Bearer iak_...` or `X-Api-Key`), separate from Bot Framework
 * auth. The service does the work; this only maps HTTP to it. The alert runner picks the pupil up
 * from the pending queue the intake fills.
 */
export function registerExclusionApi(server: restify.Server, deps: BotDeps): void {
  server.post('/api/exclusions', async (req, res) => {
    try {
      const sender = await acceptApiRequest(req, res, deps, 'exclusion report');
      if (!sender) return;
      const { result } = await receiveExclusion(deps.store.db, deps.clock, {
        sender,
        idempotencyKey: req.header('idempotency-key') || undefined,
        body: req.body,
      });
      deps.logger.info('intake.exclusion', { sender: sender.id, status: result.status });
      res.status(result.status);
      res.json(result.body);
    } catch (error) {
      deps.logger.error('intake.failed', describeError(error));
      res.status(500);
      res.json({ error: 'internal error; nothing was recorded, retry with the same Idempotency-Key' });
    }
  });
}
