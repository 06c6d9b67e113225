import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Proactive delivery shared by several instances (issues 13.5 and 14.7):
 * - alert_outbox.claim_token: bumped on every claim; a worker sends and settles a row only while
 *   its token still matches (a claim lost to lease expiry is fenced off).
 * - alert_outbox.priority: null derives it from the kind and rule at claim time (urgent before bulk).
 * - alert_outbox.subject_id and a nullable alert_id: rows that are not alerts (an overdue cluster
 *   action reminder names its action in subject_id) go through the same outbox.
 * - send_bucket / send_slot: the pacer's state (per conversation and per tenant), shared through
 *   the store so every instance paces against the same windows.
 * - delivery_hold: a subscriber whose conversation has no free send slot soon is skipped by claims
 *   until then, so its backlog never holds claims that others wait behind.
 * Column meanings: services/store/tables/alerts.ts.
 */
export function deliveryFencingMigration(engine: Engine) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const big = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema.alterTable('alert_outbox').addColumn('claim_token', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('alert_outbox').addColumn('priority', 'integer').execute();
      await db.schema.alterTable('alert_outbox').addColumn('subject_id', 'integer').execute();
      if (engine === 'postgres') {
        await db.schema.alterTable('alert_outbox').alterColumn('alert_id', (c) => c.dropNotNull()).execute();
      } else {
        await dropNotNullSqlite(db, 'alert_outbox', 'alert_id');
      }
      await db.schema.createIndex('alert_outbox_subscriber_idx').on('alert_outbox').columns(['subscriber_key', 'status']).execute();

      await db.schema
        .createTable('send_bucket')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('paused_until', big, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('send_slot')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('send_slot_bucket_idx').on('send_slot').columns(['bucket', 'at']).execute();
      await db.schema
        .createTable('delivery_hold')
        .addColumn('subscriber_key', 'text', (c) => c.primaryKey())
        .addColumn('until', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * SQLite cannot drop NOT NULL in place: rebuild the table from its own stored definition (so
 * columns other migrations added survive), copy the rows, and recreate its indexes.
 */
async function dropNotNullSqlite(db: Kysely<any>, table: string, column: string): Promise<void> {
  const created = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  const definition = created.rows[0]?.sql;
  if (!definition) throw new Error(`table ${table} not found`);
  const notNull = new RegExp(`("${column}"\\s+integer)\\s+not null`, 'i');
  if (!notNull.test(definition)) throw new Error(`${table}.${column} is not a NOT NULL integer column`);
  const rebuilt = `${table}_rebuild`;
  const newDefinition = definition.replace(new RegExp(`^CREATE TABLE\\s+"?${table}"?`, 'i'), `create table "${rebuilt}"`).replace(notNull, '$1');
  const indexes = await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db);
  await sql.raw(newDefinition).execute(db);
  await sql.raw(`insert into "${rebuilt}" select * from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${rebuilt}" rename to "${table}"`).execute(db);
  for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
}
