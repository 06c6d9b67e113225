import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Ladder usage (issue 3): ladder_query records each ladder search (what was asked, the best match,
 * how many matched); ladder_feedback records "Was this useful?" answers. Together they give LA
 * managers the most asked questions and those that found nothing useful (`ladder stats`).
 */
export function ladderFeedbackMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

      await db.schema
        .createTable('ladder_query')
        .addColumn('id', id, autoId)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('staff_user_id', 'integer', (c) => c.references('staff_user.id'))
        .addColumn('query_text', 'text', (c) => c.notNull())
        .addColumn('query_key', 'text', (c) => c.notNull())
        .addColumn('top_entry_id', 'text')
        .addColumn('match_count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ladder_query_key_idx').on('ladder_query').columns(['query_key', 'at']).execute();
      await db.schema.createIndex('ladder_query_at_idx').on('ladder_query').column('at').execute();

      await db.schema
        .createTable('ladder_feedback')
        .addColumn('id', id, autoId)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('staff_user_id', 'integer', (c) => c.references('staff_user.id'))
        .addColumn('query_text', 'text')
        .addColumn('query_key', 'text')
        .addColumn('entry_id', 'text')
        .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('yes', 'no')`))
        .execute();
      await db.schema.createIndex('ladder_feedback_at_idx').on('ladder_feedback').column('at').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('ladder_feedback').ifExists().execute();
      await db.schema.dropTable('ladder_query').ifExists().execute();
    },
  };
}
