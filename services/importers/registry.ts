import { attendanceImporter, attendanceImporterOnRollFromFile } from '../attendance/attendance-importer';
import { apPlacementsImporter } from './ap-placements-importer';
import { apPlacesImporter } from './ap-places-importer';
import { exclusionsImporter } from './exclusions-importer';
import type { AnyImporter } from './importer';
import { pupilsImporter } from './pupils-importer';
import { schoolsImporter } from './schools-importer';
import { usersImporter } from './users-importer';

/**
 * Every kind `npm run import -- <kind> <file>` accepts, in the order the usage text lists them
 * (and the order a new county is loaded in: schools before the pupils and users that name them).
 * A new importer is one line here; see importer.ts for how to write one.
 */
export const IMPORTERS: readonly AnyImporter[] = [schoolsImporter, pupilsImporter, usersImporter, attendanceImporter, exclusionsImporter, apPlacesImporter, apPlacementsImporter];

export function findImporter(kind: string): AnyImporter | undefined {
  return IMPORTERS.find((importer) => importer.kind === kind.trim().toLowerCase());
}

/** Flags `npm run import` accepts, each for one kind: the importer to use instead. */
export const IMPORT_FLAGS: Readonly<Record<string, { kind: string; importer: AnyImporter; help: string }>> = {
  '--on-roll-from-file': {
    kind: 'attendance',
    importer: attendanceImporterOnRollFromFile,
    help: 'go-live: pupils count as on roll from their first mark in the file (if on roll at no other school then)',
  },
};
