import type { MenuCommand } from '../../services/commands/command-catalogue';
import { PackageError } from './package-inputs';

/**
 * Teams' command menu (each bot's `commandLists`) is written from the command catalogue, never by
 * hand in the template: one list per scope the bot declares, each with every menu command.
 *
 * The limits are Teams' published ones, stricter than the bundled JSON schema (12 commands, 128 and
 * 4000 characters): a package within the schema but over these is refused when it is uploaded.
 */
export const MENU_LIMITS = { commandsPerList: 10, titleLength: 32, descriptionLength: 128 } as const;

const CATALOGUE_FILE = 'services/commands/command-catalogue.ts';

function menuProblems(menu: readonly MenuCommand[]): string[] {
  const problems: string[] = [];
  if (menu.length > MENU_LIMITS.commandsPerList) {
    problems.push(`command menu: ${menu.length} commands have a menu entry in ${CATALOGUE_FILE}; Teams shows at most ${MENU_LIMITS.commandsPerList}`);
  }
  const seen = new Set<string>();
  for (const { title, description } of menu) {
    const name = JSON.stringify(title);
    if (title.trim() === '') problems.push(`command menu: a command in ${CATALOGUE_FILE} has an empty menu title`);
    if (title.length > MENU_LIMITS.titleLength) {
      problems.push(`command menu: the title ${name} has ${title.length} characters; Teams allows at most ${MENU_LIMITS.titleLength} (${CATALOGUE_FILE})`);
    }
    if (description.trim() === '') problems.push(`command menu: ${name} has an empty description (${CATALOGUE_FILE})`);
    if (description.length > MENU_LIMITS.descriptionLength) {
      problems.push(`command menu: the description of ${name} has ${description.length} characters; Teams allows at most ${MENU_LIMITS.descriptionLength} (${CATALOGUE_FILE})`);
    }
    if (seen.has(title.toLowerCase())) problems.push(`command menu: the title ${name} appears twice (${CATALOGUE_FILE})`);
    seen.add(title.toLowerCase());
  }
  return problems;
}

/**
 * The filled manifest with each bot's command lists added. A template that still lists commands
 * by hand is refused, so there is one source for them.
 */
export function withCommandLists(manifest: Record<string, unknown>, menu: readonly MenuCommand[], fileLabel = 'manifest template'): Record<string, unknown> {
  const problems = menuProblems(menu);
  const bots = Array.isArray(manifest.bots) ? (manifest.bots as unknown[]) : [];
  bots.forEach((bot, index) => {
    if (bot && typeof bot === 'object' && 'commandLists' in bot) {
      problems.push(`${fileLabel} /bots/${index}/commandLists: remove it; the command menu is built from ${CATALOGUE_FILE}`);
    }
  });
  if (problems.length > 0) throw new PackageError(problems);
  if (menu.length === 0) return manifest;
  const commands = menu.map(({ title, description }) => ({ title, description }));
  return {
    ...manifest,
    bots: bots.map((bot) => {
      // A bot whose scopes are malformed is left for the schema check to name.
      if (!bot || typeof bot !== 'object' || !Array.isArray((bot as { scopes?: unknown }).scopes)) return bot;
      const scopes = (bot as { scopes: unknown[] }).scopes;
      return { ...bot, commandLists: scopes.map((scope) => ({ scopes: [scope], commands: commands.map((c) => ({ ...c })) })) };
    }),
  };
}
