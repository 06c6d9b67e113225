import { z } from 'zod';
import { resolveAttendanceSettings } from './attendance/attendance-rules';
import { parseDatabaseUrl } from './store/engine';

/**
 * Every setting the bot reads, validated once at start. `.env.example` documents each one; a bad
 * value stops the process with one line naming the variable.
 */
export const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A comma-separated list: trimmed, lower-case, empty items dropped; unset or empty means "not set". */
const commaList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((v) => [...new Set(v.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== ''))])
    .refine((items) => items.length > 0, 'must list at least one value, separated by commas')
    .optional(),
);

/**
 * Hosts the bot may send replies and proactive messages to (Bot Connector service URLs). Each
 * entry matches that host or any subdomain of it. trafficmanager.net is deliberately NOT a
 * suffix: anyone can create <name>.trafficmanager.net, so only Teams' smba host is listed.
 */
export const DEFAULT_SERVICE_URL_HOSTS: readonly string[] = [
  'smba.trafficmanager.net',
  'botframework.com',
  'botframework.azure.us',
  'teams.microsoft.com',
  'teams.microsoft.us',
];

export const configSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.string().optional()),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3978)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  MicrosoftAppId: z.preprocess(emptyToUndefined, z.string().optional()),
  MicrosoftAppPassword: z.preprocess(emptyToUndefined, z.string().optional()),
  MicrosoftAppType: z.preprocess(emptyToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant')),
  MicrosoftAppTenantId: z.preprocess(emptyToUndefined, z.string().optional()),
  ALLOWED_TENANTS: commaList,
  ALLOWED_SERVICE_URL_HOSTS: commaList.refine(
    (hosts) => !hosts || hosts.every((h) => /^[a-z0-9.-]+$/.test(h) && !h.startsWith('.') && h.includes('.')),
    'must be host names such as smba.trafficmanager.net, separated by commas (no scheme, port or path)',
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        try {
          parseDatabaseUrl(value);
        } catch (error) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
        }
      }),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
  CLOCK_NOW: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or date-time, e.g. 2026-11-25 or 2026-11-25T09:00:00Z')
      .optional(),
  ),
  CALENDAR_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  LADDER_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  ALERT_SCHEDULE_AT: z.preprocess(emptyToUndefined, z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, Europe/London), e.g. 07:00').default('07:00')),
  ALERT_DELIVERY: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  ALERT_CARDS_PER_DAY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).default(5)),
  // Attendance alert rules (issue 12): JSON overrides per rule, checked at start so a bad one names its field.
  ATTENDANCE_ALERTS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .superRefine((text, ctx) => {
        try {
          resolveAttendanceSettings(text ?? '');
        } catch (error) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
        }
      }),
  ),
  CLUSTER_AGENDA_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).default(30)),
  // One at a time by default: with one read worker a second mostly queued there anyway, while its rows
  // and card were held in memory meanwhile (bench/memory.ts: peak under load 1.13-1.18 of the echo bot with 2, 1.01 with 1).
  HEAVY_READS_AT_ONCE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(64).default(1)),
  // At most this many SQLite read worker threads, started only as reads overlap; 0 reads on the main thread.
  SQLITE_READ_WORKERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(8).default(1)),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url('must be the bot\'s public web address, e.g. https://bot.example.gov.uk')
      .refine((v) => /^https?:\/\//i.test(v), 'must start with https:// (or http:// for local tools)')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  SHUTDOWN_GRACE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(120000).default(10000)),
  OVERDUE_REMINDER_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1440).default(15)),
  ALERT_SCHEDULE_TICK_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(300).default(5)),
  IDENTITY_CACHE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(3600).default(30)),
  IDENTITY_CACHE_USERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1_000_000).default(5000)),
  SAFEGUARDING_CONTACT: z.preprocess(emptyToUndefined, z.string().trim().min(5).max(300).optional()),
  OPENAI_API_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  OPENAI_BASE_URL: z.preprocess(emptyToUndefined, z.string().url('must be the endpoint\'s base URL, e.g. https://api.openai.com/v1').optional()),
  OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
  OPENAI_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(10000).default(8000)),
  // Slack (issue 11): off unless SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are both set.
  SLACK_SIGNING_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be the Signing Secret from the Slack app\'s Basic Information page').optional()),
  SLACK_BOT_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^xoxb-/, 'must be a bot token starting xoxb-').optional()),
  SLACK_APP_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^xapp-/, 'must be an app-level token starting xapp-').optional()),
  SLACK_API_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url('must be the Slack Web API base, e.g. https://slack.com/api/')
      .refine((v) => /^https?:\/\//i.test(v), 'must start with https://')
      .transform((v) => (v.endsWith('/') ? v : `${v}/`))
      .optional(),
  ),
});

