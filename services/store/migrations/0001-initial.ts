import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/** Surrogate integer keys: SQLite's rowid alias on one engine, a sequence on the other. */
function idType(engine: Engine) {
  return engine === 'postgres' ? 'serial' : 'integer';
}

export function initialMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = idType(engine);
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

      await db.schema
        .createTable('local_authority')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('district')
        .addColumn('id', id, autoId)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('la_code', 'text', (c) => c.notNull().references('local_authority.code'))
        .execute();

      await db.schema
        .createTable('school')
        .addColumn('urn', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('district_id', 'integer', (c) => c.notNull().references('district.id'))
        .execute();
      await db.schema.createIndex('school_district_idx').on('school').column('district_id').execute();

      await db.schema
        .createTable('pupil')
        .addColumn('id', id, autoId)
        .addColumn('upn', 'text', (c) => c.notNull().unique())
        .addColumn('legal_forename', 'text', (c) => c.notNull())
        .addColumn('legal_surname', 'text', (c) => c.notNull())
        .addColumn('preferred_forename', 'text')
        .addColumn('date_of_birth', 'text', (c) => c.notNull())
        .addColumn('nc_year', 'integer', (c) => c.notNull())
        .addColumn('sex', 'text', (c) => c.notNull())
        .addColumn('ethnicity', 'text', (c) => c.notNull())
        .addColumn('sen_provision', 'text', (c) => c.notNull())
        .addColumn('looked_after', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('social_worker', 'text', (c) => c.notNull().defaultTo('N'))
        .addColumn('fsm', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('youth_justice', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('enrolment')
        .addColumn('id', id, autoId)
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text')
        .addColumn('registration', 'text', (c) => c.notNull().defaultTo('C'))
        .addUniqueConstraint('enrolment_pupil_school_start_uq', ['pupil_id', 'school_urn', 'start_date'])
        .execute();
      await db.schema.createIndex('enrolment_school_idx').on('enrolment').columns(['school_urn', 'pupil_id']).execute();

      await db.schema
        .createTable('exclusion')
        .addColumn('id', id, autoId)
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('sessions', 'integer', (c) => c.notNull())
        .addColumn('notified_date', 'text')
        .addColumn('missed_public_exam', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // A school records one exclusion of a kind per pupil per start date: re-imports are no-ops.
        .addUniqueConstraint('exclusion_natural_uq', ['pupil_id', 'school_urn', 'category', 'start_date'])
        .execute();
      await db.schema.createIndex('exclusion_school_date_idx').on('exclusion').columns(['school_urn', 'start_date']).execute();
      await db.schema.createIndex('exclusion_start_idx').on('exclusion').column('start_date').execute();

      await db.schema
        .createTable('attendance_week')
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('week_start', 'text', (c) => c.notNull())
        .addColumn('marks', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('attendance_week_pk', ['pupil_id', 'school_urn', 'week_start'])
        .execute();
      await db.schema.createIndex('attendance_school_week_idx').on('attendance_week').columns(['school_urn', 'week_start']).execute();

      await db.schema
        .createTable('staff_user')
        .addColumn('id', id, autoId)
        .addColumn('aad_object_id', 'text', (c) => c.unique())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('conversation_ref')
        .addColumn('conversation_id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_type', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('aad_object_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('service_url', 'text', (c) => c.notNull())
        .addColumn('reference_json', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('gone_at', 'text')
        .execute();
      await db.schema.createIndex('conversation_ref_user_idx').on('conversation_ref').column('aad_object_id').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', id, autoId)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('staff_user_id', 'integer')
        .addColumn('aad_object_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_ids', 'text', (c) => c.notNull())
        .addColumn('subject_count', 'integer', (c) => c.notNull())
        .addColumn('conversation_type', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
    },
  };
}
