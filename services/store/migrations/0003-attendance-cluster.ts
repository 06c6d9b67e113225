import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Attendance cluster meetings (issue 4):
 * - attendance_summary: per pupil, school and academic year, the measures the agenda needs
 *   (sessions, band, trend windows, code patterns), so a cluster agenda reads one row per pupil
 *   instead of every week row. Rebuilt from attendance_week by services/attendance/attendance-summary.ts.
 * - attendance_summary_stale: (pupil, school) pairs whose week rows changed since their summary
 *   was built (the attendance importer adds them in its transaction).
 * - attendance_summary_state: per academic year, the date the summaries were computed as of.
 * - cluster_meeting, pupil_review, cluster_action: meetings, the review of a pupil at a meeting,
 *   and the actions agreed there with their owner, due date and follow-up.
 */
export function attendanceClusterMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
      const real = engine === 'postgres' ? 'double precision' : 'real';

      await db.schema
        .createTable('attendance_summary')
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('academic_year', 'text', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('possible', 'integer', (c) => c.notNull())
        .addColumn('present', 'integer', (c) => c.notNull())
        .addColumn('aea', 'integer', (c) => c.notNull())
        .addColumn('authorised', 'integer', (c) => c.notNull())
        .addColumn('unauthorised', 'integer', (c) => c.notNull())
        .addColumn('band', 'text', (c) => c.notNull())
        .addColumn('recent_possible', 'integer', (c) => c.notNull())
        .addColumn('recent_attended', 'integer', (c) => c.notNull())
        .addColumn('previous_possible', 'integer', (c) => c.notNull())
        .addColumn('previous_attended', 'integer', (c) => c.notNull())
        .addColumn('trend_points', real)
        .addColumn('trend', 'text', (c) => c.notNull())
        .addColumn('unexplained', 'integer', (c) => c.notNull())
        .addColumn('holiday', 'integer', (c) => c.notNull())
        .addColumn('part_time', 'integer', (c) => c.notNull())
        .addColumn('illness', 'integer', (c) => c.notNull())
        .addColumn('excluded', 'integer', (c) => c.notNull())
        .addColumn('s19_illness', 'text')
        .addColumn('longest_unauthorised_run', 'integer', (c) => c.notNull())
        .addColumn('not_attending', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('attendance_summary_pk', ['pupil_id', 'school_urn', 'academic_year'])
        .execute();
      await db.schema.createIndex('attendance_summary_school_idx').on('attendance_summary').columns(['academic_year', 'school_urn', 'band']).execute();

      await db.schema
        .createTable('attendance_summary_stale')
        .addColumn('pupil_id', 'integer', (c) => c.notNull())
        .addColumn('school_urn', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('attendance_summary_stale_pk', ['pupil_id', 'school_urn'])
        .execute();

      await db.schema
        .createTable('attendance_summary_state')
        .addColumn('academic_year', 'text', (c) => c.primaryKey())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('refreshed_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('cluster_meeting')
        .addColumn('id', id, autoId)
        .addColumn('district_id', 'integer', (c) => c.notNull().references('district.id'))
        .addColumn('meeting_date', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'integer', (c) => c.references('staff_user.id'))
        .addUniqueConstraint('cluster_meeting_district_date_uq', ['district_id', 'meeting_date'])
        .execute();

      await db.schema
        .createTable('pupil_review')
        .addColumn('id', id, autoId)
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('cluster_meeting.id'))
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('barriers', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('lead_practitioner', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('pupil_review_meeting_pupil_uq', ['meeting_id', 'pupil_id'])
        .execute();
      await db.schema.createIndex('pupil_review_pupil_idx').on('pupil_review').column('pupil_id').execute();

      await db.schema
        .createTable('cluster_action')
        .addColumn('id', id, autoId)
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('cluster_meeting.id'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('due_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_by', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .addColumn('closed_by', 'integer', (c) => c.references('staff_user.id'))
        .addColumn('overdue_notified_at', 'text')
        .execute();
      await db.schema.createIndex('cluster_action_owner_idx').on('cluster_action').columns(['owner_id', 'status', 'due_date']).execute();
      await db.schema.createIndex('cluster_action_pupil_idx').on('cluster_action').columns(['pupil_id', 'status']).execute();
      await db.schema.createIndex('cluster_action_due_idx').on('cluster_action').columns(['status', 'due_date']).execute();
      await db.schema.createIndex('cluster_action_meeting_idx').on('cluster_action').column('meeting_id').execute();
    },
  };
}
