import type { CompiledQuery } from 'kysely';
import type { StoreDialect } from './migrations.js';

/**
 * One INSERT statement, written for many rows at once by `BulkWriter.insert`. `table`, `columns`
 * and the SQL pieces are constants of the calling code, never input: values always go as parameters.
 */
export interface BulkInsert {
  table: string;
  columns: readonly string[];
  /**
   * One row's VALUES tuple when a column's value is an expression of the row's values: how many
   * values a row has, and the tuple given their parameter marks (`?` on SQLite, `$n` on
   * PostgreSQL). Default: one value per column, `(m1, m2, …)`.
   */
  row?: { values: number; text: (marks: readonly string[]) => string } | undefined;
  /**
   * PostgreSQL's types of the columns (`text`, `int4`, `int8`, `float8`), for inserts without `row`:
   * then each column goes as one array parameter (`select … from unnest($1::text[], …)`), which
   * the server takes in faster than thousands of separate parameters. SQLite ignores them.
   */
  types?: readonly string[] | undefined;
  /** What follows the VALUES: `on conflict (hash) do nothing`, `on conflict (…) do update set …`. */
  conflict?: string | undefined;
  /** Columns to give back for every row the statement inserted or updated (`returning …`). */
  returning?: readonly string[] | undefined;
}

/** What `BulkWriter.execute` gives back. */
export interface BulkResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  changes: number;
}

/**
 * Writes inside one transaction opened by `Store.bulkWrite`. On SQLite every row is one run of a
 * cached prepared statement on the connection itself (single-row statements are SQLite's fastest
 * way in, faster than multi-row ones and far faster than building each query); on PostgreSQL rows
 * go in multi-row statements, one round trip per few hundred rows.
 */
export interface BulkWriter {
  readonly dialect: StoreDialect;
  /**
   * Inserts `rows` (value lists in `spec.columns` order); resolves with the rows `spec.returning`
   * gave, in order. `rows` may be a generator: on SQLite each row is written as soon as it is made,
   * so a large batch never has all its rows in memory at once.
   */
  insert<R = Record<string, unknown>>(spec: BulkInsert, rows: Iterable<readonly unknown[]>): Promise<R[]>;
  /**
   * Any other statement in the same transaction, compiled for this dialect by the query builder
   * (`store.db.selectFrom(…).compile()`, or `sql\`…\`.compile(store.db)`). Do not run queries on
   * `store.db` itself inside `bulkWrite`: on SQLite the connection is held by the transaction, and
   * such a query would wait for it forever.
   */
  execute<R>(query: CompiledQuery<R>): Promise<BulkResult<R>>;
}

/** `spec` for `rows` given as one array per column (PostgreSQL, `spec.types` set). */
export function bulkUnnestText(spec: BulkInsert): string {
  const types = spec.types ?? [];
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`);
  const conflict = spec.conflict ? ` ${spec.conflict}` : '';
  const returning = spec.returning && spec.returning.length > 0 ? ` returning ${spec.returning.join(', ')}` : '';
  return `insert into ${spec.table} (${spec.columns.join(', ')}) select * from unnest(${arrays.join(', ')})${conflict}${returning}`;
}

/** The text of `spec` for `rows` rows, with marks from `mark(n)` (1-based across the statement). */
export function bulkInsertText(spec: BulkInsert, rows: number, mark: (n: number) => string): string {
  const tuples: string[] = [];
  let n = 0;
  const values = spec.row?.values ?? spec.columns.length;
  for (let r = 0; r < rows; r += 1) {
    const marks = Array.from({ length: values }, () => mark((n += 1)));
    tuples.push(spec.row ? spec.row.text(marks) : `(${marks.join(', ')})`);
  }
  const conflict = spec.conflict ? ` ${spec.conflict}` : '';
  const returning = spec.returning && spec.returning.length > 0 ? ` returning ${spec.returning.join(', ')}` : '';
  return `insert into ${spec.table} (${spec.columns.join(', ')}) values ${tuples.join(', ')}${conflict}${returning}`;
}
