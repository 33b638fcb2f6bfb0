import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { InternalError } from '../core/errors/index.js';
import { appendPostgres } from './appendPostgres.js';
import type { Database } from './Database.js';
import { maskDatabaseUrl } from './databaseTarget.js';
import { MIGRATIONS, migrate, schemaStatus, type Migration } from './migrations.js';
import { postgresBulkWrite } from './postgresBulkWrite.js';
import type { Store } from './Store.js';
import { isUnavailableError, toStorageError } from './storageErrors.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`. Never printed: errors and `where` show it masked. */
  url: string;
  /**
   * The schema LocalAgent's tables live in (the connections' `search_path`). Default: the server's
   * default, normally `public`. Tests give each test its own.
   */
  schema?: string | undefined;
  /** Most connections open at once. Default 10. */
  poolSize?: number | undefined;
  /** How long a new connection may take before the query fails with `LA_DB_UNAVAILABLE`. Default 10 s. */
  connectTimeoutMs?: number | undefined;
  /** The migrations to apply; tests only (the default is every migration this code knows). */
  migrations?: readonly Migration[] | undefined;
  /** Apply pending migrations on open. Default true; `db status` and `db migrate` pass false. */
  migrate?: boolean | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool of connections to PostgreSQL and applies pending migrations. Connections are made
 * on demand: when the server goes away, the queries of that moment fail with `LA_DB_UNAVAILABLE`
 * and the next ones connect again, so a run can be resumed once the server is back.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const where = maskDatabaseUrl(options.url);
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    // Only code passes a schema (tests), so a bad one is a bug, not something a person typed.
    throw new InternalError({ message: `"${options.schema}" is not a plain schema name (lowercase letters, digits and _, starting with a letter or _).` });
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // Idle connections do not keep a finished command's process alive.
    allowExitOnIdle: true,
    application_name: 'localagent',
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A connection that breaks while idle, or while checked out between two queries, emits 'error';
  // unheard, that would end the process. The pool drops such a connection, and the query that was
  // using it (if any) fails on its own, so there is nothing more to do here.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingBrokenConnections(pool) }) });
  try {
    const migrations = options.migrations ?? MIGRATIONS;
    const version = options.migrate === false ? (await schemaStatus(db, 'postgres', migrations)).version : await migrate(db, 'postgres', where, migrations);
    let closed = false;
    return {
      db,
      dialect: 'postgres',
      where,
      version,
      bulkWrite: postgresBulkWrite(db),
      async appendEvents(rows) {
        try {
          return await appendPostgres(db, rows);
        } catch (error) {
          throw toStorageError(error, where, 'writing the run journal');
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw toStorageError(error, where, 'opening it');
  }
}

/**
 * The pool as Kysely sees it, except that a connection whose query failed because the connection
 * broke is destroyed when it is given back. Left to itself, the pool may hand such a connection
 * out once more before it notices that the socket closed, and the next query (the run's attempt to
 * give its lease up, say) would fail too.
 */
function discardingBrokenConnections(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const query = async (sqlText: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<unknown>> => {
        try {
          return (await client.query(sqlText, parameters as unknown[])) as unknown as PostgresQueryResult<unknown>;
        } catch (error) {
          if (isUnavailableError(error)) broken = error as Error;
          throw error;
        }
      };
      return { query, release: () => client.release(broken) } as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
