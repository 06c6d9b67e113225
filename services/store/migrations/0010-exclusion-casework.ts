import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Exclusion casework (issue 9): nullable columns on exclusion for the head's decision date, a
 * clashing public exam, the starting session (half-day hand-overs) and the outcome that stops the
 * clocks; and exclusion_review, the governors' decision and the independent review panel steps.
 * Column meanings: services/store/tables/casework.ts and services/store/database.ts.
 */
export function exclusionCaseworkMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      for (const column of ['decision_date', 'exam_date', 'start_session', 'outcome', 'outcome_date', 'outcome_by']) {
        await db.schema.alterTable('exclusion').addColumn(column, 'text').execute();
      }
      await db.schema.alterTable('pupil').addColumn('home_la', 'text').execute();
      await db.schema
        .createTable('exclusion_review')
        .addColumn('exclusion_id', 'integer', (c) => c.primaryKey().references('exclusion.id'))
        .addColumn('governors_decision', 'text')
        .addColumn('governors_meeting_date', 'text')
        .addColumn('governors_notified_date', 'text')
        .addColumn('irp_applied_date', 'text')
        .addColumn('irp_sen_expert', 'integer')
        .addColumn('irp_outcome', 'text')
        .addColumn('irp_decision_notified_date', 'text')
        .addColumn('reconsidered_date', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
