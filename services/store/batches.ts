/**
 * How much one statement carries. Both engines cap bound parameters per statement (SQLite 32,766,
 * PostgreSQL 65,535) and SQLite caps expression depth (1,000), so long lists go in parts. One size
 * per kind of statement, each far under those caps with the widest table.
 */

/** Values in one `where column in (...)` list. */
export const IDS_PER_QUERY = 500;

/** Rows in one multi-row insert (the widest, exclusion_alert, binds about 20 values a row). */
export const ROWS_PER_INSERT = 400;

/** Terms in one `or` of per-row conditions, e.g. (id, token) pairs: each nests one level deeper in SQLite. */
export const OR_TERMS_PER_QUERY = 200;

/** `items` in consecutive parts of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

/**
 * Checked records an importer's `write` gets at once: small enough that a failing batch's rollback
 * and a batch's reads (one `in` list of its ids) stay cheap, large enough that a 100,000-row file is
 * a few hundred transactions' worth of statements, not thousands.
 */
export const IMPORT_RECORDS_PER_BATCH = 500;

/**
 * The same for the placement importers, whose every record is checked against the hub's other
 * spans in the write: a smaller batch keeps that per-batch read small.
 */
export const PLACEMENT_RECORDS_PER_BATCH = 200;

/**
 * Attendance import records per write batch, by engine: marks are tiny and merge into week rows,
 * so batches are larger; PostgreSQL's smaller batch bounds the week rows read back per batch.
 */
export const ATTENDANCE_RECORDS_PER_BATCH = { sqlite: 5000, postgres: 2000 } as const;

/**
 * Rows per bulk write of the demo seed: it writes hundreds of thousands of rows as array or JSON
 * parameters (a few per statement, not one per value), so the parameter caps above do not apply
 * and larger parts mean fewer round trips.
 */
export const SEED_ROWS_PER_WRITE = 10_000;

/** Pupils whose attendance the demo generator makes at once: bounds the seed's memory. */
export const SEED_PUPILS_PER_ATTENDANCE_BATCH = 2000;
