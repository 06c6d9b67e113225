import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Short-lived, single-use download links for the cluster agenda and minutes (issue 8). A row holds
 * what to build and for whom, never the document: the file is built when the link is opened, with
 * the user's role and scope as they are then. Column meanings: services/store/tables/cluster.ts.
 */
export function clusterExportLinksMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable('cluster_export_link')
        .addColumn('id', id, autoId)
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_user.id'))
        .addColumn('district', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('conversation_type', 'text', (c) => c.notNull())
        .addColumn('view', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
    },
  };
}
