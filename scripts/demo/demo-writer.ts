import type SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../services/store/database';
import { SEED_ROWS_PER_WRITE } from '../../services/store/batches';

/**
 * Bulk writes for the demo seed, one implementation per engine. SQLite: one prepared statement per
 * table, run inside the caller's transaction (the fast path better-sqlite3 is built for). PostgreSQL:
 * chunked inserts through Kysely's sql template, the attendance weeks as four array parameters per
 * 10,000 rows (unnest) and other tables as one JSON parameter per 5,000 rows. Plain multi-row VALUES
 * inserts were measured first: 76 s for the default county against about 40 s, because PostgreSQL
 * parses and plans a 20,000-parameter VALUES list for every chunk. Rows carry explicit ids, so
 * PostgreSQL's sequences are moved past them afterwards.
 */

/** Tables the seed fills, in foreign-key order, with their columns in insert order. */
const SEED_TABLES = {
  local_authority: ['code', 'name'],
  district: ['id', 'name', 'la_code'],
  school: ['urn', 'name', 'phase', 'type', 'district_id'],
  pupil: [
    'id',
    'upn',
    'legal_forename',
    'legal_surname',
    'preferred_forename',
    'date_of_birth',
    'nc_year',
    'sex',
    'ethnicity',
    'sen_provision',
    'looked_after',
    'social_worker',
    'fsm',
    'youth_justice',
  ],
  enrolment: ['id', 'pupil_id', 'school_urn', 'start_date', 'end_date', 'registration'],
  exclusion: [
    'id',
    'pupil_id',
    'school_urn',
    'category',
    'reasons',
    'start_date',
    'sessions',
    'notified_date',
    'missed_public_exam',
    'source',
    'created_at',
    // Casework (migration 0010).
    'decision_date',
    'outcome',
    'outcome_date',
    'outcome_by',
  ],
  attendance_week: ['pupil_id', 'school_urn', 'week_start', 'marks'],
} as const;

export type SeedTable = keyof typeof SEED_TABLES;

/**
 * The case-data tables; anything that references them (directly or not) is case data too. The
 * attendance summary bookkeeping tables hold no foreign keys but describe the case data, so a
 * fresh county must not inherit them.
 */
const CASE_TABLES: readonly string[] = [...Object.keys(SEED_TABLES), 'attendance_summary_state', 'attendance_summary_stale'];

export interface DemoWriter {
  /** Columns come from SEED_TABLES, or for other tables from the first row's keys. */
  insert(table: SeedTable | 'attendance_summary' | 'exclusion_review', rows: readonly object[]): Promise<void>;
  /** Deletes every row of the case tables and of every table that references them. */
  clearCaseData(): Promise<string[]>;
  count(table: string): Promise<number>;
  /** Runs after all inserts: keeps id sequences ahead of the explicit ids. */
  finish(): Promise<void>;
  db: Kysely<Database>;
}

