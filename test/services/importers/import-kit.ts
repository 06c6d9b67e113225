import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../../services/clock';
import { runImport, type ImportOptions, type ImportResult } from '../../../services/importers/importer';
import { findImporter } from '../../../services/importers/registry';
import type { Store } from '../../../services/store/open-store';

/** Shared pieces of the importer tests (not a test file itself). */

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'import');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Import day used throughout: Wednesday 25 November 2026, in term. */
export const TODAY = '2026-11-25';
export const clockOn = (date: string) => fixedClock(`${date}T10:00:00Z`);

export async function importFile(store: Store, kind: string, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const importer = findImporter(kind);
  if (!importer) throw new Error(`no importer ${kind}`);
  return runImport(store, importer, file, { clock: clockOn(TODAY), ...options });
}

/** Imports and fails the test with the problem list when the import is refused. */
export async function importOk(store: Store, kind: string, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const result = await importFile(store, kind, file, options);
  if (!result.ok) throw new Error(`import of ${file} refused:\n${result.errors.join('\n')}`);
  return result;
}

/** A scratch directory for CSV files written by a test; call cleanup() in after(). */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'importers-'));
  let n = 0;
  return {
    csv(lines: string[], name = `file-${++n}.csv`): string {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n') + '\n', 'utf8');
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every row of the tables imports touch, in a stable order: compare two to prove nothing changed. */
export async function snapshot(store: Store) {
  const db = store.db;
  return {
    local_authority: await db.selectFrom('local_authority').selectAll().orderBy('code').execute(),
    district: await db.selectFrom('district').selectAll().orderBy('id').execute(),
    school: await db.selectFrom('school').selectAll().orderBy('urn').execute(),
    pupil: await db.selectFrom('pupil').selectAll().orderBy('id').execute(),
    enrolment: await db.selectFrom('enrolment').selectAll().orderBy('id').execute(),
    staff_user: await db.selectFrom('staff_user').selectAll().orderBy('id').execute(),
  };
}

export const PUPIL_HEADER =
  'upn,school_urn,legal_forename,legal_surname,preferred_forename,date_of_birth,nc_year,sex,ethnicity,sen_provision,looked_after,social_worker,fsm,youth_justice';

/** Valid UPNs (LA 925) for tests that write their own pupil rows. */
export const UPNS = ['K925200219101', 'H925200319102', 'E925200119103', 'C925200219104', 'A925200319105', 'X925200119106', 'V925200219107', 'T925200319108'];
