import { z } from 'zod';

/**
 * What `npm run package` is told: from the environment, overridden by command-line flags.
 * Every problem is one line that starts with the variable's name.
 */
export class PackageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PackageError';
  }
}

export interface PackageInputs {
  botId: string;
  /** The Teams app id; the bot id unless TEAMS_APP_ID is given (one Entra app for both is usual). */
  teamsAppId: string;
  /** Host name for validDomains; absent means validDomains is left empty. */
  botDomain?: string;
  appVersion: string;
  outFile: string;
  /** Build even with example developer links (a test tenant); refused otherwise. */
  allowPlaceholders?: boolean;
}

const FLAGS: Record<string, string> = {
  '--bot-id': 'BOT_ID',
  '--teams-app-id': 'TEAMS_APP_ID',
  '--bot-domain': 'BOT_DOMAIN',
  '--app-version': 'APP_VERSION',
  '--out': 'OUT',
};

/** The one flag without a value: build a package whose developer links are still examples. */
export const ALLOW_PLACEHOLDERS = '--allow-placeholders';

/** The Teams schema's GUID shape; ids outside it are accepted for local tests with a warning. */
export const CANONICAL_GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

const TEAMS_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

const shown = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);

/**
 * Loose on purpose: test tooling uses ids such as 00000000-0000-0000-0000-00000000000011 that are
 * not GUIDs. A typo or a pasted secret still fails (wrong characters or length).
 */
function appIdProblem(value: string): string | undefined {
  if (!/^[0-9a-fA-F-]+$/.test(value)) {
    return `${shown(value)} is not an app id: use only hexadecimal digits and hyphens (the Microsoft App ID from the bot registration)`;
  }
  if (value.length < 32 || value.length > 40) {
    return `${shown(value)} has ${value.length} characters; an app id has 32 to 40 hexadecimal digits and hyphens`;
  }
  return undefined;
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

const appId = z.string().superRefine((value, ctx) => {
  const problem = appIdProblem(value);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

const inputSchema = z.object({
  BOT_ID: z.preprocess(
    blankToUndefined,
    z.string({ required_error: "is required: set BOT_ID=<the bot's Microsoft App ID> or pass --bot-id <id>" }).pipe(appId),
  ),
  TEAMS_APP_ID: z.preprocess(blankToUndefined, appId.optional()),
  BOT_DOMAIN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(
        /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/,
        'must be a host name such as bot.example.org or abc123-3978.uks1.devtunnels.ms (no https://, no port, no path)',
      )
      .optional(),
  ),
  // Teams accepts only MAJOR.MINOR.PATCH here, no pre-release or build suffix.
  APP_VERSION: z.preprocess(
    blankToUndefined,
    z.string().regex(TEAMS_VERSION, 'must be MAJOR.MINOR.PATCH, e.g. 1.0.0 (Teams allows no suffix)').optional(),
  ),
  OUT: z.preprocess(blankToUndefined, z.string().optional()),
});

/** Flags win over the environment. Accepts `--flag value` and `--flag=value`. */
export function parsePackageInputs(
  env: Record<string, string | undefined>,
  argv: readonly string[],
  defaults: { appVersion: string; outFile: string },
): PackageInputs {
  const raw: Record<string, string | undefined> = {
    BOT_ID: env.BOT_ID,
    TEAMS_APP_ID: env.TEAMS_APP_ID,
    BOT_DOMAIN: env.BOT_DOMAIN,
    APP_VERSION: env.APP_VERSION,
  };
  let allowPlaceholders = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === ALLOW_PLACEHOLDERS) {
      allowPlaceholders = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const variable = FLAGS[flag];
    if (!variable) {
      throw new PackageError([`unknown argument ${shown(arg)}: the options are ${[...Object.keys(FLAGS), ALLOW_PLACEHOLDERS].join(', ')}`]);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new PackageError([`${flag} needs a value`]);
    raw[variable] = value;
  }

  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PackageError(parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`));
  }
  const v = parsed.data;
  if (!v.APP_VERSION && !TEAMS_VERSION.test(defaults.appVersion)) {
    throw new PackageError([`APP_VERSION is not set and the package.json version ${shown(defaults.appVersion)} is not MAJOR.MINOR.PATCH: set APP_VERSION`]);
  }
  return {
    botId: v.BOT_ID,
    teamsAppId: v.TEAMS_APP_ID ?? v.BOT_ID,
    ...(v.BOT_DOMAIN ? { botDomain: v.BOT_DOMAIN } : {}),
    appVersion: v.APP_VERSION ?? defaults.appVersion,
    outFile: v.OUT ?? defaults.outFile,
    ...(allowPlaceholders ? { allowPlaceholders } : {}),
  };
}
