import { ConfigurationServiceClientCredentialFactory, type TurnContext } from 'botbuilder';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { AppConfig } from '../services/config';
import { describeError, type Logger } from '../services/logger';
import { randomUUID } from 'node:crypto';

/**
 * The Bot Framework edge. With MicrosoftAppId set, every request must carry a valid Bot Framework
 * token (401 otherwise); with it empty, authentication is off, which is only for local tools.
 */
export function createAdapter(config: AppConfig, logger: Logger): TeamsAdapter {
  const settings = {
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  };
  const adapter = new TeamsAdapter(settings, new ConfigurationServiceClientCredentialFactory(settings));
  adapter.onTurnError = async (context: TurnContext, error: unknown) => {
    // A short reference lets support find the log line without the user pasting any data.
    const reference = randomUUID().slice(0, 8);
    logger.error('turn.failed', { reference, activity: context.activity?.type, ...describeError(error) });
    try {
      await context.sendActivity(
        `Sorry, something went wrong on my side. Please try again; if it keeps happening, tell your administrator (reference ${reference}).`,
      );
    } catch {
      // The connector may be the thing that failed; the log line above is what remains.
    }
  };
  return adapter;
}
