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
