import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Exclusion casework (issue 9): nullable columns on exclusion for the head's decision date, a
 * clashing public exam, the starting session (half-day hand-overs) and the outcome that stops the
 * clocks. Column meanings: services/exclusions/casework-schema.ts.
 */
export function exclusionCaseworkMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      for (const column of ['decision_date', 'exam_date', 'start_session', 'outcome', 'outcome_date', 'outcome_by']) {
        await db.schema.alterTable('exclusion').addColumn(column, 'text').execute();
      }
    },
  };
}
