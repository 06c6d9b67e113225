import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Cluster meeting nominations (issue 8): a school, the attendance officer or a cluster member puts
 * a pupil on a meeting's agenda, with who did it, when and why. One nomination per pupil and
 * meeting (a second press changes nothing). Column meanings: services/store/tables/cluster.ts.
 */
export function clusterNominationsMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable('cluster_nomination')
        .addColumn('id', id, autoId)
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('cluster_meeting.id'))
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('school_urn', 'integer', (c) => c.notNull().references('school.urn'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('nominated_by', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('nominated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('cluster_nomination_meeting_pupil_uq', ['meeting_id', 'pupil_id'])
        .execute();
      await db.schema.createIndex('cluster_nomination_pupil_idx').on('cluster_nomination').column('pupil_id').execute();
    },
  };
}
