/**
 * `npm run package`: builds the Teams app package (appPackage.zip: manifest.json, color.png,
 * outline.png at the root) from manifest/manifest.template.json for a given bot, with the command
 * menu (commandLists) written from services/commands/command-catalogue.ts.
 *
 *   BOT_ID=<app id> [TEAMS_APP_ID=..] [BOT_DOMAIN=bot.example.org] [APP_VERSION=1.0.0] npm run package
 *   npm run package -- --bot-id <app id> [--teams-app-id ..] [--bot-domain ..] [--app-version ..] [--out file.zip]
 *   npm run package -- ... --allow-placeholders   (a test tenant: build with the template's example developer links)
 *
 * manifest/slack-app.yaml (the Slack app manifest) and its Socket Mode twin slack-app-socket-mode.yaml
 * are checked too: their fields and the values the Slack edge needs (manifest/build/slack-manifest.ts);
 * a problem there stops the build as well.
 *
 * The filled manifest is checked against the official schema bundled in @microsoft/app-manifest
 * (no network) and the icons against Teams' size and colour rules before anything is written.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { menuCommands, type MenuCommand } from '../services/commands/command-catalogue';
import { withCommandLists } from '../manifest/build/command-lists';
import { checkIcon, type IconRole } from '../manifest/build/icon-checks';
import { validateManifestSchema, formatProblem } from '../manifest/build/manifest-schema';
import { fillTemplate, findPlaceholders, parseTemplateJson } from '../manifest/build/manifest-template';
import { placeholderLinkProblems } from '../manifest/build/placeholder-links';
import { CANONICAL_GUID, PackageError, parsePackageInputs, type PackageInputs } from '../manifest/build/package-inputs';
import { checkSlackManifest } from '../manifest/build/slack-manifest';
import { runScript } from './run-script';
import { PROJECT_ROOT } from '../services/project-paths';

// The project root, not this file's parent: the same from scripts/ and from the compiled dist/scripts/.
const ROOT = PROJECT_ROOT;
export const DEFAULT_MANIFEST_DIR = join(ROOT, 'manifest');
const TEMPLATE_FILE = 'manifest.template.json';
export const SLACK_MANIFEST_FILE = 'slack-app.yaml';
/** The same Slack app in Socket Mode (SLACK_APP_TOKEN): no request URLs. */
export const SLACK_SOCKET_MODE_MANIFEST_FILE = 'slack-app-socket-mode.yaml';

export interface BuiltPackage {
  outFile: string;
  manifest: Record<string, unknown>;
  warnings: string[];
}

// Ids the loose BOT_ID check lets through (test ids) fail the schema's GUID pattern. The package
// is still built, for local tooling, with a warning that Teams will refuse it.
function idPatternWarning(path: string, inputs: PackageInputs): string | undefined {
  const variable = path === '/bots/0/botId' ? 'BOT_ID' : path === '/id' ? (inputs.teamsAppId === inputs.botId ? 'BOT_ID' : 'TEAMS_APP_ID') : undefined;
  if (!variable) return undefined;
  const value = variable === 'BOT_ID' ? inputs.botId : inputs.teamsAppId;
  if (CANONICAL_GUID.test(value)) return undefined;
  return `${variable} ${JSON.stringify(value)} is not a GUID (8-4-4-4-12 hex digits): fine for local tools, but Teams will refuse this package on upload`;
}

