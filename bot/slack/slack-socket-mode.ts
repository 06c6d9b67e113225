import type { Receiver } from '@slack/bolt';
import type { AppConfig } from '../../services/config';

type Bolt = typeof import('@slack/bolt');
type BoltLogger = NonNullable<ConstructorParameters<Bolt['App']>[0]>['logger'];

/**
 * Socket Mode (SLACK_APP_TOKEN set): Slack sends events, slash commands and button presses over a
 * WebSocket the bot opens (apps.connections.open with the app-level token), so the bot needs no
 * public HTTPS address for Slack. Bolt's own SocketModeReceiver does it; the same App handlers run
 * as over HTTP. Slack authenticates the socket with the app token, so there is no request
 * signature to check. The Web API base (SLACK_API_URL) applies to apps.connections.open too, so a
 * test or a proxy can stand in for Slack.
 */
export function socketModeReceiver(bolt: Bolt, config: AppConfig, logger: BoltLogger): Receiver {
  return new bolt.SocketModeReceiver({
    appToken: config.SLACK_APP_TOKEN!,
    // The socket client's debug lines carry whole envelopes (what people typed, which may name a
    // child): never logged, whatever LOG_LEVEL says. Its info, warnings and errors are kept.
    logger: logger ? ({ ...logger, debug: () => undefined } as BoltLogger) : undefined,
    // Only its clientOptions are read here (no OAuth: the app is installed in one workspace).
    installerOptions: { clientOptions: config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {} },
  });
}

/** Which way Slack reaches the bot: the log line and README name it. */
export function slackMode(config: Pick<AppConfig, 'SLACK_APP_TOKEN'>): 'socket' | 'http' {
  return config.SLACK_APP_TOKEN ? 'socket' : 'http';
}
