import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { StorageError } from '../core/errors/index.js';
import type { Database } from './Database.js';
import type { NewEventRow } from './Store.js';
import { isUniqueViolation } from './storageErrors.js';
import { chunked } from '../core/collections/index.js';

/** Rows one statement takes (7 parameters each, far below PostgreSQL's 65,535). */
const STATEMENT_ROWS = 500;
/** Tries before giving up; each failed try means another writer's append committed, so the journal moved on. */
const ATTEMPTS = 50;

/**
 * The PostgreSQL journal writer. Each row's seq is its run's highest seq (read by the statement
 * itself) plus its place among the batch's rows of that run, so a batch that fits one statement is
 * one round trip in its own implicit transaction, which matters when the server is across a network;
 * a larger batch is several such statements in one transaction.
 *
 * Two writers of one run that read the same highest seq cannot both commit: the primary key
 * (run_id, seq) makes the second wait for the first and then fail with a unique violation. The
 * second then tries again (after a short random pause once collisions repeat), reading the seq
 * anew. Nothing is lost and no seq is used twice; every failed try means the other writer got its
 * events in.
 */
export async function appendPostgres(db: Kysely<Database>, rows: readonly NewEventRow[], attempts = ATTEMPTS): Promise<number[]> {
  if (rows.length === 0) return [];
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      if (rows.length <= STATEMENT_ROWS) return await insertNumbered(db, rows);
      return await db.transaction().execute(async (trx) => {
        const seqs: number[] = [];
        for (const part of chunked(rows, STATEMENT_ROWS)) seqs.push(...(await insertNumbered(trx, part)));
        return seqs;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Colliding again and again means several writers in step: a random pause breaks the step.
      if (attempt > 2) await sleep(Math.random() * Math.min(50, attempt * 2));
    }
  }
  throw new StorageError({
    code: 'LA_DB_LOCKED',
    category: 'transient',
    message: `Other processes kept appending to the same run journal, so ${rows.length} event(s) could not be numbered after ${attempts} tries.`,
    suggestion: 'Retry; if it persists, fewer processes should write to one run at once.',
    details: { attempts },
  });
}

/** One INSERT … SELECT that numbers the rows after their runs' highest seq; returns each row's seq. */
async function insertNumbered(db: Kysely<Database>, rows: readonly NewEventRow[]): Promise<number[]> {
  const place = new Map<string, number>();
  const numbered = rows.map((row) => {
    const n = (place.get(row.run_id) ?? 0) + 1;
    place.set(row.run_id, n);
    return { row, n };
  });
  const values = sql.join(
    numbered.map(({ row, n }) => sql`(${row.run_id}, ${n}::integer, ${row.at}, ${row.type}, ${row.task_id}, ${row.attempt}::integer, ${row.data})`),
  );
  const { rows: written } = await sql<{ run_id: string; seq: number }>`
    insert into run_events (run_id, seq, at, type, task_id, attempt, data)
    select v.run_id, coalesce((select max(e.seq) from run_events e where e.run_id = v.run_id), 0) + v.n, v.at, v.type, v.task_id, v.attempt, v.data
    from (values ${values}) as v (run_id, n, at, type, task_id, attempt, data)
    returning run_id, seq`.execute(db);
  // The first seq of each run in this statement; that run's rows got consecutive seqs from it.
  const first = new Map<string, number>();
  for (const { run_id, seq } of written) first.set(run_id, Math.min(first.get(run_id) ?? seq, seq));
  return numbered.map(({ row, n }) => (first.get(row.run_id) as number) + n - 1);
}
