export type Engine = 'sqlite' | 'postgres';

export interface StoreLocation {
  engine: Engine;
  /** File path (or ':memory:') for SQLite; connection string for PostgreSQL. */
  target: string;
}

const DEFAULT_SQLITE_PATH = 'data/inclusion.sqlite';

/**
 * Reads DATABASE_URL: unset or `sqlite:<path>` means the embedded store, `postgres://` or
 * `postgresql://` means PostgreSQL. Anything else is a configuration error.
 */
export function parseDatabaseUrl(url: string | undefined): StoreLocation {
  if (!url || url.trim() === '') return { engine: 'sqlite', target: DEFAULT_SQLITE_PATH };
  const value = url.trim();
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    return { engine: 'postgres', target: value };
  }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new Error('sqlite: needs a file path, e.g. sqlite:data/inclusion.sqlite or sqlite::memory:');
    return { engine: 'sqlite', target: path };
  }
  throw new Error('must start with sqlite: or postgres://');
}
