import { DEFAULT_SERVICE_URL_HOSTS, isProduction, type AppConfig } from '../config';

/**
 * Which Bot Connector service URLs the bot stores and calls. An activity's serviceUrl is where
 * replies and every later proactive message go, with the bot's token attached: a URL we did not
 * vet could send pupil data (and the token) anywhere, or reach internal addresses such as a cloud
 * metadata endpoint. Only https on the Bot Framework and Teams hosts passes; loopback only for
 * local tools (the Agents Playground's http://localhost:<port>/_connector), never in production.
 */
export interface ServiceUrlPolicy {
  /** Host names; each matches itself and its subdomains. */
  allowedHosts: readonly string[];
  allowLoopback: boolean;
}

export type ServiceUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function serviceUrlPolicyFor(config: Pick<AppConfig, 'NODE_ENV' | 'ALLOWED_SERVICE_URL_HOSTS'>): ServiceUrlPolicy {
  return {
    allowedHosts: config.ALLOWED_SERVICE_URL_HOSTS ?? DEFAULT_SERVICE_URL_HOSTS,
    allowLoopback: !isProduction(config),
  };
}

export function checkServiceUrl(raw: unknown, policy: ServiceUrlPolicy): ServiceUrlCheck {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, reason: 'no service URL' };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL' };
  const host = url.hostname.toLowerCase();
  if (LOOPBACK.has(host)) {
    if (!policy.allowLoopback) return { ok: false, reason: 'loopback is for local tools only' };
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol} is not allowed` };
    return { ok: true, url: raw.trim() };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol} is not allowed` };
  if (url.port !== '' && url.port !== '443') return { ok: false, reason: 'only the default https port is allowed' };
  const allowed = policy.allowedHosts.some((entry) => host === entry || host.endsWith(`.${entry}`));
  if (!allowed) return { ok: false, reason: 'host is not a Bot Framework or Teams host' };
  // The caller keeps its own spelling: the token's serviceUrl claim is compared with it verbatim.
  return { ok: true, url: raw.trim() };
}
