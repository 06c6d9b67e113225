import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import { PackageError } from './package-inputs';

/**
 * Validation against the official Teams manifest JSON schema that @microsoft/app-manifest ships in
 * its package. The schema is read from disk and handed to the validator explicitly: given only the
 * manifest, the library would fall back to fetching `$schema` over the network.
 */
const PACKAGE_DIR = dirname(require.resolve('@microsoft/app-manifest/package.json'));
const SCHEMA_DIR = join(PACKAGE_DIR, 'build', 'json-schemas', 'teams');

export const SCHEMA_URL_PREFIX = 'https://developer.microsoft.com/json-schemas/teams/';

export function appManifestPackageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Numbered schema versions bundled with the package, oldest first (devPreview left out). */
export function bundledSchemaVersions(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => /^v\d+\.\d+$/.test(name) && existsSync(join(SCHEMA_DIR, name, 'MicrosoftTeams.schema.json')))
    .map((name) => name.slice(1))
    .sort((a, b) => {
      const [am, an] = a.split('.').map(Number);
      const [bm, bn] = b.split('.').map(Number);
      return am! - bm! || an! - bn!;
    });
}

export function loadBundledSchema(manifestVersion: string): object {
  const file = join(SCHEMA_DIR, `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  if (!/^\d+\.\d+$/.test(manifestVersion) || !existsSync(file)) {
    const versions = bundledSchemaVersions();
    throw new PackageError([
      `manifestVersion ${JSON.stringify(manifestVersion)} has no schema in @microsoft/app-manifest ${appManifestPackageVersion()} (bundled: ${versions[0]} to ${versions[versions.length - 1]})`,
    ]);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as object;
}

export interface SchemaProblem {
  /** JSON pointer into the manifest, '' for the root. */
  path: string;
  message: string;
}

// The library reports "<instancePath> <message>. Details: <params JSON>"; keep both parts readable.
function toProblem(line: string): SchemaProblem {
  const space = line.indexOf(' ');
  const path = line.slice(0, space);
  let message = line.slice(space + 1);
  const details = message.lastIndexOf('. Details: ');
  if (details >= 0) {
    const params = message.slice(details + '. Details: '.length);
    message = message.slice(0, details);
    // missingProperty and limits are already in the message; other params (additionalProperty,
    // allowedValues) are what the reader needs to fix the file.
    if (/additionalProperty|allowedValues/.test(params)) message += ` ${params}`;
  }
  return { path, message };
}

/** Checks a filled manifest against the schema for its own manifestVersion. */
export async function validateManifestSchema(manifest: unknown): Promise<SchemaProblem[]> {
  if (!manifest || typeof manifest !== 'object') return [{ path: '', message: 'must be a JSON object' }];
  const record = manifest as Record<string, unknown>;
  const version = String(record.manifestVersion ?? '');
  const schema = loadBundledSchema(version);
  const expectedUrl = `${SCHEMA_URL_PREFIX}v${version}/MicrosoftTeams.schema.json`;
  const problems: SchemaProblem[] = [];
  if (record.$schema !== expectedUrl) {
    problems.push({ path: '/$schema', message: `must be ${expectedUrl} to match manifestVersion ${version}` });
  }
  const failures = await AppManifestUtils.validateAgainstSchema(manifest as AppManifest, schema as never);
  return problems.concat(failures.map(toProblem));
}

export function formatProblem(problem: SchemaProblem, fileLabel: string): string {
  return `${fileLabel} ${problem.path || '/'}: ${problem.message}`;
}
