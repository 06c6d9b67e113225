import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Proactive exclusion alerts (issue 5): alerts and their history, subscriptions, the delivery
 * outbox, recorded placements, intake API senders with idempotency keys, pupils waiting for the
 * rules, and scheduled job runs.
 * Column meanings: services/store/tables/alerts.ts.
 */
export function alertsOutboxMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

      await db.schema
        .createTable('exclusion_alert')
        .addColumn('id', id, autoId)
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('pupil_id', 'integer', (c) => c.references('pupil.id'))
        .addColumn('exclusion_id', 'integer', (c) => c.references('exclusion.id'))
        .addColumn('school_urn', 'integer')
        .addColumn('district_id', 'integer')
        .addColumn('event_date', 'text')
        .addColumn('due_date', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('acknowledged_by', 'integer')
        .addColumn('acknowledged_at', 'text')
        .addColumn('assigned_to', 'integer')
        .addColumn('assigned_at', 'text')
        .addColumn('snoozed_until', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('exclusion_alert_pupil_idx').on('exclusion_alert').columns(['pupil_id', 'created_at']).execute();
      await db.schema.createIndex('exclusion_alert_status_idx').on('exclusion_alert').columns(['status', 'due_date']).execute();

      await db.schema
        .createTable('alert_action')
        .addColumn('id', id, autoId)
        .addColumn('alert_id', 'integer', (c) => c.notNull().references('exclusion_alert.id'))
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_action_alert_idx').on('alert_action').column('alert_id').execute();

      await db.schema
        .createTable('alert_subscription')
        .addColumn('id', id, autoId)
        .addColumn('subscriber_key', 'text', (c) => c.notNull())
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('conversation_id', 'text')
        .addColumn('area_kind', 'text', (c) => c.notNull())
        .addColumn('area_value', 'text', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('alert_subscription_area_uq', ['subscriber_key', 'area_kind', 'area_value'])
        .execute();
      await db.schema.createIndex('alert_subscription_user_idx').on('alert_subscription').column('staff_user_id').execute();

      await db.schema
        .createTable('alert_outbox')
        .addColumn('id', id, autoId)
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('alert_id', 'integer', (c) => c.notNull().references('exclusion_alert.id'))
        .addColumn('subscriber_key', 'text', (c) => c.notNull())
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('conversation_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('alert'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claim_expires_at', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('sent_conversation_id', 'text')
        .addColumn('activity_id', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_outbox_due_idx').on('alert_outbox').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('alert_outbox_alert_idx').on('alert_outbox').column('alert_id').execute();

      await db.schema
        .createTable('exclusion_placement')
        .addColumn('exclusion_id', 'integer', (c) => c.primaryKey().references('exclusion.id'))
        .addColumn('placed_on', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'integer')
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_sender')
        .addColumn('id', id, autoId)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('exclusion_intake')
        .addColumn('sender_id', 'integer', (c) => c.notNull().references('api_sender.id'))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('exclusion_id', 'integer', (c) => c.notNull().references('exclusion.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('exclusion_intake_pk', ['sender_id', 'idempotency_key'])
        .execute();

      // Pupils whose exclusions changed since the rules last ran for them (written in the import or
      // intake transaction, drained by the rule runner), so a CLI import still raises its alerts.
      await db.schema
        .createTable('alert_pending_pupil')
        .addColumn('pupil_id', 'integer', (c) => c.primaryKey().references('pupil.id'))
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('job_run')
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('run_key', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addPrimaryKeyConstraint('job_run_pk', ['job', 'run_key'])
        .execute();
    },
  };
}
