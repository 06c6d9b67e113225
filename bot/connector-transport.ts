import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { AppConfig } from '../services/config';
import { isAuthEnabled } from '../services/config';
import type { DeliveryTarget, Transport, TransportResult } from '../services/alerts/delivery-worker';
import { checkServiceUrl, serviceUrlPolicyFor } from '../services/conversations/service-url-policy';

/**
 * Posts proactive messages straight to the Bot Connector REST API
 * (POST {serviceUrl}/v3/conversations/{id}/activities). The SDK's connector client retries 429
 * and 5xx by itself (up to 4 attempts, waiting inside the call), which would hide throttling from
 * the outbox's pacing; here every answer comes back at once and the delivery worker decides.
 * The token comes from the SDK's credential factory, so the app's configured auth is used.
 */

/** Bot Framework public-cloud values (botframework-connector AuthenticationConstants). */
const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com';
const LOGIN_PREFIX = 'https://login.microsoftonline.com/';

export interface ConnectorTransportOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createConnectorTransport(config: AppConfig, options: ConnectorTransportOptions = {}): Transport & { update(target: DeliveryTarget, activityId: string, activity: Record<string, unknown>): Promise<TransportResult> } {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const serviceUrls = serviceUrlPolicyFor(config);
  let credentials: Promise<{ getToken(force?: boolean): Promise<string> }> | undefined;
  const token = async (): Promise<string | undefined> => {
    if (!isAuthEnabled(config)) return undefined;
    credentials ??= (async () => {
      const settings = {
        MicrosoftAppId: config.MicrosoftAppId ?? '',
        MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
        MicrosoftAppType: config.MicrosoftAppType,
        MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
      };
      const factory = new ConfigurationServiceClientCredentialFactory(settings);
      const login =
        config.MicrosoftAppType === 'SingleTenant' && config.MicrosoftAppTenantId ? `${LOGIN_PREFIX}${config.MicrosoftAppTenantId}` : `${LOGIN_PREFIX}botframework.com`;
      const created = await factory.createCredentials(settings.MicrosoftAppId, BOT_CONNECTOR_SCOPE, login, true);
      return created as unknown as { getToken(force?: boolean): Promise<string> };
    })();
    return (await credentials).getToken();
  };

  async function call(method: 'POST' | 'PUT', target: DeliveryTarget, path: string, activity: Record<string, unknown>): Promise<TransportResult> {
    // A stored URL is checked again before every call (rows may predate the policy): never a token or a card to an unvetted host.
    const vetted = checkServiceUrl(target.serviceUrl, serviceUrls);
    if (!vetted.ok) return { ok: false, status: null, message: `service URL refused: ${vetted.reason}` };
    const reference = JSON.parse(target.referenceJson) as {
      bot?: unknown;
      user?: unknown;
      conversation?: Record<string, unknown>;
      channelId?: string;
    };
    const conversationId = postTarget(target);
    const body = {
      type: 'message',
      ...activity,
      channelId: reference.channelId ?? 'msteams',
      serviceUrl: target.serviceUrl,
      from: reference.bot,
      recipient: target.conversationType === 'personal' ? reference.user : undefined,
      conversation: { ...(reference.conversation ?? {}), id: conversationId },
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const bearer = await token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const url = `${target.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(conversationId)}/activities${path}`;
    let response: Response;
    try {
      response = await doFetch(url, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      return { ok: false, status: null, message: `connector unreachable: ${(error as Error).name}` };
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      let id: string | null = null;
      try {
        id = (JSON.parse(text) as { id?: string }).id ?? null;
      } catch {
        // Some answers have no body; the message was still accepted.
      }
      return { ok: true, status: response.status, activityId: id };
    }
    return { ok: false, status: response.status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), message: errorCode(response.status, text) };
  }

  return {
    send: (target, activity) => call('POST', target, '', activity),
    update: (target, activityId, activity) => call('PUT', target, `/${encodeURIComponent(activityId)}`, { ...activity, id: activityId }),
  };
}

/**
 * A channel reference taken from a message carries ";messageid=..." (the thread it came from);
 * posting there would reply in that thread. The channel itself starts a new post.
 */
function postTarget(target: Pick<DeliveryTarget, 'conversationId' | 'conversationType'>): string {
  return target.conversationType === 'channel' ? target.conversationId.split(';messageid=')[0]! : target.conversationId;
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Status and the connector's error code only: an error body can echo the message we sent. */
function errorCode(status: number, text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    if (code) return `HTTP ${status} ${String(code).slice(0, 60)}`;
  } catch {
    // not JSON
  }
  return `HTTP ${status}`;
}
