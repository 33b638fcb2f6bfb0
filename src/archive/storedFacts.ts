import type { Kysely } from 'kysely';
import type { BulkWriter, Database } from '../store/index.js';
import { num } from './rows.js';
import type { RatingFacts, RunFacts, TaskFacts } from './statsDelta.js';
import { chunked } from '../core/collections/index.js';

/** A stored run's facts, with its id and run id. */
export interface StoredRun extends RunFacts {
  id: number;
  run_id: string;
}

const CHUNK = 500;

/**
 * The stored runs `runIds`, read inside a `bulkWrite` transaction. `lock` (PostgreSQL) locks their
 * rows until the transaction ends, so no other transaction changes their tasks or ratings in
 * between (SQLite's transaction holds the whole database already). Rows are locked in run id
 * order, as everywhere in the archive, so two writers cannot each wait for the other.
 */
export async function storedRuns(writer: BulkWriter, db: Kysely<Database>, runIds: readonly string[], lock = false): Promise<StoredRun[]> {
  const out: StoredRun[] = [];
  for (const part of chunked([...runIds].sort(), CHUNK)) {
    let query = db
      .selectFrom('atlas_runs')
      .select(['id', 'run_id', 'plan_hash', 'title', 'status', 'duration_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'finished_at'])
      .where('run_id', 'in', part)
      .orderBy('run_id');
    if (lock && writer.dialect === 'postgres') query = query.forUpdate();
    const { rows } = await writer.execute(query.compile());
    for (const row of rows) out.push(runFacts(row));
  }
  return out;
}

/** A row of `atlas_runs` (numbers may come back as strings from PostgreSQL) as facts. */
export function runFacts(row: { id: number | string; run_id: string; plan_hash: string; title: string; status: string; duration_ms: number | string; tokens_in: number | string; tokens_out: number | string; cost_usd: number | string; finished_at: string }): StoredRun {
  return {
    id: num(row.id),
    run_id: row.run_id,
    plan_hash: row.plan_hash,
    title: row.title,
    status: row.status,
    duration_ms: num(row.duration_ms),
    tokens_in: num(row.tokens_in),
    tokens_out: num(row.tokens_out),
    cost_usd: num(row.cost_usd),
    finished_at: row.finished_at,
  };
}

/** The stored tasks of `runIds`, by run. */
export async function storedTasks(writer: BulkWriter, db: Kysely<Database>, runIds: readonly string[]): Promise<Map<string, TaskFacts[]>> {
  const out = new Map<string, TaskFacts[]>();
  for (const part of chunked(runIds, CHUNK)) {
    const query = db.selectFrom('atlas_tasks').select(['run_id', 'task_id', 'kind', 'model', 'success', 'latency_ms', 'tokens_in', 'tokens_out', 'cost_usd']).where('run_id', 'in', part);
    const { rows } = await writer.execute(query.compile());
    for (const row of rows) {
      let tasks = out.get(row.run_id);
      if (tasks === undefined) {
        tasks = [];
        out.set(row.run_id, tasks);
      }
      tasks.push({
        task_id: row.task_id,
        kind: row.kind,
        model: row.model,
        success: num(row.success) === 1,
        latency_ms: row.latency_ms === null ? null : num(row.latency_ms),
        tokens_in: num(row.tokens_in),
        tokens_out: num(row.tokens_out),
        cost_usd: num(row.cost_usd),
      });
    }
  }
  return out;
}

/** The stored ratings of `runIds`, by run. */
export async function storedRatings(writer: BulkWriter, db: Kysely<Database>, runIds: readonly string[]): Promise<Map<string, RatingFacts[]>> {
  const out = new Map<string, RatingFacts[]>();
  for (const part of chunked(runIds, CHUNK)) {
    const { rows } = await writer.execute(db.selectFrom('atlas_feedback').select(['run_id', 'task_id', 'rating']).where('run_id', 'in', part).compile());
    for (const row of rows) {
      let ratings = out.get(row.run_id);
      if (ratings === undefined) {
        ratings = [];
        out.set(row.run_id, ratings);
      }
      ratings.push({ task_id: row.task_id, rating: num(row.rating) });
    }
  }
  return out;
}
