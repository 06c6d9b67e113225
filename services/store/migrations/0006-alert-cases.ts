import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Alert cases (issue 8): every duty of one pupil's exclusion shares a case key, so a recipient gets
 * one card per case; when each subscriber joined (their first contact with the bot); and small
 * authority settings such as the go-live marker. Existing alerts are grouped by their exclusion.
 * Column meanings: services/store/tables/alerts.ts.
 */
export function alertCasesMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('exclusion_alert').addColumn('case_key', 'text', (c) => c.notNull().defaultTo('')).execute();
      await sql`update exclusion_alert set case_key = case when exclusion_id is not null then 'exclusion:' || exclusion_id else 'alert:' || dedupe_key end`.execute(db);
      await db.schema.createIndex('exclusion_alert_case_idx').on('exclusion_alert').columns(['case_key', 'id']).execute();
      await db.schema.createIndex('alert_outbox_subscriber_created_idx').on('alert_outbox').columns(['subscriber_key', 'created_at']).execute();
      await db.schema
        .createTable('alert_subscriber')
        .addColumn('subscriber_key', 'text', (c) => c.primaryKey())
        .addColumn('staff_user_id', 'integer', (c) => c.notNull())
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alert_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
