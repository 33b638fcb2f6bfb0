import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import { bulkInsertText, type BulkInsert, type BulkResult, type BulkWriter } from './BulkWriter.js';
import type { Database } from './Database.js';

/** A prepared statement for a SQL text, from the connection's cache. */
export type PrepareCached = (sqlText: string) => BetterSqlite3.Statement;

/**
 * `Store.bulkWrite` for SQLite: holds the query builder's connection (so no other query can run in
 * between), opens a `BEGIN IMMEDIATE` transaction on the connection itself and hands out a writer
 * that runs cached single-row prepared statements. `IMMEDIATE` takes the write lock first, so a
 * writer in another process waits for this one (busy timeout) instead of failing it halfway.
 */
export function sqliteBulkWrite(kysely: Kysely<Database>, raw: BetterSqlite3.Database, prepare: PrepareCached): <T>(fn: (writer: BulkWriter) => Promise<T>) => Promise<T> {
  const writer: BulkWriter = {
    dialect: 'sqlite',
    // async: an error the driver throws becomes a rejection, as on PostgreSQL.
    async insert<R>(spec: BulkInsert, rows: Iterable<readonly unknown[]>): Promise<R[]> {
      const out: R[] = [];
      let statement: BetterSqlite3.Statement | undefined;
      const returning = spec.returning !== undefined && spec.returning.length > 0;
      for (const row of rows) {
        statement ??= prepare(bulkInsertText(spec, 1, () => '?'));
        if (returning) {
          const got = statement.get(row) as R | undefined;
          if (got !== undefined) out.push(got);
        } else {
          statement.run(row);
        }
      }
      return out;
    },
    async execute<R>(query: CompiledQuery<R>): Promise<BulkResult<R>> {
      const statement = prepare(query.sql);
      if (statement.reader) return { rows: statement.all(query.parameters) as R[], changes: 0 };
      return { rows: [], changes: statement.run(query.parameters).changes };
    },
  };
  return (fn) =>
    kysely.connection().execute(async () => {
      prepare('begin immediate').run();
      try {
        const result = await fn(writer);
        prepare('commit').run();
        return result;
      } catch (error) {
        // SQLite may have rolled back by itself (a full disk, say); otherwise nothing may stay half-written.
        if (raw.inTransaction) prepare('rollback').run();
        throw error;
      }
    });
}
