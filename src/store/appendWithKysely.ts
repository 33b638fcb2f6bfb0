import { sql, type Kysely } from 'kysely';
import type { Database } from './Database.js';
import type { NewEventRow } from './Store.js';
import { chunked } from '../core/collections/index.js';

/** Rows per INSERT: well under SQLite's bound-parameter limit (7 per row). */
const INSERT_CHUNK = 500;

/**
 * The SQLite journal writer through the query builder (the native one is faster; this one is kept
 * working, and tested, as the portable path): one transaction that takes the database's write lock
 * first, reads each run's last `seq`, and inserts the rows numbered after it. Two processes
 * appending to one run are serialised by the lock, so neither loses an event nor reuses a seq.
 * (PostgreSQL has its own writer, `appendPostgres`.)
 */
export async function appendWithKysely(db: Kysely<Database>, rows: readonly NewEventRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const runIds = [...new Set(rows.map((row) => row.run_id))];
  return db.transaction().execute(async (trx) => {
    // A write that changes nothing (an empty range of the primary key), first: it takes SQLite's
    // write lock before any seq is read, so an append by another process (a `runs cancel` while
    // this one runs the run) waits for this one instead of racing it for a seq or making this
    // transaction fail as stale.
    await trx.updateTable('run_events').set({ seq: sql`seq` }).where('run_id', '=', runIds[0] as string).where('seq', '<', 0).execute();
    const found = await trx
      .selectFrom('run_events')
      .select(['run_id', (eb) => eb.fn.max<number | null>('seq').as('seq')])
      .where('run_id', 'in', runIds)
      .groupBy('run_id')
      .execute();
    const next = new Map<string, number>(found.map((row) => [row.run_id, (row.seq ?? 0) + 1]));
    const values = rows.map((row) => {
      const seq = next.get(row.run_id) ?? 1;
      next.set(row.run_id, seq + 1);
      return { ...row, seq };
    });
    for (const part of chunked(values, INSERT_CHUNK)) await trx.insertInto('run_events').values(part).execute();
    return values.map((v) => v.seq);
  });
}