export type AppConfig = z.infer<typeof configSchema>;

/** What each setting is when the environment leaves it unset. */
export const CONFIG_DEFAULTS: AppConfig = configSchema.parse({});

/** Every variable the bot reads, for documentation checks. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(configSchema.shape);

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // Never echo the value: it may be a secret.
    throw new ConfigError(variable, `is invalid: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.MicrosoftAppId && !config.MicrosoftAppPassword && config.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('MicrosoftAppPassword', 'is required when MicrosoftAppId is set');
  }
  if (config.MicrosoftAppType === 'SingleTenant' && config.MicrosoftAppId && !config.MicrosoftAppTenantId) {
    throw new ConfigError('MicrosoftAppTenantId', 'is required when MicrosoftAppType is SingleTenant');
  }
  // Half a Slack setup would start an app that cannot verify requests or cannot answer them.
  if (Boolean(config.SLACK_SIGNING_SECRET) !== Boolean(config.SLACK_BOT_TOKEN)) {
    throw new ConfigError(config.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET', 'is required when the other Slack setting is set (Slack needs both)');
  }
  // An app token alone would be silently ignored: Slack (and so Socket Mode) needs the other two.
  if (config.SLACK_APP_TOKEN && !config.SLACK_BOT_TOKEN) {
    throw new ConfigError('SLACK_BOT_TOKEN', 'is required when SLACK_APP_TOKEN is set (Socket Mode needs the bot token and signing secret too)');
  }
  return config;
}

/**
 * One setting, checked by the same rule as at start, for code that runs outside the bot's start
 * (importers, scripts) and must not fail on settings it does not use.
 */
export function configValue<K extends keyof AppConfig>(variable: K, env: NodeJS.ProcessEnv = process.env): AppConfig[K] {
  const parsed = configSchema.shape[variable].safeParse(env[variable]);
  if (!parsed.success) throw new ConfigError(variable, `is invalid: ${parsed.error.issues[0]!.message}`);
  return parsed.data as AppConfig[K];
}

/** Slack runs only with both its signing secret and its bot token. */
export function isSlackEnabled(config: Pick<AppConfig, 'SLACK_SIGNING_SECRET' | 'SLACK_BOT_TOKEN'>): boolean {
  return Boolean(config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN);
}

export function isAuthEnabled(config: AppConfig): boolean {
  return Boolean(config.MicrosoftAppId);
}

export function isProduction(config: Pick<AppConfig, 'NODE_ENV'>): boolean {
  return config.NODE_ENV?.trim().toLowerCase() === 'production';
}

/**
 * What stops a production start, one ConfigError per missing safeguard (empty when ready). A
 * production bot without authentication would serve pupil data to anyone who can reach it; one
 * without a tenant list would serve any Microsoft 365 organisation that installs it.
 */
export function productionProblems(config: AppConfig): ConfigError[] {
  if (!isProduction(config)) return [];
  const problems: ConfigError[] = [];
  if (!isAuthEnabled(config)) {
    problems.push(new ConfigError('MicrosoftAppId', 'is required when NODE_ENV=production: without it Bot Framework authentication is off'));
  }
  if (!config.ALLOWED_TENANTS) {
    problems.push(new ConfigError('ALLOWED_TENANTS', 'is required when NODE_ENV=production: list the Entra tenant ids the bot may serve, separated by commas'));
  }
  return problems;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.trim().toLowerCase());
}

/**
 * Where the server may listen. Without authentication only loopback is allowed, whatever HOST
 * says (0.0.0.0 included): a deployment that forgot MicrosoftAppId is then unreachable, not open.
 */
export function listenHostFor(config: AppConfig, requested: string = config.HOST): { host: string; forcedFrom?: string } {
  if (isAuthEnabled(config) || isLoopbackHost(requested)) return { host: requested };
  return { host: '127.0.0.1', forcedFrom: requested };
}
