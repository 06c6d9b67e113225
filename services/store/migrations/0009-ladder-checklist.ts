import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Ladder checklist ticks (issue 8): which of a rung's school actions a user has ticked, per
 * situation (the question that led to the rung, stored only as a hash) and rung, so the same user
 * opening the same rung for the same situation sees their ticks again.
 */
export function ladderChecklistMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('ladder_checklist_tick')
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('situation_key', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('ticked', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ladder_checklist_tick_pk', ['staff_user_id', 'situation_key', 'entry_id', 'item_key'])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('ladder_checklist_tick').ifExists().execute();
    },
  };
}