export async function buildAppPackage(inputs: PackageInputs, manifestDir = DEFAULT_MANIFEST_DIR, menu: readonly MenuCommand[] = menuCommands()): Promise<BuiltPackage> {
  const templatePath = join(manifestDir, TEMPLATE_FILE);
  const label = relative(process.cwd(), templatePath) || TEMPLATE_FILE;
  if (!existsSync(templatePath)) throw new PackageError([`${label} not found`]);
  const template = parseTemplateJson(readFileSync(templatePath, 'utf8'), label);

  const filled = fillTemplate(template, {
    BOT_ID: inputs.botId,
    TEAMS_APP_ID: inputs.teamsAppId,
    BOT_DOMAIN: inputs.botDomain,
    APP_VERSION: inputs.appVersion,
  }) as Record<string, unknown>;
  const manifest = withCommandLists(filled, menu, label);
  const left = findPlaceholders(manifest);
  if (left.length > 0) throw new PackageError([`${label}: placeholders left unfilled: ${left.join(', ')}`]);

  const problems: string[] = [];
  const warnings: string[] = [];
  const placeholders = placeholderLinkProblems(manifest);
  if (placeholders.length > 0 && inputs.allowPlaceholders) {
    warnings.push(...placeholders.map((p) => `${p}: built anyway (--allow-placeholders); fine for a test tenant, not for your users`));
  } else {
    problems.push(
      ...placeholders.map(
        (p) => `${label} ${p}: put your authority's own page in the template's "developer" block, or pass --allow-placeholders for a test tenant`,
      ),
    );
  }
  for (const problem of await validateManifestSchema(manifest)) {
    const warning = /must match pattern/.test(problem.message) ? idPatternWarning(problem.path, inputs) : undefined;
    if (warning) {
      if (!warnings.includes(warning)) warnings.push(warning);
    } else {
      problems.push(formatProblem(problem, `${label} (filled)`));
    }
  }

  // Icons go at the zip root under the names the manifest gives them.
  const icons = (manifest.icons ?? {}) as Record<string, unknown>;
  const iconFiles: Array<{ name: string; bytes: Buffer }> = [];
  for (const role of ['color', 'outline'] as IconRole[]) {
    const name = icons[role];
    if (typeof name !== 'string') continue; // the schema check above has reported it
    if (name !== basename(name) || name.startsWith('.')) {
      problems.push(`${label} /icons/${role}: ${JSON.stringify(name)} must be a file name in ${relative(process.cwd(), manifestDir) || '.'}, with no folder`);
      continue;
    }
    const iconPath = join(manifestDir, name);
    if (!existsSync(iconPath)) {
      problems.push(`${label} /icons/${role}: ${relative(process.cwd(), iconPath)} not found`);
      continue;
    }
    const bytes = readFileSync(iconPath);
    const check = checkIcon(role, name, bytes);
    problems.push(...check.problems);
    warnings.push(...check.warnings);
    iconFiles.push({ name, bytes });
  }
  // The Slack app manifest ships beside the Teams one: checked here so one command vets both.
  for (const file of [SLACK_MANIFEST_FILE, SLACK_SOCKET_MODE_MANIFEST_FILE]) {
    const slackPath = join(manifestDir, file);
    if (existsSync(slackPath)) problems.push(...checkSlackManifest(readFileSync(slackPath, 'utf8'), relative(process.cwd(), slackPath) || file));
  }
  if (problems.length > 0) throw new PackageError(problems);

  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
  for (const icon of iconFiles) zip.addFile(icon.name, icon.bytes);

  // Write beside the target and rename, so a failure never leaves a half-written package.
  const outFile = resolve(inputs.outFile);
  const partial = `${outFile}.partial`;
  try {
    writeFileSync(partial, zip.toBuffer());
    renameSync(partial, outFile);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new PackageError([`could not write ${outFile}: ${(error as Error).message}`]);
  }
  return { outFile, manifest, warnings };
}

function packageJsonVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const inputs = parsePackageInputs(env, argv, { appVersion: packageJsonVersion(), outFile: 'appPackage.zip' });
    const built = await buildAppPackage(inputs);
    for (const warning of built.warnings) console.error(`package: warning: ${warning}`);
    const m = built.manifest;
    const domains = (m.validDomains as string[] | undefined) ?? [];
    console.log(
      `package: wrote ${relative(process.cwd(), built.outFile) || built.outFile} (manifest v${String(m.manifestVersion)}, ` +
        `app id ${inputs.teamsAppId}, bot id ${inputs.botId}, version ${inputs.appVersion}, ` +
        `valid domains: ${domains.length > 0 ? domains.join(', ') : 'none (set BOT_DOMAIN to add one)'})`,
    );
    if (existsSync(join(DEFAULT_MANIFEST_DIR, SLACK_MANIFEST_FILE))) console.log(`package: checked manifest/${SLACK_MANIFEST_FILE} (the Slack app manifest; paste it into "Create an app from a manifest")`);
    return 0;
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    for (const problem of error.problems) console.error(`package: ${problem}`);
    return 1;
  }
}

if (require.main === module) runScript('package', () => main(process.argv.slice(2), process.env));
