import type { PostgresStoreOptions } from './postgresStore.js';
import type { SqliteStoreOptions } from './sqliteStore.js';
import type { Store } from './Store.js';

/** Either a SQLite file (`file`) or a PostgreSQL server (`url`), with that dialect's options. */
export type OpenStoreOptions = (SqliteStoreOptions & { url?: undefined }) | (PostgresStoreOptions & { file?: undefined });

/**
 * Opens (creating if needed) the database and applies every pending migration: SQLite when given a
 * `file`, PostgreSQL when given a `url`. Throws `LA_DB_TOO_NEW` for a database from a newer
 * LocalAgent, `LA_DB_LOCKED` when another process holds it locked past the wait, and
 * `LA_DB_UNAVAILABLE` when the PostgreSQL server cannot be reached.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  // Each driver is loaded only when used: a SQLite user never loads pg, and the other way round.
  if (options.url !== undefined) {
    const { openPostgresStore } = await import('./postgresStore.js');
    return openPostgresStore(options);
  }
  const { openSqliteStore } = await import('./sqliteStore.js');
  return openSqliteStore(options);
}
