import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { appendWithKysely } from './appendWithKysely.js';
import type { Database } from './Database.js';
import { MIGRATIONS, migrate, schemaStatus, type Migration } from './migrations.js';
import { sqliteBulkWrite, type PrepareCached } from './sqliteBulkWrite.js';
import type { NewEventRow, Store } from './Store.js';
import { toStorageError } from './storageErrors.js';

export interface SqliteStoreOptions {
  /** The SQLite file (`HomePaths.database`); created, private (0600), when missing. */
  file: string;
  /** How long to wait for another process's lock before failing with `LA_DB_LOCKED`. Default 5000 ms. */
  busyTimeoutMs?: number | undefined;
  /**
   * `normal` (default): in WAL mode every commit survives a crash or kill of the process; a power
   * loss may drop the last commits. `full`: every commit is also flushed to disk (survives power
   * loss), at ~1 ms or more per commit.
   */
  synchronous?: 'normal' | 'full' | undefined;
  /**
   * How journal appends are written. `native` (default): cached prepared statements in one
   * synchronous transaction. `kysely`: through the query builder, as PostgreSQL does; slower, kept
   * working (and tested) as the portable path.
   */
  journalWrites?: 'native' | 'kysely' | undefined;
  /** The migrations to apply; tests only (the default is every migration this code knows). */
  migrations?: readonly Migration[] | undefined;
  /** Apply pending migrations on open. Default true; `db status` and `db migrate` pass false. */
  migrate?: boolean | undefined;
}

/** Prepared statements reused by SQL text: Kysely prepares every query afresh, which costs more than running it. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * One cache for the query builder and the bulk writer, so each text is prepared once per
 * connection. Least recently used goes first: archive writes pass many one-off texts (`in (…)`
 * lists of every length), which must not push out the statements every journal commit reuses.
 */
export function statementCache(raw: Pick<BetterSqlite3.Database, 'prepare'>, size = STATEMENT_CACHE_SIZE): PrepareCached {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return (sqlText) => {
    let statement = cache.get(sqlText);
    if (statement) {
      // A Map iterates in insertion order: re-inserting marks it most recently used.
      cache.delete(sqlText);
    } else {
      statement = raw.prepare(sqlText);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sqlText, statement);
    return statement;
  };
}

function cachingDatabase(raw: BetterSqlite3.Database, prepare: PrepareCached): SqliteDatabase {
  return { close: () => raw.close(), prepare: (sqlText: string): SqliteStatement => prepare(sqlText) };
}

/**
 * Opens (creating if needed) a SQLite database: WAL journal, foreign keys, a busy timeout, then
 * every pending migration.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const file = options.file;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let raw: BetterSqlite3.Database | undefined;
  let db: Kysely<Database> | undefined;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Created here so it is private from the start; SQLite gives its -wal and -shm files the same mode.
      closeSync(openSync(file, 'a', 0o600));
    }
    raw = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    // Checkpoint every ~40 MB of WAL rather than SQLite's default ~4 MB: each checkpoint flushes to
    // disk, and a long run commits once per task (~10 % less time per commit in bench/runner.mjs).
    // The WAL file is cut back to 16 MiB after a checkpoint, so the disk space stays bounded.
    raw.pragma('wal_autocheckpoint = 10000');
    raw.pragma('journal_size_limit = 16777216');
    raw.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    const opened = raw;
    const prepare = statementCache(opened);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(opened, prepare) }) });
    const migrations = options.migrations ?? MIGRATIONS;
    const version = options.migrate === false ? (await schemaStatus(db, 'sqlite', migrations)).version : await migrate(db, 'sqlite', file, migrations);
    const kysely = db;
    // Without migrating, the tables may not exist yet, and the native writer prepares against them.
    const native = options.journalWrites === 'kysely' || options.migrate === false ? undefined : nativeWriter(opened);
    const append = native ? (rows: readonly NewEventRow[]) => kysely.connection().execute(async () => native(rows)) : (rows: readonly NewEventRow[]) => appendWithKysely(kysely, rows);
    let closed = false;
    const store: Store = {
      db: kysely,
      dialect: 'sqlite',
      where: file,
      version,
      bulkWrite: sqliteBulkWrite(kysely, opened, prepare),
      async appendEvents(rows) {
        try {
          return await append(rows);
        } catch (error) {
          throw toStorageError(error, file, 'writing the run journal');
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await kysely.destroy();
      },
    };
    if (native) {
      store.appendEventsNow = (rows) => {
        // Kysely runs each query synchronously once it holds the connection, so the only state it
        // can leave open across an await is a transaction; without one, writing now cannot interleave.
        if (closed || opened.inTransaction) return undefined;
        try {
          return native(rows);
        } catch (error) {
          throw toStorageError(error, file, 'writing the run journal');
        }
      };
    }
    return store;
  } catch (error) {
    if (db) await db.destroy().catch(() => undefined);
    else raw?.close();
    throw toStorageError(error, file, 'opening it');
  }
}

/**
 * The SQLite journal writer: two cached statements in a `BEGIN IMMEDIATE` transaction (~20 µs per
 * commit, against ~45 µs through the query builder). Callers run it while holding Kysely's
 * connection, or when no Kysely transaction is open, so it never interleaves with one. `IMMEDIATE`
 * takes the write lock before `max(seq)` is read, so appends from other processes to the same run
 * (a cancel request) are serialised with this one and every event gets its own seq.
 */
function nativeWriter(raw: BetterSqlite3.Database): (rows: readonly NewEventRow[]) => number[] {
  const maxSeq = raw.prepare<[string], { seq: number | null }>('select max(seq) as seq from run_events where run_id = ?');
  const insert = raw.prepare<[string, number, string, string, string | null, number | null, string | null]>(
    'insert into run_events (run_id, seq, at, type, task_id, attempt, data) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const write = raw.transaction((rows: readonly NewEventRow[]): number[] => {
    const next = new Map<string, number>();
    const seqs: number[] = [];
    for (const row of rows) {
      const seq = next.get(row.run_id) ?? (maxSeq.get(row.run_id)?.seq ?? 0) + 1;
      next.set(row.run_id, seq + 1);
      insert.run(row.run_id, seq, row.at, row.type, row.task_id, row.attempt, row.data);
      seqs.push(seq);
    }
    return seqs;
  });
  return (rows) => write.immediate(rows);
}
