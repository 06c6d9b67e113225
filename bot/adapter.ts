import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  CallerIdConstants,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { AppConfig } from '../services/config';
import { isAuthEnabled } from '../services/config';
import { describeError, type Logger } from '../services/logger';

/**
 * The Bot Framework edge. With MicrosoftAppId set, every request must carry a valid Bot Framework
 * token (401 otherwise); with it empty, authentication is off, which is only for local tools.
 *
 * We authenticate ourselves (the SDK's validator, called directly) instead of letting
 * CloudAdapter.process do it, because process() prints each failure's stack to the console and
 * writes the upstream error text into the HTTP body. Here a refusal is a status and a reason.
 */

/** Where the Bot Framework's OpenID metadata lives. Only tests point it elsewhere (a local key server). */
export interface AdapterOptions {
  openIdMetadataUrl?: string;
}

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
// The SDK's own types, named through botbuilder (botframework-connector is not a direct dependency).
type ConnectorFactory = NonNullable<AuthenticateRequestResult['connectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type ClaimsIdentity = AuthenticateRequestResult['claimsIdentity'];
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;
/** AuthenticationConstants.AudienceClaim and AppIdClaim in botframework-connector 4.23. */
const AUDIENCE_CLAIM = 'aud';
const APP_ID_CLAIM = 'appid';

/** Bot Framework public-cloud values (botframework-connector AuthenticationConstants, 4.23.3). */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
};

export type AuthOutcome =
  | { ok: true; result: AuthenticateRequestResult }
  | { ok: false; status: 401 | 503; reason: RefusalReason };

export type RefusalReason = 'missing_token' | 'malformed_token' | 'unexpected_algorithm' | 'rejected_token' | 'auth_unavailable';

/** The algorithms the SDK accepts (AuthenticationConstants.AllowedSigningAlgorithms). */
const ALLOWED_ALGORITHMS = new Set<string>(['RS256', 'RS384', 'RS512']);
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * A cheap look at the bearer token before anything is fetched: the scheme, the three JWT parts,
 * and a header naming an RSA algorithm and a key id. "alg: none", HS256 and garbage stop here,
 * so a forged token can never make the bot fetch signing keys.
 */
export function screenBearer(authHeader: string): { ok: true } | { ok: false; reason: RefusalReason } {
  if (authHeader.trim() === '') return { ok: false, reason: 'missing_token' };
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authHeader);
  if (!match || authHeader.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed_token' };
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_token' };
  }
  if (!isPlainObject(header) || !isPlainObject(payload)) return { ok: false, reason: 'malformed_token' };
  if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.has(header.alg)) return { ok: false, reason: 'unexpected_algorithm' };
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, reason: 'malformed_token' };
  return { ok: true };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The SDK's token validator prints to console.error on some failures (a stack for an expired
// token, the public key for a bad signature). Inside our authentication call those lines are
// dropped: the refusal is logged once, as one JSON line, by the server.
const quietAuth = new AsyncLocalStorage<boolean>();
let consoleFilterInstalled = false;
function installConsoleFilter(): void {
  if (consoleFilterInstalled) return;
  consoleFilterInstalled = true;
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (quietAuth.getStore()) return;
    original.apply(console, args);
  };
}

class EdgeAdapter extends TeamsAdapter {
  constructor(
    private readonly authEnabled: boolean,
    settings: Record<string, string>,
    credentials: ConfigurationServiceClientCredentialFactory,
  ) {
    super(settings, credentials);
    installConsoleFilter();
  }

  /** Validates the request's token with the SDK; never throws, never fetches for a malformed token. */
  async authenticate(activity: Activity, authHeader: string): Promise<AuthOutcome> {
    if (this.authEnabled) {
      const screened = screenBearer(authHeader);
      if (!screened.ok) return { ok: false, status: 401, reason: screened.reason };
    }
    try {
      const result = await quietAuth.run(true, () => this.botFrameworkAuthentication.authenticateRequest(activity, authHeader));
      return { ok: true, result };
    } catch (error) {
      return { ok: false, ...classifyAuthError(error) };
    }
  }

