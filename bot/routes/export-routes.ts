import { CardFactory } from 'botbuilder';
import type restify from 'restify';
import { clusterExportCard } from '../../cards/cluster-export-card';
import { viewFor } from '../../services/cluster/cluster-access';
import { createExportLinks, EXPORT_LINK_MINUTES, openExportLink } from '../../services/cluster/cluster-export';
import { COMMANDS } from '../../services/commands/command-catalogue';
import type { ClusterDeps } from '../../services/cluster/cluster-service-types';
import { loadCalendar } from '../../services/calendar/school-calendar';
import { describeError } from '../../services/logger';
import type { BotApp, BotDeps } from '../bot-deps';
import { getActor } from '../turn-actor';

/** `cluster <district> export`: registered before the other cluster commands, which would read "export" as part of the name. */
const EXPORT_COMMAND = COMMANDS.clusterExport.pattern;

function exportDeps(deps: BotDeps): ClusterDeps {
  return { db: deps.store.db, calendar: deps.calendar ?? loadCalendar(process.env.CALENDAR_FILE?.trim() || undefined), clock: deps.clock };
}

export function registerExportCommand(app: BotApp, deps: BotDeps): void {
  const svc = exportDeps(deps);
  app.message(EXPORT_COMMAND, async (context) => {
    const district = EXPORT_COMMAND.exec(context.activity.text ?? '')?.[1]?.trim() ?? '';
    if (!deps.publicUrl) {
      await context.sendActivity('Exports are not set up on this bot yet: an administrator needs to set PUBLIC_URL (the bot’s web address).');
      return;
    }
    const actor = getActor(context);
    const result = await createExportLinks(svc, actor, { district, view: viewFor(actor, false) });
    if (!result.ok) return void (await context.sendActivity(result.message));
    const url = (token: string) => `${deps.publicUrl}/exports/${token}`;
    const card = clusterExportCard({
      district: result.view.district,
      agendaUrl: url(result.view.tokens.agenda),
      minutesUrl: url(result.view.tokens.minutes),
      pupilsUrl: url(result.view.tokens.pupils),
      minutesValid: EXPORT_LINK_MINUTES,
      nameMode: result.view.nameMode,
    });
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  });
}

/** GET /exports/<token>: the file, once; 404 alike for unknown, expired and used links. */
export function registerExportDownloads(server: restify.Server, deps: BotDeps): void {
  const svc = exportDeps(deps);
  server.get('/exports/:token', async (req, res) => {
    // Never cached, never sent on as a referrer: the URL is the only key.
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    try {
      const file = await openExportLink(svc, String(req.params.token ?? ''));
      if (!file) {
        res.status(404);
        res.json({ error: 'This link has expired or was already used. Type the export command again for a new one.' });
        return;
      }
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.body.length,
        'content-disposition': `attachment; filename="${file.fileName}"`,
        'x-content-type-options': 'nosniff',
      });
      res.end(file.body);
    } catch (error) {
      deps.logger.error('export.failed', describeError(error));
      res.status(500);
      res.json({ error: 'internal error' });
    }
  });
}
