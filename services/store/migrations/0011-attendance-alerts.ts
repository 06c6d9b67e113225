import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Attendance alerts (issue 12):
 * - pupil_youth_justice_worker: the youth justice worker(s) linked to a young person in the users
 *   file; the worker receives that pupil's attendance alerts and sees no other pupil.
 * - attendance_alert_pending_school: schools whose marks an import changed since the attendance
 *   rules last ran for them (so an import of one school re-evaluates only that school's pupils);
 *   the token lets the runner remove only the entry it read, never a newer one.
 * The pupil flags the rules read (social worker, looked after, EHC plan, youth justice) already exist.
 */
export function attendanceAlertsMigration(_engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('pupil_youth_justice_worker')
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addPrimaryKeyConstraint('pupil_youth_justice_worker_pk', ['pupil_id', 'staff_user_id'])
        .execute();
      await db.schema.createIndex('pupil_youth_justice_worker_staff_idx').on('pupil_youth_justice_worker').column('staff_user_id').execute();
      await db.schema
        .createTable('attendance_alert_pending_school')
        .addColumn('school_urn', 'integer', (c) => c.primaryKey())
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('attendance_alert_pending_school').ifExists().execute();
      await db.schema.dropTable('pupil_youth_justice_worker').ifExists().execute();
    },
  };
}
