import { z } from 'zod';
import { parseDatabaseUrl } from './store/engine';

/**
 * Every setting the bot reads, validated once at start. `.env.example` documents each one; a bad
 * value stops the process with one line naming the variable.
 */
export const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const configSchema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3978)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  MicrosoftAppId: z.preprocess(emptyToUndefined, z.string().optional()),
  MicrosoftAppPassword: z.preprocess(emptyToUndefined, z.string().optional()),
  MicrosoftAppType: z.preprocess(emptyToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant')),
  MicrosoftAppTenantId: z.preprocess(emptyToUndefined, z.string().optional()),
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
});

export type AppConfig = z.infer<typeof configSchema>;

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
  return config;
}

export function isAuthEnabled(config: AppConfig): boolean {
  return Boolean(config.MicrosoftAppId);
}
