import { CompiledQuery, type Kysely } from 'kysely';
import { bulkInsertText, bulkUnnestText, type BulkInsert, type BulkResult, type BulkWriter } from './BulkWriter.js';
import type { Database } from './Database.js';

/** Rows per statement, and parameters per statement (PostgreSQL takes at most 65,535). */
const STATEMENT_ROWS = 1000;
const STATEMENT_PARAMETERS = 30_000;
/** Rows per statement when they go as one array per column. */
const ARRAY_ROWS = 5000;

/**
 * `Store.bulkWrite` for PostgreSQL: one transaction, rows sent in multi-row statements (a round
 * trip per statement is what costs on a server, not the statement), as arrays when the types are
 * known.
 */
export function postgresBulkWrite(db: Kysely<Database>): <T>(fn: (writer: BulkWriter) => Promise<T>) => Promise<T> {
  return (fn) =>
    db.transaction().execute(async (trx) => {
      const writer: BulkWriter = {
        dialect: 'postgres',
        async insert<R>(spec: BulkInsert, rows: Iterable<readonly unknown[]>): Promise<R[]> {
          const out: R[] = [];
          const arrays = spec.types !== undefined && spec.row === undefined;
          const per = arrays ? ARRAY_ROWS : Math.max(1, Math.min(STATEMENT_ROWS, Math.floor(STATEMENT_PARAMETERS / Math.max(1, spec.row?.values ?? spec.columns.length))));
          let part: (readonly unknown[])[] = [];
          const flush = async (): Promise<void> => {
            let query: CompiledQuery<R>;
            if (arrays) {
              const columns = spec.columns.map((_, i) => part.map((row) => row[i] ?? null));
              query = CompiledQuery.raw(bulkUnnestText(spec), columns);
            } else {
              const parameters: unknown[] = [];
              for (const row of part) for (const value of row) parameters.push(value);
              query = CompiledQuery.raw(bulkInsertText(spec, part.length, (n) => `$${n}`), parameters);
            }
            const result = await trx.executeQuery<R>(query);
            for (const row of result.rows) out.push(row);
            part = [];
          };
          for (const row of rows) {
            part.push(row);
            if (part.length === per) await flush();
          }
          if (part.length > 0) await flush();
          return out;
        },
        async execute<R>(query: CompiledQuery<R>): Promise<BulkResult<R>> {
          const result = await trx.executeQuery(query);
          return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0n) };
        },
      };
      return fn(writer);
    });
}
