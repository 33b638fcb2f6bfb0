import { CompiledQuery, type Kysely } from 'kysely';
import type { Database, StoreDialect } from '../store/index.js';

/** `insert into <table> (<columns>) values (…), (…)` for `rows` rows, with the dialect's parameter marks (`?` or `$1`). */
function insertText(dialect: StoreDialect, table: string, columns: readonly string[], rows: number): string {
  const tuples: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r += 1) {
    const marks = columns.map(() => (dialect === 'sqlite' ? '?' : `$${(n += 1)}`));
    tuples.push(`(${marks.join(', ')})`);
  }
  return `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`;
}

/**
 * A multi-row INSERT sent as ready SQL text with its parameters, skipping the query builder: bulk
 * archive writes pass hundreds of thousands of values, and building Kysely's tree for each was
 * about a tenth of an import's time in a profile. The text of a full chunk is always the same, so
 * the store's prepared statement cache serves it. `table` and `columns` are constants of this
 * folder, never input.
 */
export async function insertRows(db: Kysely<Database>, dialect: StoreDialect, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const parameters: unknown[] = [];
  for (const row of rows) for (const value of row) parameters.push(value);
  await db.executeQuery(CompiledQuery.raw(insertText(dialect, table, columns, rows.length), parameters));
}
