import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Alternative provision places (issue 12 part B): the hubs the authority commissions (one row per
 * provider and hub, with its commissioned and transient places) and the pupils placed in them.
 * Column meanings: services/places/places-schema.ts.
 */
export function apPlacesMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const id = engine === 'postgres' ? 'serial' : 'integer';
      const autoId = (c: any) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable('ap_hub')
        .addColumn('id', id, autoId)
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('hub', 'text', (c) => c.notNull())
        .addColumn('district_id', 'integer', (c) => c.notNull().references('district.id'))
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('commissioned_places', 'integer', (c) => c.notNull())
        .addColumn('transient_places', 'integer', (c) => c.notNull())
        .addColumn('contact', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('ap_hub_provider_hub_uq', ['provider', 'hub'])
        .execute();
      await db.schema
        .createTable('ap_placement')
        .addColumn('id', id, autoId)
        .addColumn('hub_id', 'integer', (c) => c.notNull().references('ap_hub.id'))
        .addColumn('pupil_id', 'integer', (c) => c.notNull().references('pupil.id'))
        .addColumn('place_kind', 'text', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text')
        .addColumn('exclusion_id', 'integer', (c) => c.references('exclusion.id'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('ap_placement_pupil_hub_start_uq', ['pupil_id', 'hub_id', 'start_date'])
        .execute();
      await db.schema.createIndex('ap_placement_hub_dates_idx').on('ap_placement').columns(['hub_id', 'start_date']).execute();
    },
  };
}