  /** Runs one authenticated turn; returns the invoke response (if any) for the HTTP answer. */
  async runAuthenticated(result: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    const inner = result.connectorFactory;
    if (!inner) return this.processActivity(result, activity, logic);
    const appId = appIdOf(result.claimsIdentity);
    const connectorFactory: ConnectorFactory = { create: (serviceUrl: string, audience?: string) => this.#clients.get(`${appId}|${audience ?? ''}|${serviceUrl}`, () => inner.create(serviceUrl, audience)) };
    return this.processActivity({ ...result, connectorFactory }, activity, logic);
  }

  /**
   * The SDK builds a new connector client and user token client (each with its own HTTP pipeline)
   * for every turn: about a tenth of a simple turn's CPU (bench/http-turns.ts). They hold no
   * per-turn state and their credentials cache tokens, so one per bot, audience and service URL
   * (service URLs are already limited to the allowed ones by the edge) serves every turn.
   */
  readonly #clients = new ClientCache<ConnectorClient>();
  readonly #tokenClients = new ClientCache<UserTokenClient>();

  installClientCaches(): void {
    const auth = this.botFrameworkAuthentication;
    const createUserTokenClient = auth.createUserTokenClient.bind(auth);
    auth.createUserTokenClient = (claimsIdentity) => this.#tokenClients.get(appIdOf(claimsIdentity), () => createUserTokenClient(claimsIdentity));
  }
}

/** The bot's app id as the SDK reads it from a turn's claims ('' with authentication off). */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue(AUDIENCE_CLAIM) ?? claimsIdentity.getClaimValue(APP_ID_CLAIM) ?? '';
}

/** Clients by key, created once; a failed creation is forgotten so the next turn tries again. */
class ClientCache<T> {
  static readonly MAX_ENTRIES = 64;
  readonly #entries = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= ClientCache.MAX_ENTRIES) this.#entries.clear();
      entry = create();
      this.#entries.set(key, entry);
      entry.catch(() => this.#entries.delete(key));
    }
    return entry;
  }
}

/**
 * A token the validator turned down is 401. Anything else (the metadata or key fetch failed, an
 * unexpected error) is 503: the bot cannot tell, and says nothing more either way.
 */
function classifyAuthError(error: unknown): { status: 401 | 503; reason: RefusalReason } {
  const e = error as { name?: string; statusCode?: number };
  // The SDK's AuthenticationError has no name of its own; its statusCode says 401 or 500 (fetch failed).
  if (e?.statusCode === 401) return { status: 401, reason: 'rejected_token' };
  if (e?.name === 'JsonWebTokenError' || e?.name === 'TokenExpiredError' || e?.name === 'NotBeforeError') return { status: 401, reason: 'rejected_token' };
  return { status: 503, reason: 'auth_unavailable' };
}

/** Turns ISO timestamps into Dates, as CloudAdapter.process does before a turn. */
export function activityFromBody(body: Record<string, unknown>): Activity {
  const activity = body as Record<string, unknown>;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    if (typeof activity[field] === 'string') {
      activity[raw] = activity[field];
      activity[field] = new Date(activity[field] as string);
    }
  }
  return activity as unknown as Activity;
}

export function createAdapter(config: AppConfig, logger: Logger, options: AdapterOptions = {}): EdgeAdapter {
  const settings: Record<string, string> = {
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  };
  if (options.openIdMetadataUrl) {
    // Setting one endpoint makes the SDK use ours for all of them (BotFrameworkAuthenticationFactory),
    // so the public-cloud values are repeated here and only the metadata URL differs.
    Object.assign(settings, {
      ...PUBLIC_CLOUD,
      ToBotFromChannelOpenIdMetadataUrl: options.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: options.openIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    });
  }
  const adapter = new EdgeAdapter(isAuthEnabled(config), settings, new ConfigurationServiceClientCredentialFactory(settings as never));
  adapter.installClientCaches();
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