export function sqliteWriter(handle: SqliteDatabase.Database, db: Kysely<Database>): DemoWriter {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const statementFor = (table: string, columns: readonly string[]) => {
    let statement = statements.get(table);
    if (!statement) {
      statement = handle.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
      statements.set(table, statement);
    }
    return statement;
  };
  return {
    db,
    async insert(table, rows) {
      if (rows.length === 0) return;
      const columns = columnsOf(table, rows);
      const statement = statementFor(table, columns);
      if (table === 'attendance_week') {
        // The bulk of the data: positional arguments without building an array per row.
        for (const row of rows as { pupil_id: number; school_urn: number; week_start: string; marks: string }[]) {
          statement.run(row.pupil_id, row.school_urn, row.week_start, row.marks);
        }
        return;
      }
      for (const row of rows as Record<string, unknown>[]) statement.run(columns.map((c) => row[c]));
    },
    async clearCaseData() {
      const tables = (handle.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map(
        (t) => t.name,
      );
      const existing = new Set(tables);
      const references: [string, string][] = [];
      for (const table of tables) {
        for (const fk of handle.prepare(`select "table" as parent from pragma_foreign_key_list(?)`).all(table) as { parent: string }[]) {
          references.push([table, fk.parent]);
        }
      }
      const order = deletionOrder(references, existing);
      for (const table of order) handle.prepare(`delete from "${table}"`).run();
      return order;
    },
    async count(table) {
      return (handle.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
    },
    async finish() {
      // SQLite keeps AUTOINCREMENT counters in sqlite_sequence and advances them on explicit ids.
    },
  };
}

/** Rows per JSON document: a few megabytes at most. */
const JSON_CHUNK = 5_000;

export function postgresWriter(trx: Transaction<Database>): DemoWriter {
  return {
    db: trx,
    async insert(table, rows) {
      if (rows.length === 0) return;
      if (table === 'attendance_week') {
        // The bulk of the county: four array parameters per statement instead of four per row
        // (a 10,000-row VALUES list costs PostgreSQL far more to parse and plan).
        for (let i = 0; i < rows.length; i += SEED_ROWS_PER_WRITE) {
          const slice = rows.slice(i, i + SEED_ROWS_PER_WRITE) as { pupil_id: number; school_urn: number; week_start: string; marks: string }[];
          await sql`insert into attendance_week (pupil_id, school_urn, week_start, marks)
            select * from unnest(${slice.map((r) => r.pupil_id)}::integer[], ${slice.map((r) => r.school_urn)}::integer[],
                                 ${slice.map((r) => r.week_start)}::text[], ${slice.map((r) => r.marks)}::text[])`.execute(trx);
        }
        return;
      }
      // Other tables: one JSON parameter per chunk, expanded by PostgreSQL into typed rows.
      const columns = columnsOf(table, rows);
      const list = sql.join(columns.map((c) => sql.ref(c)));
      for (let i = 0; i < rows.length; i += JSON_CHUNK) {
        const slice = rows.slice(i, i + JSON_CHUNK).map((row) => pick(row as Record<string, unknown>, columns));
        await sql`insert into ${sql.table(table)} (${list})
          select ${list} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(slice)}::json)`.execute(trx);
      }
    },
    async clearCaseData() {
      const result = await sql<{ child: string; parent: string }>`
        select distinct tc.table_name as child, ccu.table_name as parent
        from information_schema.table_constraints tc
        join information_schema.constraint_column_usage ccu
          on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
        where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(trx);
      const tables = await sql<{ name: string }>`
        select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(trx);
      const order = deletionOrder(
        result.rows.map((r) => [r.child, r.parent] as [string, string]),
        new Set(tables.rows.map((t) => t.name)),
      );
      // One TRUNCATE naming every table: faster than DELETE and needs no ordering.
      await sql`truncate table ${sql.join(order.map((t) => sql.table(t)))}`.execute(trx);
      return order;
    },
    async count(table) {
      const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx);
      return result.rows[0]!.n;
    },
    async finish() {
      for (const table of ['district', 'pupil', 'enrolment', 'exclusion', 'staff_user']) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(trx);
      }
    },
  };
}

function columnsOf(table: string, rows: readonly object[]): readonly string[] {
  return table in SEED_TABLES ? SEED_TABLES[table as SeedTable] : Object.keys(rows[0]!);
}

function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c];
  return out;
}

/**
 * The case tables plus every table that references one of them (directly or through another),
 * ordered so each table is emptied before the tables it references.
 */
export function deletionOrder(references: readonly (readonly [child: string, parent: string])[], existing?: ReadonlySet<string>): string[] {
  const doomed = new Set(CASE_TABLES.filter((t) => !existing || existing.has(t)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [child, parent] of references) {
      if (doomed.has(parent) && !doomed.has(child)) {
        doomed.add(child);
        changed = true;
      }
    }
  }
  const order: string[] = [];
  const remaining = new Set(doomed);
  while (remaining.size > 0) {
    // A table can go once no remaining table still points at it (self-references aside).
    const ready = [...remaining].filter((t) => !references.some(([child, parent]) => parent === t && child !== t && remaining.has(child))).sort();
    const next = ready.length > 0 ? ready : [...remaining].sort();
    for (const t of next) {
      order.push(t);
      remaining.delete(t);
    }
  }
  return order;
}
