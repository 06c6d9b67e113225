import type restify from 'restify';
import { describeError } from '../../services/logger';
import { receivePlacement } from '../../services/places/placement-intake';
import type { BotDeps } from '../bot-deps';
import { acceptApiRequest } from './api-sender-request';

/**
 * `POST /api/ap-placements`: a pupil's place at an alternative provision hub (issue 12), with the
 * same per-sender API keys and scope rules as `POST /api/exclusions`. The service does the work;
 * this only maps HTTP to it.
 */
export function registerPlacementApi(server: restify.Server, deps: BotDeps): void {
  server.post('/api/ap-placements', async (req, res) => {
    try {
      const sender = await acceptApiRequest(req, res, deps, 'placement');
      if (!sender) return;
      const { result } = await receivePlacement(deps.store.db, deps.clock, sender, req.body);
      deps.logger.info('intake.placement', { sender: sender.id, status: result.status });
      res.status(result.status);
      res.json(result.body);
    } catch (error) {
      deps.logger.error('intake.placement_failed', describeError(error));
      res.status(500);
      res.json({ error: 'internal error; nothing was recorded' });
    }
  });
}
